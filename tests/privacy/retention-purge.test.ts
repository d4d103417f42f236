/**
 * Retention (issue 8): the scheduler's daily purge deletes every round whose
 * retention period is over, with everything stored beside it, and nothing
 * else. SQLite purges for real; on Redis the round's keys expire by
 * themselves and the purge clears what lives beside them. Rounds saved
 * before the retention column existed are found too (migration).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/app/clock.ts';
import { silentLogger } from '../../src/app/logger.ts';
import {
  type PrivacyDeps,
  PURGE_EVERY_MS,
  PURGE_FIRST_DELAY_MS,
  PURGE_JOB_ID,
  purgeExpired,
  schedulePurge,
} from '../../src/app/privacy.ts';
import { loadConfig } from '../../src/config.ts';
import type { Job } from '../../src/core/ports.ts';
import { start } from '../../src/main.ts';
import { BullmqScheduler } from '../../src/scheduler/bullmq-scheduler.ts';
import { SqliteScheduler } from '../../src/scheduler/sqlite-scheduler.ts';
import { openRedisStore } from '../../src/store/redis-store.ts';
import { migrate, openDatabase } from '../../src/store/sqlite-db.ts';
import { STORE_MIGRATIONS } from '../../src/store/sqlite-schema.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { deleteKeys, describeWithRedis, REDIS_URL, redisReachable } from '../fixtures/redis.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';
import {
  DAY,
  finishedRound,
  type PrivacyWorld,
  privacyWorld,
  putRound,
  RETENTION,
} from './privacy-world.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

/** A reminder of the round's (done) item, still pending: it must go with the round. */
const reminder = (roundId: string, runAt: number): Job => ({
  id: `${roundId}:reminder:p1`,
  roundId,
  runAt,
  type: 'reminder',
  itemId: 'p1',
  due: '2028-01-10',
  daysBefore: 0,
});

/** What a round leaves beside itself: a pending job, message ids, a nudge claim, a save key. */
async function leaveTraces(deps: PrivacyDeps, id: string) {
  await deps.scheduler.schedule(reminder(id, T0 + 3 * RETENTION));
  await deps.channelMemory?.saveMessage('slack', 'C1', `${id}:plan`, 'ts-plan');
  await deps.channelMemory?.saveMessage('teams', 'chat', `facilitator-chat:${id}`, 'a:personal');
  expect(await deps.store.claim(`nudge:${id}:rating:voter-key`, 400 * DAY)).toBe(true);
}

/** The traces above are gone (true) or all still there (false). */
async function tracesGone(deps: PrivacyDeps, id: string): Promise<boolean> {
  const left = [
    (await deps.scheduler.pending(id)).length > 0,
    (await deps.channelMemory?.message('slack', 'C1', `${id}:plan`)) !== undefined,
    (await deps.channelMemory?.message('teams', 'chat', `facilitator-chat:${id}`)) !== undefined,
  ];
  const claimFree = await deps.store.claim(`nudge:${id}:rating:voter-key`, 1);
  if (claimFree) await deps.store.release(`nudge:${id}:rating:voter-key`);
  return left.every((l) => !l) && claimFree;
}

