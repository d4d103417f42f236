/**
 * What was written lately, by key, so that the same value is not written
 * again and again (e.g. the Teams conversation reference that comes with
 * every press). Bounded in size and time; process memory only, so a value
 * removed from the store elsewhere is written again after `ttlMs` at most.
 */
export class RecentValues {
  readonly #entries = new Map<string, { value: string; at: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  /**
   * @param ttlMs how long a noted value counts as written, in ms
   * @param max how many keys are kept (the oldest noted is dropped first)
   * @param now the clock, epoch ms
   */
  constructor(ttlMs: number, max: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#max = max;
    this.#now = now;
  }

  /** True when `value` must be written: it is not what was noted for `key` within ttlMs. */
  fresh(key: string, value: string): boolean {
    const entry = this.#entries.get(key);
    return !entry || entry.value !== value || this.#now() - entry.at >= this.#ttlMs;
  }

  /** Notes that `value` was written for `key` now. */
  note(key: string, value: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at: this.#now() });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
