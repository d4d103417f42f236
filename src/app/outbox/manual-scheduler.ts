import type { Clock } from '../../core/ports.ts';
import type { TimerHandle, Timers } from './timers.ts';

interface Pending {
  id: number;
  /** Epoch ms at which the timer fires. */
  at: number;
  fn: () => void;
}

/** Lets every promise chain that is ready to run, run (all queued microtasks). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const before = (a: Pending, b: Pending) => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * Virtual time for tests, simulations and benchmarks: a Clock and Timers in
 * one. Time moves only in `advance`, `advanceTo` and `runAll`; timers fire in
 * order of their due time (ties in creation order), and after each one the
 * promise chains it started settle before the next fires. No real time
 * passes (only event-loop turns).
 */
export class ManualScheduler implements Clock, Timers {
  #now: number;
  #seq = 0;
  /** Live timers by id; the heap may still hold cancelled ones. */
  readonly #live = new Map<number, Pending>();
  readonly #heap: Pending[] = [];

  /** @param start epoch ms the clock starts at. */
  constructor(start = 0) {
    this.#now = start;
  }

  /** Current virtual time in epoch ms. */
  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.#seq, at: this.#now + Math.max(0, ms), fn };
    this.#live.set(timer.id, timer);
    this.#push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#live.delete(handle);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.#live.size;
  }

  /** Moves time forward by `ms` milliseconds, firing every timer due on the way. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to epoch ms `target`, firing every timer due on the way. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const next = this.#peek();
      if (!next || next.at > target) break;
      this.#fire(next);
      await settle();
    }
    this.#now = Math.max(this.#now, target);
  }

  /**
   * Fires timers (moving time to each) until none is left. Throws after
   * `maxTimers` firings, which catches timers that keep re-arming themselves.
   */
  async runAll(maxTimers = 1_000_000): Promise<void> {
    await settle();
    for (let fired = 0; ; fired++) {
      const next = this.#peek();
      if (!next) return;
      if (fired >= maxTimers) throw new Error(`ManualScheduler: more than ${maxTimers} timers`);
      this.#fire(next);
      await settle();
    }
  }

  #fire(timer: Pending): void {
    this.#pop();
    this.#live.delete(timer.id);
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }

  /** The earliest live timer (cancelled ones are discarded on the way). */
  #peek(): Pending | undefined {
    for (;;) {
      const top = this.#heap[0];
      if (!top || this.#live.has(top.id)) return top;
      this.#pop();
    }
  }

  #push(timer: Pending): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Pending;
      if (!before(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Pending, heap[l] as Pending) ? r : l;
      const c = heap[child] as Pending;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}
