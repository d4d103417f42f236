import type { Clock } from '../core/ports.ts';

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to (simulations and tests). */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.#ms = start;
  }

  now(): number {
    return this.#ms;
  }

  set(ms: number): void {
    this.#ms = ms;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}
