import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../../../src/app/clock.ts';
import { systemTimers } from '../../../src/app/outbox/timers.ts';
import { compareRevisions } from '../../../src/app/revision.ts';
import { createRedisEditGate } from '../../../src/store/redis-edit-gate.ts';
import { describeWithRedis, redisPrefix, redisReachable } from '../../fixtures/redis.ts';
import { fakePlatform, onLease, type PlatformCall, rev } from './instances.ts';

/**
 * Two outboxes ("instances") editing one message through one Redis gate. Redis
 * expires leases by its own clock, so this runs in real time with a short
 * interval. Nothing is asserted about speed: the checks are on the order of
 * events (every edit made under a lease of its own instance) and on lease
 * grants, which Redis spaces by the interval.
 */

const INTERVAL = 250;

type Event =
  | { type: 'grant'; who: string; requested: number; granted: number }
  | { type: 'send'; who: string; call: PlatformCall };

const up = await redisReachable();

describeWithRedis('two outboxes sharing a Redis edit gate (real time)', up, () => {
  let r: Awaited<ReturnType<typeof redisPrefix>>;
  beforeEach(async () => {
    r = await redisPrefix();
  });
  afterEach(async () => {
    await r.cleanup();
  });

  it('one edit per interval across both, each under its own lease; newest last, never backwards', async () => {
    const log: Event[] = [];
    const platform = fakePlatform({
      clock: systemClock,
      timers: systemTimers,
      onCall: (call) => log.push({ type: 'send', who: call.who, call }),
    });
    const gate = (who: string) =>
      onLease(createRedisEditGate(r.client, r.prefix), (requested) =>
        log.push({ type: 'grant', who, requested, granted: performance.now() }),
      );
    const a = platform.instance('a', gate('a'), INTERVAL);
    const b = platform.instance('b', gate('b'), INTERVAL);

    for (let i = 1; i <= 16; i++) {
      (i % 2 === 1 ? a : b).update('card', rev(1, i));
      if (i % 4 === 0) (i % 2 === 1 ? b : a).update('card', rev(1, i - 2)); // late and stale
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await Promise.all([a.outbox.flush(), b.outbox.flush()]);
    await Promise.all([a.outbox.close(), b.outbox.close()]);

    const sent = platform.ok();
    expect(sent.length).toBeGreaterThan(0);
    for (let i = 1; i < sent.length; i++) {
      const [prev, next] = [sent[i - 1] as PlatformCall, sent[i] as PlatformCall];
      expect(compareRevisions(next.revision, prev.revision)).toBeGreaterThanOrEqual(0);
    }
    expect(sent[sent.length - 1]?.revision).toEqual(rev(1, 16));

    // Every edit follows a lease granted to its own instance, with no other edit in between.
    log.forEach((event, i) => {
      if (event.type !== 'send') return;
      const before = log.slice(0, i);
      const grant = before.findLastIndex((e) => e.type === 'grant');
      expect(grant).toBeGreaterThanOrEqual(0);
      expect(before[grant]?.who).toBe(event.who);
      expect(before.slice(grant).some((e) => e.type === 'send')).toBe(false);
    });
    // Redis grants a lease only after the previous one ran out (ms rounding aside).
    const grants = log.filter((e) => e.type === 'grant');
    for (let i = 1; i < grants.length; i++) {
      const [prev, next] = [grants[i - 1], grants[i]];
      if (prev?.type !== 'grant' || next?.type !== 'grant') continue;
      expect(next.granted - prev.requested).toBeGreaterThanOrEqual(INTERVAL - 2);
    }
  });
});
