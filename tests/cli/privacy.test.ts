/**
 * `dialogrunde round export|delete ID` and `dialogrunde user forget PLATFORM
 * USER` against the stores the bot uses: a temporary SQLite file, and a real
 * Redis under a unique prefix. The data is put there with the stores
 * themselves; the commands find it through the same environment as the bot.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { VoterKeys } from '../../src/app/identity.ts';
import { main } from '../../src/cli/main.ts';
import { ROUND_USAGE, USER_USAGE } from '../../src/cli/usage.ts';
import type { RoundState } from '../../src/core/model.ts';
import type { RoundStore } from '../../src/core/ports.ts';
import { BullmqScheduler } from '../../src/scheduler/bullmq-scheduler.ts';
import { openRedisStore } from '../../src/store/redis-store.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { deleteKeys, describeWithRedis, REDIS_URL, redisReachable } from '../fixtures/redis.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'cli-privacy-test-secret-0123456789-abcdefgh';
const SLACK = { platform: 'slack' as const, tenant: 'T1', conversationId: 'C1' };

/** A Slack round whose follow-up item is owned by Slack user U-OWNER (with their round key). */
function ownedRound(id: string): RoundState {
  const key = new VoterKeys(SECRET).of(id, { platform: 'slack', tenant: 'T1', userId: 'U-OWNER' });
  const owner = {
    name: 'Olga Owner',
    user: { platform: 'slack' as const, userId: 'U-OWNER' },
    key,
  };
  return roundFixture({ id, conversation: SLACK, plan: [planItemFixture({ owner })] });
}

/** Runs the command line in-process; `answers` are what the person types at each question. */
async function run(env: NodeJS.ProcessEnv, argv: string[], answers?: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const ask = async (question: string) => {
    questions.push(question);
    return answers?.shift();
  };
  const code = await main(
    argv,
    (t) => out.push(t),
    (t) => err.push(t),
    { env, ask },
  );
  return { code, out: out.join('\n'), err: err.join('\n'), questions };
}

