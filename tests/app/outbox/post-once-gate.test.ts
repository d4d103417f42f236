import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/app/clock.ts';
import { gateKey } from '../../../src/app/outbox/edit-gate.ts';
import { ManualScheduler } from '../../../src/app/outbox/manual-scheduler.ts';
import { MemoryEditGate, MemoryGateBackend } from '../../../src/app/outbox/memory-edit-gate.ts';
import { systemTimers } from '../../../src/app/outbox/timers.ts';
import { createRedisEditGate } from '../../../src/store/redis-edit-gate.ts';
import { describeWithRedis, redisPrefix, redisReachable } from '../../fixtures/redis.ts';
import { waitFor } from '../../fixtures/wait.ts';
import { HttpError } from './http-error.ts';
import { fakePlatform, rev } from './instances.ts';

/** PostOnceThenEdit on two instances: a new message is posted once, whoever asks first. */

const LATENCY = 300;

function world(options: { fail?: Parameters<typeof fakePlatform>[0]['fail'] } = {}) {
  const sched = new ManualScheduler(0);
  const backend = new MemoryGateBackend();
  const platform = fakePlatform({ clock: sched, timers: sched, latencyMs: LATENCY, ...options });
  const gate = () => new MemoryEditGate(sched, backend);
  const a = platform.instance('a', gate());
  const b = platform.instance('b', gate());
  return { sched, platform, a, b, gate };
}

const summary = (calls: ReturnType<typeof fakePlatform>['calls']) =>
  calls.map((c) => [c.who, c.kind, c.at, c.revision.progress, c.ok]);

describe('post once across instances (in memory, virtual time)', () => {
  it('both post a new message at once: one posts, the other edits in its newer value', async () => {
    const { sched, platform, a, b } = world();
    await Promise.all([a.send('card', rev(1, 1)), b.send('card', rev(1, 2))]);
    await sched.runAll();
    // b waits for a's message id (saved after 300 ms), then for the lease a's post took.
    expect(summary(platform.calls)).toEqual([
      ['a', 'post', 0, 1, true],
      ['b', 'update', 2000, 2, true],
    ]);
    // From now on both know the message: edits only.
    await a.send('card', rev(1, 3));
    await sched.runAll();
    expect(platform.calls.map((c) => c.kind)).toEqual(['post', 'update', 'update']);
  });

  it('the loser keeps only its newest value while it waits', async () => {
    const { sched, platform, a, b } = world();
    await a.send('card', rev(1, 1));
    await b.send('card', rev(1, 4));
    await b.send('card', rev(1, 2)); // older: ignored
    await sched.runAll();
    expect(summary(platform.calls)).toEqual([
      ['a', 'post', 0, 1, true],
      ['b', 'update', 2000, 4, true],
    ]);
  });

  it('a winner that gives up releases its claim: the other instance posts', async () => {
    const { sched, platform, a, b } = world({
      fail: (call) => (call.who === 'a' ? new HttpError(400) : undefined),
    });
    await Promise.all([a.send('card', rev(1, 1)), b.send('card', rev(1, 2))]);
    await sched.runAll();
    expect(platform.ok().map((c) => [c.who, c.kind, c.revision.progress])).toEqual([
      ['b', 'post', 2],
    ]);
    expect(platform.calls.filter((c) => c.kind === 'post')).toHaveLength(2);
  });

  it('a winner that died: its claim expires, then the other instance posts', async () => {
    const { sched, platform, b, gate } = world();
    await gate().claimPost(gateKey('t', 'card'), 120_000); // and never posts
    await b.send('card', rev(1, 1));
    await sched.runAll();
    expect(summary(platform.calls)).toEqual([['b', 'post', 120_000, 1, true]]);
  });

  it('without a gate each instance posts (one instance only)', async () => {
    const sched = new ManualScheduler(0);
    const platform = fakePlatform({ clock: sched, timers: sched, latencyMs: LATENCY });
    const a = platform.instance('a', undefined);
    const b = platform.instance('b', undefined);
    await Promise.all([a.send('card', rev(1, 1)), b.send('card', rev(1, 2))]);
    await sched.runAll();
    expect(platform.calls.map((c) => c.kind)).toEqual(['post', 'post']);
  });
});

const up = await redisReachable();

describeWithRedis('post once across instances on Redis (real time)', up, () => {
  let r: Awaited<ReturnType<typeof redisPrefix>>;
  beforeEach(async () => {
    r = await redisPrefix();
  });
  afterEach(async () => {
    await r.cleanup();
  });

  it('two instances posting the same new messages at once: exactly one post each', async () => {
    const platform = fakePlatform({ clock: systemClock, timers: systemTimers, latencyMs: 30 });
    const a = platform.instance('a', createRedisEditGate(r.client, r.prefix), 100);
    const b = platform.instance('b', createRedisEditGate(r.client, r.prefix), 100);
    const keys = Array.from({ length: 10 }, (_, i) => `card-${i}`);
    await Promise.all(
      keys.flatMap((key) => [a.send(key, rev(1, 1), key), b.send(key, rev(1, 2), key)]),
    );
    const last = (key: string) => platform.ok().findLast((c) => c.key === key);
    await waitFor(() => keys.every((key) => last(key)?.revision.progress === 2));
    await Promise.all([a.messages.close(), b.messages.close()]);

    for (const key of keys) {
      const calls = platform.calls.filter((c) => c.key === key);
      expect(calls.filter((c) => c.kind === 'post')).toHaveLength(1);
      expect(calls.every((c) => c.ok)).toBe(true);
      expect(last(key)?.revision).toEqual(rev(1, 2));
    }
  });
});
