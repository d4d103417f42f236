import type { Outbox, OutboxStats } from './outbox.ts';

/**
 * A channel outbox for messages that are posted once and edited afterwards.
 * Remembers which messages (thread + key) this process has posted or is
 * posting; for the others it asks `known` (the platform message id kept in
 * ChannelMemory) so that a message posted before a restart is edited, not
 * posted again. A post given up is forgotten, so the next send posts anew.
 */
export class PostOnceThenEdit<T> {
  readonly #outbox: Outbox<T>;
  readonly #posted = new Set<string>();

  constructor(outbox: Outbox<T>) {
    this.#outbox = outbox;
  }

  /** Posts the message once, then edits it (coalesced by the outbox). */
  async send(
    thread: string,
    key: string,
    value: T,
    known: () => Promise<string | undefined>,
  ): Promise<void> {
    const mk = JSON.stringify([thread, key]);
    if (this.#posted.has(mk)) {
      this.#outbox.update(thread, key, value);
      return;
    }
    const id = await known();
    if (id !== undefined || this.#posted.has(mk)) {
      this.#posted.add(mk);
      this.#outbox.update(thread, key, value);
      return;
    }
    this.#posted.add(mk);
    // Not awaited: the outbox queues it (later edits of the key ride along or follow it).
    void this.#outbox.post(thread, key, value).then((sent) => {
      if (!sent) this.#posted.delete(mk);
    });
  }

  /** Sends every waiting edit now and resolves when nothing is queued. */
  flush(): Promise<void> {
    return this.#outbox.flush();
  }

  close(): Promise<void> {
    return this.#outbox.close();
  }

  stats(): OutboxStats {
    return this.#outbox.stats();
  }
}
