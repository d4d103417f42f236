/**
 * Timer scheduling, injectable so tests and simulations run on virtual time
 * (see `manual-scheduler.ts`) while production uses the Node timers.
 */

/** Whatever `setTimeout` returned; only ever handed back to `clearTimeout`. */
export type TimerHandle = unknown;

export interface Timers {
  /** Calls `fn` once after `ms` milliseconds (0 or less: as soon as possible). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer. Unknown or already fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** Node's own setTimeout accepts at most 2^31 - 1 ms; longer delays would fire at once. */
const MAX_NODE_DELAY_MS = 2_147_483_647;

/** The real timers. */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(MAX_NODE_DELAY_MS, Math.max(0, ms))),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` milliseconds on `timers`. */
export function sleep(timers: Timers, ms: number): Promise<void> {
  return new Promise((resolve) => {
    timers.setTimeout(resolve, ms);
  });
}
