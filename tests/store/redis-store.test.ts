import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.ts';
import { openRedisStore, type RedisRoundStore } from '../../src/store/redis-store.ts';
import { channelMemoryContract } from '../contracts/channel-memory.contract.ts';
import { installationStoreContract } from '../contracts/installation-store.contract.ts';
import { roundStoreContract } from '../contracts/round-store.contract.ts';
import { deleteKeys, describeWithRedis, REDIS_URL, redisReachable } from '../fixtures/redis.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';

/**
 * The same contract suites as SQLite, against a real Redis. Each store gets
 * its own key prefix; its keys are deleted afterwards. Without a reachable
 * Redis the suite fails on CI and is skipped (loudly) elsewhere.
 */
const RUN = `dialogrunde-test:${randomUUID()}`;
let counter = 0;

/** A fresh store on a fresh prefix, plus reopen (same prefix) and cleanup. */
async function harness() {
  counter += 1;
  const prefix = `${RUN}:${counter}:`;
  const opened: RedisRoundStore[] = [await openRedisStore({ url: REDIS_URL, prefix })];
  return {
    store: opened[0] as RedisRoundStore,
    prefix,
    reopen: async () => {
      for (const s of opened) await s.close();
      const next = await openRedisStore({ url: REDIS_URL, prefix });
      opened.push(next);
      return next;
    },
    cleanup: async () => {
      const last = opened[opened.length - 1] as RedisRoundStore;
      if (!last.client.isOpen) opened.push(await openRedisStore({ url: REDIS_URL, prefix }));
      await deleteKeys((opened[opened.length - 1] as RedisRoundStore).client, prefix);
      for (const s of opened) await s.close();
    },
  };
}

const up = await redisReachable();

describeWithRedis('Redis store', up, () => {
  // No clock: claims expire by Redis's own TTL (SET NX PX), tested below in real time.
  roundStoreContract(
    'redis',
    async () => {
      const h = await harness();
      return { store: h.store, reopen: h.reopen, cleanup: h.cleanup };
    },
    { durable: true, clock: false },
  );

  channelMemoryContract(
    'redis',
    async () => {
      const h = await harness();
      return {
        memory: h.store.channelMemory,
        reopen: async () => (await h.reopen()).channelMemory,
        cleanup: h.cleanup,
      };
    },
    { durable: true },
  );

  installationStoreContract(
    'redis',
    async () => {
      const h = await harness();
      return {
        installations: h.store.installations,
        reopen: async () => (await h.reopen()).installations,
        cleanup: h.cleanup,
      };
    },
    { durable: true },
  );

  describe('RedisRoundStore specifics', () => {
    let h: Awaited<ReturnType<typeof harness>>;
    beforeAll(async () => {
      h = await harness();
    });
    afterAll(async () => {
      await h.cleanup();
    });

    it('keeps every key of a round under one hash tag, and no ballot after sealing', async () => {
      const state = roundFixture({ id: 'r-tags' });
      await h.store.create(state);
      await h.store.castBallot(state.id, 'card:mentorordninger', 'key-a', 4, 1);
      await h.store.join(state.id, 'key-b', 1);
      const keys: string[] = [];
      for await (const batch of h.store.client.scanIterator({ MATCH: `${h.prefix}*{round:*` })) {
        keys.push(...batch.map(String));
      }
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const key of keys) expect(key.startsWith(`${h.prefix}{round:r-tags}:`)).toBe(true);
      await h.store.save({ ...state, cards: { ...state.cards, mentorordninger: 'closed' } }, 1);
      const ballots = await h.store.client.keys(`${h.prefix}{round:r-tags}:ballots:*`);
      expect(ballots).toEqual([]);
    });

    it('lets a claim expire by its Redis TTL; release then answers false', async () => {
      expect(await h.store.claim('short', 50)).toBe(true);
      expect(await h.store.claim('short', 50)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await h.store.release('short')).toBe(false);
      expect(await h.store.claim('short', 50)).toBe(true);
    });

    it('keeps a running round and an ended one with open follow-up; an ended, done round expires', async () => {
      const item = planItemFixture();
      const now = Date.now();
      const ttlOf = async (id: string) =>
        h.store.client.pTTL(`${h.prefix}{round:${id}}:doc`).then(Number);
      const running = roundFixture({ id: 'r-keep-running', updatedAt: now });
      await h.store.create(running);
      await h.store.save({ ...running, step: 'custom' }, 1);
      expect(await ttlOf(running.id)).toBe(-1);

      const followUp = roundFixture({ id: 'r-keep-plan', updatedAt: now });
      await h.store.create(followUp);
      const ended = { ...followUp, status: 'ended' as const, plan: [item] };
      await h.store.save(ended, 1);
      expect(await ttlOf(followUp.id)).toBe(-1);
      // The last item done: the retention period (400 days by default) starts.
      await h.store.save({ ...ended, plan: [{ ...item, status: 'done' as const }] }, 2);
      const ttl = await ttlOf(followUp.id);
      expect(ttl).toBeGreaterThan(399 * 86_400_000);
      expect(ttl).toBeLessThanOrEqual(400 * 86_400_000);
    });

    it('lets an expired round disappear from load and from the listings', async () => {
      const short = await openRedisStore({
        url: REDIS_URL,
        prefix: `${h.prefix}short:`,
        retentionMs: 1,
      });
      try {
        const state = roundFixture({ id: 'r-expire', updatedAt: Date.now() });
        await short.create(state);
        await short.castBallot(state.id, 'card:mentorordninger', 'key-a', 4, 1);
        await short.save({ ...state, status: 'ended' }, 1);
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(await short.load(state.id)).toBeUndefined();
        expect(await short.counts(state.id)).toEqual({ participants: 0, ballots: {}, tallies: {} });
        expect(await short.listByConversation(state.conversation, 10)).toEqual([]);
        const { platform, tenant } = state.conversation;
        expect(await short.listByTenant(platform, tenant, 10)).toEqual([]);
        const index = await short.client.keys(`${h.prefix}short:idx:*`);
        const listings = index.filter((key) => !key.endsWith(':idx:retention'));
        for (const key of listings) expect(await short.client.zCard(key)).toBe(0);
        // Still named for the purge, which clears what lives beside the round (jobs, memory).
        expect(await short.expiredRounds(Date.now(), 10)).toEqual([state.id]);
      } finally {
        await short.close();
      }
    });

    it('rejects a key prefix with braces (it would move keys to another slot)', async () => {
      await expect(openRedisStore({ url: REDIS_URL, prefix: 'x{y}:' })).rejects.toBeInstanceOf(
        StoreError,
      );
    });

    it('wraps Redis failures in StoreError with a cause', async () => {
      const other = await openRedisStore({ url: REDIS_URL, prefix: `${h.prefix}closed:` });
      await other.close();
      const error = await other.load('r-fixture').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBeInstanceOf(Error);
      expect(await other.ping()).toBe(false);
    });

    it('fails to open with a StoreError when Redis cannot be reached', async () => {
      const error = await openRedisStore({
        url: 'redis://127.0.0.1:1',
        connectTimeoutMs: 500,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBeDefined();
    });
  });
});
