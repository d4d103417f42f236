/**
 * One load → transition → save at a time per round in this process: a burst
 * of commands (20 notes at once) would otherwise all load the same version,
 * and all but one would burn an attempt per round of retries until they give
 * up as busy. Conflicts then only come from other processes.
 */
export class RoundTurns {
  /** The tail of each round's queue. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` after every earlier `run` for the same round has settled. */
  run<T>(roundId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(roundId) ?? Promise.resolve();
    const result = previous.then(fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(roundId, settled);
    void settled.then(() => {
      if (this.#tails.get(roundId) === settled) this.#tails.delete(roundId);
    });
    return result;
  }
}
