import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import type { Job } from '../../src/core/ports.ts';
import {
  BullmqScheduler,
  type BullmqSchedulerOptions,
} from '../../src/scheduler/bullmq-scheduler.ts';
import { schedulerContract } from '../contracts/scheduler.contract.ts';
import { ManualClock } from '../fixtures/manual-clock.ts';
import { describeWithRedis, REDIS_URL, redisReachable } from '../fixtures/redis.ts';

const url = REDIS_URL;
/** One prefix per test run; every queue below lives under it and is obliterated after its test. */
const prefix = `dialogrunde-test-${randomUUID().slice(0, 8)}`;

const redisUp = await redisReachable(url);

describeWithRedis('BullmqScheduler', redisUp, () => {
  schedulerContract('bullmq', async () => {
    const clock = new ManualClock();
    const queueName = `contract-${randomUUID().slice(0, 8)}`;
    const opened: BullmqScheduler[] = [];
    return {
      clock,
      open: async () => {
        const scheduler = new BullmqScheduler({ url, prefix, queueName, clock, timing: 'manual' });
        opened.push(scheduler);
        return scheduler;
      },
      cleanup: async () => {
        const [first, ...rest] = opened;
        for (const scheduler of rest) await scheduler.close();
        await first?.destroy();
      },
    };
  });

  describe('BullmqScheduler with real time and BullMQ workers', () => {
    let opened: BullmqScheduler[] = [];
    const queueName = () => `real-${randomUUID().slice(0, 8)}`;
    const open = (options: Partial<BullmqSchedulerOptions> & { queueName: string }) => {
      const scheduler = new BullmqScheduler({ url, prefix, clock: systemClock, ...options });
      opened.push(scheduler);
      return scheduler;
    };
    afterEach(async () => {
      const [first, ...rest] = opened;
      for (const scheduler of rest) await scheduler.close();
      await first?.destroy();
      opened = [];
    });

    /** Waits until `done()` or `ms` passed, then a little longer so that late duplicates show. */
    async function settle(done: () => boolean, ms: number): Promise<void> {
      const until = Date.now() + ms;
      while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
    }

    it('delivers a reminder added twice (from two instances) once', async () => {
      const name = queueName();
      const a = open({ queueName: name });
      const b = open({ queueName: name });
      const reminder: Job = {
        id: 'reminder:r-1:p1:7',
        roundId: 'r-1',
        runAt: Date.now() + 150,
        type: 'reminder',
        itemId: 'p1',
        due: '2026-12-01',
        daysBefore: 7,
      };
      await a.schedule(reminder);
      await b.schedule(reminder);
      expect(await a.pending('r-1')).toEqual([reminder]);
      const delivered: Job[] = [];
      a.start(async (job) => {
        delivered.push(job);
      });
      b.start(async (job) => {
        delivered.push(job);
      });
      await settle(() => delivered.length >= 1, 5000);
      expect(delivered).toEqual([reminder]);
      expect(await b.pending('r-1')).toEqual([]);
    }, 10_000);

    it('two workers on one queue deliver each of 50 jobs exactly once', async () => {
      const name = queueName();
      const a = open({ queueName: name, concurrency: 5 });
      const b = open({ queueName: name, concurrency: 5 });
      const start = Date.now();
      for (let i = 0; i < 50; i++) {
        const runAt = start + 100 + (i % 10) * 10;
        const job: Job = {
          id: `deadline:r-${i % 5}:j${i}`,
          roundId: `r-${i % 5}`,
          runAt,
          type: 'deadline',
          step: 'rating',
          deadline: runAt,
        };
        // Every job added twice, once through each instance.
        await a.schedule(job);
        await b.schedule(job);
      }
      const seen: string[] = [];
      const byWorker = { a: 0, b: 0 };
      a.start(async (job) => {
        byWorker.a += 1;
        seen.push(job.id);
        await new Promise((r) => setTimeout(r, 5));
      });
      b.start(async (job) => {
        byWorker.b += 1;
        seen.push(job.id);
        await new Promise((r) => setTimeout(r, 5));
      });
      await settle(() => seen.length >= 50, 10_000);
      expect(seen).toHaveLength(50);
      expect(new Set(seen).size).toBe(50);
      expect(byWorker.a + byWorker.b).toBe(50);
    }, 20_000);

    it('retries a throwing handler with backoff, then delivers once', async () => {
      const s = open({ queueName: queueName(), backoffMs: () => 50 });
      const job: Job = {
        id: 'deadline:r-1:rating',
        roundId: 'r-1',
        runAt: Date.now(),
        type: 'deadline',
        step: 'rating',
        deadline: Date.now(),
      };
      await s.schedule(job);
      let calls = 0;
      const delivered: Job[] = [];
      s.start(async (j) => {
        calls += 1;
        if (calls < 3) throw new Error('temporarily unavailable');
        delivered.push(j);
      });
      await settle(() => delivered.length >= 1, 5000);
      expect(calls).toBe(3);
      expect(delivered).toEqual([job]);
    }, 10_000);

    it('does not re-enter the handler after a worker process is SIGKILLed inside it', async () => {
      const name = queueName();
      const survivorSkips: string[] = [];
      const entered: Job[] = [];
      const first = open({ queueName: name });
      const job: Job = {
        id: 'reminder:r-1:p1:0',
        roundId: 'r-1',
        runAt: Date.now() + 100,
        type: 'reminder',
        itemId: 'p1',
        due: '2026-12-01',
        daysBefore: 0,
      };
      await first.schedule(job);
      const script = fileURLToPath(new URL('./fixtures/bullmq-crash-worker.ts', import.meta.url));
      const child = spawn(process.execPath, [script], {
        env: { ...process.env, REDIS_URL: url, TEST_PREFIX: prefix, TEST_QUEUE: name },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('worker never entered the job')), 8000);
          child.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes(`entered ${job.id}`)) {
              clearTimeout(timer);
              resolve();
            }
          });
          child.once('exit', () => reject(new Error('worker exited early')));
        });
      } finally {
        child.kill('SIGKILL');
      }
      // The survivor finds the job stalled (lock of 1 s expired), re-runs it, sees the marker.
      const survivor = open({
        queueName: name,
        lockMs: 500,
        onSkipped: (id, reason) => survivorSkips.push(`${id} ${reason}`),
      });
      survivor.start(async (j) => {
        entered.push(j);
      });
      await settle(() => survivorSkips.length >= 1, 8000);
      expect(survivorSkips).toEqual([`${job.id} delivered`]);
      expect(entered).toEqual([]);
      expect(await survivor.pending('r-1')).toEqual([]);
    }, 20_000);
  });
});
