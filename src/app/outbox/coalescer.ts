import type { Clock } from '../../core/ports.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** Default minimum time between two deliveries of one key, in ms (Teams and Slack: one edit per 2 s). */
export const DEFAULT_INTERVAL_MS = 2000;

/**
 * - cooling: delivered less than an interval ago; a timer fires at `last + interval`.
 * - ready: `onReady` was called; waiting for the owner to `take` the value.
 * - inflight: taken; the owner is delivering it and will `settle`.
 */
type Phase = 'cooling' | 'ready' | 'inflight';

interface Slot<T> {
  phase: Phase;
  /** Whether `value` holds an offered value that has not been taken. */
  has: boolean;
  value: T | undefined;
  /** Epoch ms of the last delivery start (`take` or `touch`); -Infinity before the first. */
  last: number;
  timer: TimerHandle | undefined;
  /** Set by `flush` while in flight: the next value is ready on `settle`, interval or not. */
  force: boolean;
}

export interface CoalescerOptions {
  /** Minimum time between two delivery starts of one key, in ms. Default 2000. */
  intervalMs?: number;
  clock: Clock;
  timers: Timers;
  /**
   * Called (synchronously, from `offer`, a timer, `settle` or `flush`) when
   * `key` has a value that may be delivered now. The owner then calls
   * `take(key)` at the moment it actually starts the delivery (which may be
   * later, e.g. behind a rate limiter) and `settle(key)` when it is done.
   */
  onReady(key: string): void;
}

/**
 * Per-key "latest value wins" with at most one delivery per interval.
 *
 * The first offer for an idle key is ready at once. Offers that arrive while
 * the key is ready, in flight or within the interval after its last delivery
 * replace the waiting value; that value becomes ready once the interval has
 * passed since the last delivery started (measured from `take`, i.e. when the
 * send really began, not when it was queued).
 *
 * Protocol for the owner: `onReady(key)` → later `take(key)` (undefined when
 * the value went away meanwhile, e.g. `drop`) → deliver → `settle(key)`.
 */
export class Coalescer<T> {
  readonly #intervalMs: number;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #onReady: (key: string) => void;
  readonly #slots = new Map<string, Slot<T>>();
  #pending = 0;
  #coalesced = 0;
  #closed = false;

  constructor(options: CoalescerOptions) {
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!(intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0, got ${intervalMs}`);
    this.#intervalMs = intervalMs;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#onReady = options.onReady;
  }

  /** Offered values that were replaced or dropped before being taken. */
  get coalesced(): number {
    return this.#coalesced;
  }

  /** Keys holding a value that has not been taken yet. */
  get pending(): number {
    return this.#pending;
  }

  /** Keys tracked (waiting, in flight, or within their interval). */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Offers the newest value for `key`. Returns false (and does nothing) after
   * `close`.
   */
  offer(key: string, value: T): boolean {
    if (this.#closed) return false;
    const slot = this.#slots.get(key);
    if (!slot) {
      const fresh: Slot<T> = {
        phase: 'cooling',
        has: true,
        value,
        last: Number.NEGATIVE_INFINITY,
        timer: undefined,
        force: false,
      };
      this.#pending++;
      this.#slots.set(key, fresh);
      this.#ready(key, fresh);
      return true;
    }
    if (slot.has) this.#coalesced++;
    else {
      slot.has = true;
      this.#pending++;
    }
    slot.value = value;
    // cooling: its timer makes it ready; ready: the owner will take it;
    // inflight: `settle` schedules it.
    return true;
  }

  /** Whether `key` has a value that may be taken now. */
  has(key: string): boolean {
    const slot = this.#slots.get(key);
    return slot?.has === true && slot.phase !== 'cooling';
  }

  /**
   * Takes the latest value of a ready (or in-flight, for a retry) key and
   * marks a delivery as started now. Undefined when there is nothing to take.
   */
  take(key: string): { value: T } | undefined {
    const slot = this.#slots.get(key);
    if (!slot || slot.phase === 'cooling') return undefined;
    if (!slot.has) {
      if (slot.phase === 'ready') this.#cool(key, slot);
      return undefined;
    }
    const value = slot.value as T;
    slot.has = false;
    slot.value = undefined;
    this.#pending--;
    slot.phase = 'inflight';
    slot.last = this.#clock.now();
    return { value };
  }

  /** The delivery of `key` (started by `take`) has finished, successfully or not. */
  settle(key: string): void {
    const slot = this.#slots.get(key);
    if (slot && slot.phase !== 'cooling') this.#cool(key, slot);
  }

  /**
   * Records a delivery of `key` made outside `take` (e.g. the message was
   * posted, or a retry attempt started): the interval restarts now.
   */
  touch(key: string): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = {
        phase: 'cooling',
        has: false,
        value: undefined,
        last: now,
        timer: undefined,
        force: false,
      };
      this.#slots.set(key, slot);
    }
    slot.last = now;
    if (slot.phase !== 'inflight') this.#cool(key, slot);
  }

  /** Discards the waiting value of `key` (superseded elsewhere). True if there was one. */
  drop(key: string): boolean {
    const slot = this.#slots.get(key);
    if (!slot?.has) return false;
    slot.has = false;
    slot.value = undefined;
    this.#pending--;
    this.#coalesced++;
    return true;
  }

  /**
   * Makes every waiting value ready now, ignoring the interval (shutdown).
   * Ready keys are signalled again; a surplus `onReady` only finds nothing
   * to take.
   */
  flush(): void {
    const waiting = [...this.#slots].filter(([, slot]) => slot.has);
    for (const [key, slot] of waiting) {
      if (slot.phase === 'inflight') slot.force = true;
      else this.#ready(key, slot);
    }
  }

  /** Cancels every timer and forgets every value; later offers are refused. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots.values()) {
      if (slot.timer !== undefined) this.#timers.clearTimeout(slot.timer);
    }
    this.#slots.clear();
    this.#pending = 0;
  }

  #ready(key: string, slot: Slot<T>): void {
    this.#clearTimer(slot);
    slot.phase = 'ready';
    slot.force = false;
    this.#onReady(key);
  }

  #cool(key: string, slot: Slot<T>): void {
    this.#clearTimer(slot);
    slot.phase = 'cooling';
    if (slot.has && slot.force) {
      this.#ready(key, slot);
      return;
    }
    const wait = slot.last + this.#intervalMs - this.#clock.now();
    if (wait <= 0) {
      if (slot.has) this.#ready(key, slot);
      else this.#slots.delete(key);
      return;
    }
    slot.timer = this.#timers.setTimeout(() => {
      slot.timer = undefined;
      if (this.#slots.get(key) !== slot || slot.phase !== 'cooling') return;
      if (slot.has) this.#ready(key, slot);
      else this.#slots.delete(key);
    }, wait);
  }

  #clearTimer(slot: Slot<T>): void {
    if (slot.timer === undefined) return;
    this.#timers.clearTimeout(slot.timer);
    slot.timer = undefined;
  }
}
