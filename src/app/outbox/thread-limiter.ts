import type { Clock } from '../../core/ports.ts';
import { sleep, type Timers } from './timers.ts';

/** At most `limit` send starts in any `perMs` milliseconds. */
export interface RateWindow {
  limit: number;
  perMs: number;
}

/** Teams: per conversation (thread) 7 per second, 8 per 2 s, 60 per 30 s, 1800 per hour. */
// DESIGN §6 names 7/s, 60/30 s and 1800/h; Microsoft's table has also been seen
// with 8 per 2 s. Respecting it costs at most a moment, so we do.
export const TEAMS_THREAD_LIMITS: readonly RateWindow[] = [
  { limit: 7, perMs: 1000 },
  { limit: 8, perMs: 2000 },
  { limit: 60, perMs: 30_000 },
  { limit: 1800, perMs: 3_600_000 },
];

/** Slack: about one message per second per channel. */
export const SLACK_CHANNEL_LIMITS: readonly RateWindow[] = [{ limit: 1, perMs: 1000 }];

interface ThreadState {
  /** Epoch ms of send starts, ascending; entries before `head` are forgotten. */
  stamps: number[];
  head: number;
  /** Epoch ms before which nothing may start (Retry-After); 0 when not paused. */
  pausedUntil: number;
}

export interface ThreadLimiterOptions {
  windows: readonly RateWindow[];
  clock: Clock;
  timers: Timers;
}

/**
 * Sliding-window rate limiter per thread (a Teams conversation, a Slack
 * channel, or any other key) with several windows at once. A send may start
 * at time t when, for every window, fewer than `limit` sends started in
 * (t - perMs, t]. Threads are independent.
 */
export class ThreadLimiter {
  readonly #windows: readonly RateWindow[];
  readonly #maxPerMs: number;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #threads = new Map<string, ThreadState>();
  #sweepAt = 0;

  constructor(options: ThreadLimiterOptions) {
    for (const w of options.windows) {
      if (!Number.isInteger(w.limit) || w.limit < 1 || !(w.perMs > 0)) {
        throw new RangeError(`bad rate window ${JSON.stringify(w)}`);
      }
    }
    this.#windows = [...options.windows];
    this.#maxPerMs = Math.max(0, ...this.#windows.map((w) => w.perMs));
    this.#clock = options.clock;
    this.#timers = options.timers;
  }

  /** The windows this limiter enforces. */
  get windows(): readonly RateWindow[] {
    return this.#windows;
  }

  /** Threads with recent sends or a pause (memory held). */
  get threads(): number {
    return this.#threads.size;
  }

  /** Earliest epoch ms (≥ now) at which the next send on `thread` may start. */
  nextAt(thread: string): number {
    const now = this.#clock.now();
    const state = this.#threads.get(thread);
    if (!state) return now;
    let at = Math.max(now, state.pausedUntil);
    const { stamps, head } = state;
    for (const w of this.#windows) {
      // The limit-th most recent start must have left the window.
      const i = stamps.length - w.limit;
      if (i >= head) at = Math.max(at, (stamps[i] as number) + w.perMs);
    }
    return at;
  }

  /** Records a send start on `thread` at epoch ms `at` (default now). */
  record(thread: string, at = this.#clock.now()): void {
    this.#sweep(at);
    const state = this.#state(thread);
    const { stamps } = state;
    const last = stamps[stamps.length - 1];
    stamps.push(last !== undefined && last > at ? last : at);
    // Forget starts older than the longest window.
    while (state.head < stamps.length && (stamps[state.head] as number) <= at - this.#maxPerMs) {
      state.head++;
    }
    if (state.head > 1024 && state.head * 2 > stamps.length) {
      state.stamps = stamps.slice(state.head);
      state.head = 0;
    }
  }

  /**
   * Moves the stamp of a send that started at `startedAt` (epoch ms, as
   * `acquire` returned it) to `endedAt`, when its answer came. The platform
   * counts a request when it arrives, somewhere between the two: spacing the
   * next start from the end keeps arrivals inside the limit even when one
   * request travels slower than the next (spaced by starts, ~8 % of Teams
   * posts got a 429 in bench/reminders.ts). No-op if the stamp was forgotten.
   */
  settle(thread: string, startedAt: number, endedAt = this.#clock.now()): void {
    const state = this.#threads.get(thread);
    if (!state || endedAt <= startedAt) return;
    const { stamps } = state;
    let i = stamps.lastIndexOf(startedAt);
    if (i < state.head) return;
    stamps[i] = endedAt;
    // Keep the stamps ascending: a later start may have ended sooner.
    while (i + 1 < stamps.length && (stamps[i + 1] as number) < endedAt) {
      stamps[i] = stamps[i + 1] as number;
      stamps[i + 1] = endedAt;
      i++;
    }
  }

