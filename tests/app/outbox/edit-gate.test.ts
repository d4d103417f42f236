import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/app/clock.ts';
import { GATE_ENTRY_TTL_MS, namespacedGate } from '../../../src/app/outbox/edit-gate.ts';
import { MemoryEditGate, MemoryGateBackend } from '../../../src/app/outbox/memory-edit-gate.ts';
import type { StoreError } from '../../../src/store/errors.ts';
import { connectRedis } from '../../../src/store/redis-client.ts';
import { createRedisEditGate, openRedisEditGate } from '../../../src/store/redis-edit-gate.ts';
import { describeWithRedis, REDIS_URL, redisPrefix, redisReachable } from '../../fixtures/redis.ts';
import { editGateContract } from './edit-gate.contract.ts';

const rev = (version: number, progress: number) => ({ version, progress });

editGateContract('memory', async () => {
  const clock = new ManualClock();
  const backend = new MemoryGateBackend();
  return {
    a: new MemoryEditGate(clock, backend),
    b: new MemoryEditGate(clock, backend),
    elapse: async (ms) => clock.advance(ms),
    intervalMs: 2000,
    cleanup: async () => undefined,
  };
});

describe('MemoryEditGate', () => {
  it('forgets a message some minutes after its last use', async () => {
    const clock = new ManualClock();
    const backend = new MemoryGateBackend();
    const a = new MemoryEditGate(clock, backend);
    const b = new MemoryEditGate(clock, backend);
    await a.offer('m', rev(7, 0));
    clock.advance(GATE_ENTRY_TTL_MS);
    expect(await b.offer('m', rev(1, 0))).toBe(true);
    expect(backend.revisions.size).toBe(1);
  });

  it('a namespace keeps two channels sharing a gate apart', async () => {
    const gate = new MemoryEditGate(new ManualClock());
    const teams = namespacedGate(gate, 'teams');
    const slack = namespacedGate(gate, 'slack');
    expect(await teams.claimPost('m', 1000)).toBe(true);
    expect(await slack.claimPost('m', 1000)).toBe(true);
    expect(await teams.acquire('m', 1000)).toBe(0);
    expect(await slack.acquire('m', 1000)).toBe(0);
  });
});

const up = await redisReachable();

describeWithRedis('RedisEditGate', up, () => {
  // Redis expires keys by its own clock: `elapse` waits in real time, so the lease is short.
  editGateContract('redis', async () => {
    const r = await redisPrefix();
    return {
      a: createRedisEditGate(r.client, r.prefix),
      b: createRedisEditGate(r.client, r.prefix),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 5)),
      intervalMs: 80,
      cleanup: r.cleanup,
    };
  });

  let r: Awaited<ReturnType<typeof redisPrefix>>;
  beforeAll(async () => {
    r = await redisPrefix();
  });
  afterAll(async () => {
    await r.cleanup();
  });

  it('keeps its keys under the prefix, each with an expiry', async () => {
    const gate = createRedisEditGate(r.client, r.prefix);
    await gate.offer('m', rev(1, 1));
    await gate.acquire('m', 60_000);
    await gate.claimPost('m', 60_000);
    const keys = await r.keys();
    expect(keys.sort()).toEqual([
      `${r.prefix}gate:m:lease`,
      `${r.prefix}gate:m:post`,
      `${r.prefix}gate:m:rev`,
    ]);
    for (const key of keys) {
      const ttl = await r.client.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(GATE_ENTRY_TTL_MS);
    }
  });

  it('a gate on its own connection sees the shared one, and closes only its own', async () => {
    const own = await openRedisEditGate({ url: REDIS_URL, prefix: r.prefix });
    const shared = createRedisEditGate(r.client, r.prefix);
    expect(await own.claimPost('own', 60_000)).toBe(true);
    expect(await shared.claimPost('own', 60_000)).toBe(false);
    await shared.close();
    expect(r.client.isOpen).toBe(true);
    await own.close();
    await own.close();
  });

  it('fails open when Redis fails, and says so', async () => {
    const client = await connectRedis({ url: REDIS_URL });
    const errors: string[] = [];
    const gate = createRedisEditGate(client, r.prefix, {
      onError: (error: StoreError, operation) => errors.push(`${operation}: ${error.name}`),
    });
    client.destroy();
    expect(await gate.offer('m', rev(1, 1))).toBe(true);
    expect(await gate.isNewest('m', rev(1, 1))).toBe(true);
    expect(await gate.acquire('m', 1000)).toBe(0);
    expect(await gate.claimPost('m', 1000)).toBe(true);
    await gate.releasePost('m');
    expect(errors).toEqual([
      'offer: StoreError',
      'isNewest: StoreError',
      'acquire: StoreError',
      'claimPost: StoreError',
      'releasePost: StoreError',
    ]);
  });
});
