/**
 * "Round X changed": how the web channel's event streams hear of changes
 * made anywhere. With one instance the bus is in-process; with several, a
 * shared bus (`src/store/redis-change-bus.ts`) carries each publish to every
 * instance, whose hub then pushes it to the streams it holds.
 */
export interface ChangeBus {
  /**
   * Tells every subscriber, in this instance at once and (shared bus) in the
   * others shortly after, that the round changed. Never throws: delivery to
   * other instances is best effort (a failure is reported, not raised).
   */
  publish(roundId: string): void;
  /**
   * Calls `listener` once per publish of any instance, this one included.
   * Returns a function that stops it.
   */
  subscribe(listener: (roundId: string) => void): () => void;
  /** Stops delivering; a shared bus also ends its subscription. Idempotent. */
  close(): Promise<void>;
}

/** The bus of one process: publish calls every listener synchronously. */
export class LocalChangeBus implements ChangeBus {
  readonly #listeners = new Set<(roundId: string) => void>();
  #closed = false;

  publish(roundId: string): void {
    if (this.#closed) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(roundId);
      } catch {
        // One listener's failure must not keep the others from hearing of it.
      }
    }
  }

  subscribe(listener: (roundId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }
}
