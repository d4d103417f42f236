import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobHandler, Scheduler } from '../../src/core/ports.ts';
import type { ManualClock } from '../fixtures/manual-clock.ts';

/** A scheduler the tests can drive without timers. */
export interface PollableScheduler extends Scheduler {
  /** Runs the jobs due now with `handler`; resolves to how many ran. */
  pollOnce(handler: JobHandler): Promise<number>;
}

export interface SchedulerHarness {
  /** The clock every scheduler from `open` reads. */
  clock: ManualClock;
  /** A scheduler on the shared backing storage; call twice for two instances. */
  open(): Promise<PollableScheduler>;
  cleanup(): Promise<void>;
}

const HOUR = 60 * 60_000;

/** A deadline job for `roundId`, due `inMs` after now. */
export function deadlineJob(clock: ManualClock, id: string, inMs: number, roundId = 'r-1'): Job {
  const runAt = clock.now() + inMs;
  return { id, roundId, runAt, type: 'deadline', step: 'rating', deadline: runAt };
}

/** The behaviour every Scheduler must show. Each test gets fresh, empty storage. */
export function schedulerContract(name: string, factory: () => Promise<SchedulerHarness>): void {
  describe(`Scheduler contract: ${name}`, () => {
    let h: SchedulerHarness;
    let s: PollableScheduler;
    let delivered: Job[];
    const record: JobHandler = async (job) => {
      delivered.push(job);
    };
    const ids = () => delivered.map((j) => j.id);
    beforeEach(async () => {
      h = await factory();
      s = await h.open();
      delivered = [];
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('fires a job only once its runAt has come', async () => {
      const job = deadlineJob(h.clock, 'j1', 1000);
      await s.schedule(job);
      expect(await s.pollOnce(record)).toBe(0);
      h.clock.advance(999);
      expect(await s.pollOnce(record)).toBe(0);
      h.clock.advance(1);
      expect(await s.pollOnce(record)).toBe(1);
      expect(delivered).toEqual([job]);
    });

    it('fires a job exactly once however often it is polled', async () => {
      await s.schedule(deadlineJob(h.clock, 'j1', 0));
      for (let i = 0; i < 10; i++) {
        await s.pollOnce(record);
        h.clock.advance(HOUR);
      }
      expect(ids()).toEqual(['j1']);
    });

    it('keeps one job per id, replaced by the latest schedule', async () => {
      await s.schedule(deadlineJob(h.clock, 'j1', 1000));
      await s.schedule(deadlineJob(h.clock, 'j1', 1000));
      const later = deadlineJob(h.clock, 'j1', 5000);
      await s.schedule(later);
      expect(await s.pending('r-1')).toEqual([later]);
      h.clock.advance(1000);
      expect(await s.pollOnce(record)).toBe(0);
      h.clock.advance(4000);
      await s.pollOnce(record);
      expect(delivered).toEqual([later]);
    });

    it('does not fire a delivered job again for the same runAt, but does for a new one', async () => {
      const job = deadlineJob(h.clock, 'j1', 0);
      await s.schedule(job);
      await s.pollOnce(record);
      await s.schedule(job);
      h.clock.advance(HOUR);
      expect(await s.pollOnce(record)).toBe(0);
      const moved = { ...job, runAt: job.runAt + 2 * HOUR, deadline: job.runAt + 2 * HOUR };
      await s.schedule(moved);
      expect(await s.pending('r-1')).toEqual([moved]);
      h.clock.advance(HOUR);
      await s.pollOnce(record);
      expect(delivered).toEqual([job, moved]);
    });

    it('does not deliver cancelled jobs', async () => {
      await s.schedule(deadlineJob(h.clock, 'a1', 10, 'r-a'));
      await s.schedule(deadlineJob(h.clock, 'a2', 20, 'r-a'));
      await s.schedule(deadlineJob(h.clock, 'b1', 30, 'r-b'));
      await s.schedule(deadlineJob(h.clock, 'b2', 40, 'r-b'));
      await s.cancel('a1');
      await s.cancel('unknown');
      await s.cancelRound('r-b');
      expect(await s.pending('r-b')).toEqual([]);
      h.clock.advance(HOUR);
      await s.pollOnce(record);
      expect(ids()).toEqual(['a2']);
    });

    it('lists pending jobs of a round, soonest first', async () => {
      const reminder: Job = {
        id: 'rem',
        roundId: 'r-1',
        runAt: h.clock.now() + 500,
        type: 'reminder',
        itemId: 'p1',
        due: '2026-12-01',
        daysBefore: 7,
      };
      const late = deadlineJob(h.clock, 'late', 3000);
      const early = deadlineJob(h.clock, 'early', 1000);
      await s.schedule(late);
      await s.schedule(reminder);
      await s.schedule(early);
      await s.schedule(deadlineJob(h.clock, 'other', 10, 'r-2'));
      expect(await s.pending('r-1')).toEqual([reminder, early, late]);
      h.clock.advance(1000);
      await s.pollOnce(record);
      expect(await s.pending('r-1')).toEqual([late]);
      expect(await s.pending('r-none')).toEqual([]);
    });

    it('retries a throwing handler later, with backoff, until it succeeds', async () => {
      await s.schedule(deadlineJob(h.clock, 'j1', 0));
      let calls = 0;
      const flaky: JobHandler = async (job) => {
        calls += 1;
        if (calls < 3) throw new Error('temporarily unavailable');
        delivered.push(job);
      };
      expect(await s.pollOnce(flaky)).toBe(1);
      expect(await s.pollOnce(flaky)).toBe(0); // not retried at once
      h.clock.advance(HOUR);
      expect(await s.pollOnce(flaky)).toBe(1);
      h.clock.advance(HOUR);
      expect(await s.pollOnce(flaky)).toBe(1);
      h.clock.advance(HOUR);
      expect(await s.pollOnce(flaky)).toBe(0);
      expect(calls).toBe(3);
      expect(ids()).toEqual(['j1']);
    });

    it('lets a handler schedule its own id again for later: a recurring job without a round', async () => {
      const purge = (runAt: number): Job => ({ id: 'purge', roundId: '', runAt, type: 'purge' });
      await s.schedule(purge(h.clock.now()));
      const again: JobHandler = async (job) => {
        delivered.push(job);
        await s.schedule(purge(job.runAt + HOUR));
      };
      expect(await s.pollOnce(again)).toBe(1);
      expect(await s.pending('')).toEqual([purge(h.clock.now() + HOUR)]);
      expect(await s.pollOnce(again)).toBe(0);
      h.clock.advance(HOUR);
      expect(await s.pollOnce(again)).toBe(1);
      expect(delivered.map((j) => j.runAt)).toEqual([h.clock.now() - HOUR, h.clock.now()]);
      expect(await s.pending('')).toEqual([purge(h.clock.now() + HOUR)]);
      expect(await s.pending('r-1')).toEqual([]);
    });

    it('delivers each job once with two instances polling at the same time', async () => {
      const other = await h.open();
      for (let i = 0; i < 200; i++) {
        await (i % 2 ? s : other).schedule(deadlineJob(h.clock, `j${i}`, i));
      }
      h.clock.advance(HOUR);
      let ran = 0;
      for (;;) {
        const [a, b] = await Promise.all([s.pollOnce(record), other.pollOnce(record)]);
        ran += a + b;
        if (a + b === 0) break;
      }
      expect(delivered).toHaveLength(200);
      expect(new Set(ids()).size).toBe(200);
      expect(ran).toBe(200);
    });
  });
}