  /**
   * Lets nothing start on `thread` before epoch ms `untilMs` (the platform
   * answered 429 with Retry-After). An earlier pause never shortens a later one.
   */
  pause(thread: string, untilMs: number): void {
    const state = this.#state(thread);
    state.pausedUntil = Math.max(state.pausedUntil, untilMs);
  }

  /** Epoch ms until which `thread` is paused; 0 when it is not. */
  pausedUntil(thread: string): number {
    return this.#threads.get(thread)?.pausedUntil ?? 0;
  }

  /** Waits until a send may start on `thread`, then records it as started; resolves to that epoch ms. */
  acquire(thread: string): Promise<number> {
    return acquireAll([{ limiter: this, key: thread }], this.#clock, this.#timers);
  }

  #state(thread: string): ThreadState {
    let state = this.#threads.get(thread);
    if (!state) {
      state = { stamps: [], head: 0, pausedUntil: 0 };
      this.#threads.set(thread, state);
    }
    return state;
  }

  /** Now and then drops threads that have been quiet longer than the longest window. */
  #sweep(now: number): void {
    if (now < this.#sweepAt) return;
    this.#sweepAt = now + this.#maxPerMs;
    for (const [thread, state] of this.#threads) {
      const last = state.stamps[state.stamps.length - 1];
      const quiet = last === undefined || last <= now - this.#maxPerMs;
      if (quiet && state.pausedUntil <= now) this.#threads.delete(thread);
    }
  }
}

/**
 * Waits until every limiter lets its key start a send, then records the start
 * on all of them at the same instant, and resolves to it (epoch ms; pass it
 * to `settle` when the send is answered).
 */
export async function acquireAll(
  slots: readonly { limiter: ThreadLimiter; key: string }[],
  clock: Clock,
  timers: Timers,
): Promise<number> {
  for (;;) {
    const now = clock.now();
    let at = now;
    for (const { limiter, key } of slots) at = Math.max(at, limiter.nextAt(key));
    if (at <= now) {
      for (const { limiter, key } of slots) limiter.record(key, now);
      return now;
    }
    await sleep(timers, at - now);
  }
}

/**
 * One FIFO of tasks per thread: the tasks of a thread run one at a time, in
 * the order they were pushed; different threads run concurrently.
 */
export class ThreadQueues {
  readonly #queues = new Map<string, (() => Promise<void>)[]>();
  readonly #onError: (error: unknown, thread: string) => void;
  #size = 0;
  #idle: (() => void)[] = [];

  /** @param onError hears of a task that threw (tasks should handle their own errors). */
  constructor(onError: (error: unknown, thread: string) => void = () => {}) {
    this.#onError = onError;
  }

  /** Tasks queued or running, over all threads. */
  get size(): number {
    return this.#size;
  }

  /** Threads with queued or running tasks. */
  get threads(): number {
    return this.#queues.size;
  }

  /** Appends `task` to the FIFO of `thread`; it starts when the tasks before it have finished. */
  push(thread: string, task: () => Promise<void>): void {
    this.#size++;
    const queue = this.#queues.get(thread);
    if (queue) {
      queue.push(task);
      return;
    }
    const fresh = [task];
    this.#queues.set(thread, fresh);
    void this.#drain(thread, fresh);
  }

  /** Resolves when no task is queued or running. */
  idle(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(thread: string, queue: (() => Promise<void>)[]): Promise<void> {
    // Start on a microtask so that `push` never runs a task re-entrantly.
    await Promise.resolve();
    for (let task = queue.shift(); task; task = queue.shift()) {
      try {
        await task();
      } catch (error) {
        this.#onError(error, thread);
      } finally {
        this.#size--;
      }
    }
    this.#queues.delete(thread);
    if (this.#size === 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const resolve of waiters) resolve();
    }
  }
}
