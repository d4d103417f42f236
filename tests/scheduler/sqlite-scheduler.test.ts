import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Job, JobHandler } from '../../src/core/ports.ts';
import { JOB_MIGRATIONS } from '../../src/scheduler/sqlite-jobs.ts';
import {
  SqliteScheduler,
  type SqliteSchedulerOptions,
} from '../../src/scheduler/sqlite-scheduler.ts';
import { openDatabase } from '../../src/store/sqlite-db.ts';
import { STORE_MIGRATIONS } from '../../src/store/sqlite-schema.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { deadlineJob, schedulerContract } from '../contracts/scheduler.contract.ts';
import { ManualClock } from '../fixtures/manual-clock.ts';

const LEASE = 60_000;

schedulerContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-jobs-'));
  const clock = new ManualClock();
  const opened: SqliteScheduler[] = [];
  return {
    clock,
    open: async () => {
      const scheduler = new SqliteScheduler({ path: join(dir, 'jobs.db'), clock });
      opened.push(scheduler);
      return scheduler;
    },
    cleanup: async () => {
      for (const scheduler of opened) await scheduler.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteScheduler specifics', () => {
  let dir: string;
  let path: string;
  let clock: ManualClock;
  let delivered: Job[];
  const record: JobHandler = async (job) => {
    delivered.push(job);
  };
  const open = (options: Partial<SqliteSchedulerOptions> = {}) =>
    new SqliteScheduler({ path, clock, leaseMs: LEASE, ...options });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-jobs-'));
    path = join(dir, 'jobs.db');
    clock = new ManualClock();
    delivered = [];
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers jobs scheduled before a restart, once', async () => {
    const before = open();
    await before.schedule(deadlineJob(clock, 'j1', 1000));
    await before.schedule(deadlineJob(clock, 'j2', 2000));
    await before.close();

    const after = open();
    clock.advance(5000);
    expect(await after.pollOnce(record)).toBe(2);
    expect(await after.pollOnce(record)).toBe(0);
    expect(delivered.map((j) => j.id)).toEqual(['j1', 'j2']);
    await after.close();
  });

  it('re-delivers a job left running by a crashed instance once its lease expires', async () => {
    const db = openDatabase(path);
    const crashed = new SqliteScheduler({ db, clock, leaseMs: LEASE });
    const job = deadlineJob(clock, 'j1', 0);
    await crashed.schedule(job);
    // The handler never returns; then the process "dies" with the job claimed.
    void crashed.pollOnce(() => new Promise<void>(() => {}));
    db.close();

    const survivor = open();
    expect(await survivor.pollOnce(record)).toBe(0);
    expect(await survivor.pending('r-1')).toEqual([]); // claimed, not pending
    clock.advance(LEASE);
    expect(await survivor.pollOnce(record)).toBe(1);
    expect(await survivor.pollOnce(record)).toBe(0);
    expect(delivered).toEqual([job]);
    await survivor.close();
  });

  it('gives up after maxAttempts and keeps the error', async () => {
    const s = open({ maxAttempts: 3, backoffMs: () => 1000 });
    await s.schedule(deadlineJob(clock, 'j1', 0));
    let calls = 0;
    const failing: JobHandler = async () => {
      calls += 1;
      throw new Error('boom');
    };
    for (let i = 0; i < 6; i++) {
      await s.pollOnce(failing);
      clock.advance(1000);
    }
    expect(calls).toBe(3);
    const db = openDatabase(path);
    expect(db.prepare('SELECT state, attempts, last_error FROM jobs').get()).toEqual({
      state: 'failed',
      attempts: 3,
      last_error: 'Error: boom',
    });
    db.close();
    await s.close();
  });

  it('shares one file with the round store', async () => {
    const store = await openSqliteStore({ path });
    const s = new SqliteScheduler({ db: store.db, clock });
    await s.schedule(deadlineJob(clock, 'j1', 0));
    expect(await store.ping()).toBe(true);
    expect(await s.pollOnce(record)).toBe(1);
    const names = store.db.prepare('SELECT name FROM schema_migrations ORDER BY name').all();
    // Both sets of migrations, side by side in one table.
    expect(names).toEqual(
      [...JOB_MIGRATIONS, ...STORE_MIGRATIONS]
        .map((m) => m.name)
        .sort()
        .map((name) => ({ name })),
    );
    await s.close();
    expect(store.db.isOpen).toBe(true); // not the scheduler's to close
    await store.close();
  });

  it('polls on a timer after start, and stop waits for the running handler', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = open({ pollMs: 1000 });
    await s.schedule(deadlineJob(clock, 'j1', 0));
    let release = () => {};
    const slow: JobHandler = (job) =>
      new Promise<void>((resolve) => {
        release = () => {
          delivered.push(job);
          resolve();
        };
      });
    s.start(slow);
    await vi.advanceTimersByTimeAsync(999);
    expect(await s.pending('r-1')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await s.pending('r-1')).toEqual([]); // claimed, handler running

    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(delivered.map((j) => j.id)).toEqual(['j1']);

    await s.schedule(deadlineJob(clock, 'j2', 0));
    await vi.advanceTimersByTimeAsync(5000);
    expect(await s.pending('r-1')).toHaveLength(1); // stopped: no more polls
    await s.close();
  });
});