describe('retention purge on SQLite', () => {
  let w: PrivacyWorld;
  beforeEach(async () => {
    w = await privacyWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('deletes an expired round with everything beside it, keeps the rest, and comes back a day later', async () => {
    const deps = w.app.service.deps;
    w.clock.set(T0);
    await putRound(w.app, finishedRound('r-expired', T0));
    await putRound(w.app, finishedRound('r-recent', T0 + 2 * DAY));
    const open = finishedRound('r-open-item', T0, { plan: [planItemFixture({ status: 'open' })] });
    await putRound(w.app, open);
    await putRound(w.app, roundFixture({ id: 'r-running', updatedAt: T0 }));
    for (const id of ['r-expired', 'r-recent', 'r-open-item']) await leaveTraces(deps, id);
    await schedulePurge(deps, 60_000);

    w.clock.set(T0 + RETENTION + DAY);
    // The purge runs as the bot runs it: a due job, through the round service.
    expect(await w.app.scheduler.pollOnce((job) => w.app.service.handleJob(job))).toBe(1);

    expect(await w.app.store.load('r-expired')).toBeUndefined();
    expect(await tracesGone(deps, 'r-expired')).toBe(true);
    for (const id of ['r-recent', 'r-open-item', 'r-running']) {
      expect((await w.app.store.load(id))?.state.id).toBe(id);
    }
    expect(await tracesGone(deps, 'r-recent')).toBe(false);
    expect(await tracesGone(deps, 'r-open-item')).toBe(false);
    // The next purge is due a day later, once (a deterministic id).
    expect(await w.app.scheduler.pending('')).toEqual([
      { id: PURGE_JOB_ID, roundId: '', runAt: w.clock.now() + PURGE_EVERY_MS, type: 'purge' },
    ]);
    w.clock.advance(PURGE_EVERY_MS);
    expect(await w.app.scheduler.pollOnce((job) => w.app.service.handleJob(job))).toBe(1);
    expect(await w.app.store.load('r-recent')).toBeUndefined();
    // Counts only in the log.
    const purges = w.lines.filter((l) => l.includes('retention purge done'));
    expect(purges.map((l) => JSON.parse(l).purged)).toEqual([1, 1]);
  });

  it('is scheduled by the bot a minute after it starts', async () => {
    const dataDir = `${w.path}.bot`;
    const before = Date.now();
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    const running = await start(config);
    await running.stop();
    const jobs = new SqliteScheduler({ path: config.sqlitePath, clock: systemClock });
    try {
      const [purge, ...others] = await jobs.pending('');
      expect(others).toEqual([]);
      expect(purge).toMatchObject({ id: PURGE_JOB_ID, type: 'purge' });
      expect(purge?.runAt).toBeGreaterThanOrEqual(before + PURGE_FIRST_DELAY_MS);
    } finally {
      await jobs.close();
    }
  });

  it('follows RETENTION_DAYS: a shorter period purges sooner', async () => {
    const short = await privacyWorld({ retentionDays: 30 });
    try {
      await putRound(short.app, finishedRound('r-month', T0));
      const deps = short.app.service.deps;
      expect(await purgeExpired(deps, T0 + 30 * DAY - 1)).toBe(0);
      expect(await purgeExpired(deps, T0 + 30 * DAY)).toBe(1);
      expect(await short.app.store.load('r-month')).toBeUndefined();
    } finally {
      await short.close();
    }
  });

  it('finds rounds saved before the retention column existed (migration)', async () => {
    const path = `${w.path}.old`;
    // A file as the previous release left it: the first three store migrations, one ended round.
    const db = openDatabase(path);
    migrate(db, STORE_MIGRATIONS.slice(0, 3));
    const old = finishedRound('r-old', T0);
    const running = roundFixture({ id: 'r-old-running', updatedAt: T0 });
    for (const state of [old, running]) {
      db.prepare(
        `INSERT INTO rounds (id, version, doc, platform, tenant, conversation_id, status, step,
         created_at, updated_at) VALUES (?, 2, ?, 'slack', 'T1', 'C1', ?, ?, ?, ?)`,
      ).run(state.id, JSON.stringify(state), state.status, state.step, T0, T0);
    }
    db.close();
    const store = await openSqliteStore({ path });
    try {
      expect(await store.expiredRounds(T0 + RETENTION, 10)).toEqual(['r-old']);
      expect(await store.expiredRounds(T0 + RETENTION - 1, 10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

const up = await redisReachable();

describeWithRedis('retention purge on Redis', up, () => {
  const prefix = `dialogrunde-test:${randomUUID()}:`;
  afterEach(async () => {
    await deleteKeys(REDIS_URL, prefix);
  });

  it('clears the jobs, channel memory and claims of a round whose keys expired by themselves', async () => {
    const clock = new ManualClock(Date.now());
    // Retention of 1 ms: the round's keys expire as soon as it is saved ended and done.
    const store = await openRedisStore({ url: REDIS_URL, prefix, retentionMs: 1 });
    const scheduler = new BullmqScheduler({
      url: REDIS_URL,
      prefix: `${prefix}{jobs}`,
      clock,
      timing: 'manual',
    });
    const deps: PrivacyDeps = {
      store,
      scheduler,
      clock,
      logger: silentLogger(),
      channelMemory: store.channelMemory,
    };
    try {
      await store.create(roundFixture({ id: 'r-ttl', updatedAt: clock.now() }));
      await store.create(roundFixture({ id: 'r-kept', updatedAt: clock.now() }));
      await leaveTraces(deps, 'r-ttl');
      await leaveTraces(deps, 'r-kept');
      await store.save(
        finishedRound('r-ttl', clock.now(), { conversation: roundFixture().conversation }),
        1,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await store.load('r-ttl')).toBeUndefined();
      expect(await tracesGone(deps, 'r-ttl')).toBe(false);

      clock.advance(1000);
      expect(await purgeExpired(deps, clock.now())).toBe(1);
      expect(await tracesGone(deps, 'r-ttl')).toBe(true);
      expect(await store.expiredRounds(clock.now(), 10)).toEqual([]);
      expect((await store.load('r-kept'))?.state.id).toBe('r-kept');
      expect(await tracesGone(deps, 'r-kept')).toBe(false);
    } finally {
      await scheduler.destroy();
      await store.close();
    }
  });
});