/** The behaviour on any store: `seed` opens it the way the bot does, `env` points the CLI at it. */
function privacyCommands(
  name: string,
  setup: () => Promise<{
    env: NodeJS.ProcessEnv;
    open: () => Promise<RoundStore>;
    cleanup: () => Promise<void>;
  }>,
) {
  describe(`privacy commands on ${name}`, () => {
    let h: Awaited<ReturnType<typeof setup>>;
    beforeEach(async () => {
      h = await setup();
      const store = await h.open();
      await store.create(ownedRound('r-one'));
      await store.create(ownedRound('r-two'));
      await store.castBallot('r-one', 'card:mentorordninger', 'voter-secret-key', 4, 1);
      await store.close();
    });
    afterEach(async () => {
      await h.cleanup();
    });
    const load = async (id: string) => {
      const store = await h.open();
      try {
        return await store.load(id);
      } finally {
        await store.close();
      }
    };

    it('round export prints everything stored about the round as JSON, no voter key', async () => {
      const r = await run(h.env, ['round', 'export', 'r-one']);
      expect(r).toMatchObject({ code: 0, err: '' });
      const data = JSON.parse(r.out);
      expect(data).toMatchObject({
        format: 'dialogrunde.round-export',
        round: ownedRound('r-one'),
        participants: 1,
        openBoxes: { 'card:mentorordninger': { ballots: 1 } },
        pendingJobs: [],
      });
      expect(r.out).not.toContain('voter-secret-key');
    });

    it('round export and delete of an unknown id exit 2 and change nothing', async () => {
      for (const argv of [
        ['round', 'export', 'r-nope'],
        ['round', 'delete', 'r-nope', '--yes'],
      ]) {
        const r = await run(h.env, argv);
        expect(r.code).toBe(2);
        expect(r.out).toBe('');
        expect(r.err).toBe('dialogrunde: there is no round with id "r-nope" (nothing was changed)');
      }
      expect((await load('r-one'))?.state.id).toBe('r-one');
    });

    it('round delete asks first on a terminal; only "yes" deletes', async () => {
      const no = await run(h.env, ['round', 'delete', 'r-one'], ['no']);
      expect(no).toMatchObject({ code: 2, err: 'Not deleted.' });
      expect(no.questions[0]).toContain('Delete round r-one (slack, step rating, active)');
      expect((await load('r-one'))?.state.id).toBe('r-one');

      const yes = await run(h.env, ['round', 'delete', 'r-one'], ['yes']);
      expect(yes.code).toBe(0);
      expect(yes.out).toContain('Deleted round r-one');
      expect(await load('r-one')).toBeUndefined();
      expect((await load('r-two'))?.state.id).toBe('r-two');
    });

    it('round delete without a terminal needs --yes', async () => {
      const refused = await run(h.env, ['round', 'delete', 'r-two']);
      expect(refused).toMatchObject({ code: 2 });
      expect(refused.err).toContain('confirm with --yes');
      expect((await load('r-two'))?.state.id).toBe('r-two');
      const done = await run(h.env, ['round', 'delete', '-y', 'r-two']);
      expect(done).toMatchObject({ code: 0, questions: [] });
      expect(await load('r-two')).toBeUndefined();
    });

    it('user forget removes the person as owner in every round of the platform', async () => {
      const r = await run(h.env, ['user', 'forget', 'slack', 'U-OWNER']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Forgot slack user U-OWNER (looked through 2 round(s) of slack)');
      expect(r.out).toContain('now owned by "(slettet bruger)" / "(deleted user)": 2');
      for (const id of ['r-one', 'r-two']) {
        expect((await load(id))?.state.plan[0]?.owner).toEqual({ name: '(slettet bruger)' });
      }
      const unknownPlatform = await run(h.env, ['user', 'forget', 'myspace', 'U-OWNER']);
      expect(unknownPlatform.code).toBe(2);
      expect(unknownPlatform.err).toContain('PLATFORM must be one of web, teams, slack, cli');
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

privacyCommands('a SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-cli-privacy-'));
  dirs.push(dir);
  const path = join(dir, 'data', 'dialogrunde.db');
  return {
    env: { STORE: 'sqlite', SQLITE_PATH: path, DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET },
    open: () => openSqliteStore({ path }),
    cleanup: async () => undefined,
  };
});

const up = await redisReachable();

describeWithRedis('privacy commands against Redis', up, () => {
  privacyCommands('Redis', async () => {
    const prefix = `dialogrunde-test:${randomUUID()}:`;
    return {
      env: { STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix, DIALOGRUNDE_SECRET: SECRET },
      open: () => openRedisStore({ url: REDIS_URL, prefix }),
      cleanup: async () => {
        await deleteKeys(REDIS_URL, prefix);
      },
    };
  });

  it('round export lists the pending reminders of the BullMQ queue, and delete removes them', async () => {
    const prefix = `dialogrunde-test:${randomUUID()}:`;
    const env = { STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix, DIALOGRUNDE_SECRET: SECRET };
    const store = await openRedisStore({ url: REDIS_URL, prefix });
    // The queue the bot's createSharedApp opens for this prefix.
    const jobs = new BullmqScheduler({
      url: REDIS_URL,
      prefix: `${prefix}{jobs}`,
      clock: systemClock,
    });
    try {
      await store.create(ownedRound('r-jobs'));
      const reminder = {
        id: 'r-jobs:reminder:p1',
        roundId: 'r-jobs',
        runAt: Date.now() + 86_400_000,
        type: 'reminder' as const,
        itemId: 'p1',
        due: '2027-01-10',
        daysBefore: 0,
      };
      await jobs.schedule(reminder);
      const exported = await run(env, ['round', 'export', 'r-jobs']);
      expect(JSON.parse(exported.out).pendingJobs).toEqual([reminder]);
      expect((await run(env, ['round', 'delete', 'r-jobs', '--yes'])).code).toBe(0);
      expect(await jobs.pending('r-jobs')).toEqual([]);
      expect(await store.load('r-jobs')).toBeUndefined();
    } finally {
      await jobs.close();
      await store.close();
      await deleteKeys(REDIS_URL, prefix);
    }
  });
});

describe('privacy commands: usage and the real binary', () => {
  it('round and user print their help', async () => {
    expect(await run({}, ['round'])).toMatchObject({ code: 0, out: ROUND_USAGE });
    expect(await run({}, ['user', '--help'])).toMatchObject({ code: 0, out: USER_USAGE });
    const bad = await run({}, ['round', 'purge', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown round command "purge"');
  });

  it('bin/dialogrunde.js refuses to delete without --yes when stdin is no terminal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-cli-bin-'));
    dirs.push(dir);
    const path = join(dir, 'x.db');
    const store = await openSqliteStore({ path });
    await store.create(ownedRound('r-bin'));
    await store.close();
    const env = { ...process.env, SQLITE_PATH: path, DATA_DIR: dir, STORE: 'sqlite' };
    const bin = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/dialogrunde.js', 'round', 'delete', 'r-bin', ...args], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        input: '',
      });
    const refused = bin();
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('not deleted: confirm with --yes when not on a terminal');
    const deleted = bin('--yes');
    expect(deleted.status).toBe(0);
    expect(deleted.stdout).toContain('Deleted round r-bin');
    const after = await openSqliteStore({ path });
    expect(await after.load('r-bin')).toBeUndefined();
    await after.close();
  });
});
