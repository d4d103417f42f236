import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../../src/app/outbox/manual-scheduler.ts';
import { MemoryEditGate, MemoryGateBackend } from '../../../src/app/outbox/memory-edit-gate.ts';
import { compareRevisions } from '../../../src/app/revision.ts';
import type { MessageRevision } from '../../../src/core/ports.ts';
import { HttpError } from './http-error.ts';
import { fakePlatform, type PlatformCall, rev } from './instances.ts';

/**
 * Two outboxes ("instances") editing one message through one in-memory gate,
 * on virtual time: the cross-instance rules, deterministically. The same on
 * a real Redis is in gated-outbox-redis.test.ts.
 */

const INTERVAL = 2000;

function world(options: { fail?: (call: PlatformCall) => Error | undefined } = {}) {
  const sched = new ManualScheduler(0);
  const backend = new MemoryGateBackend();
  const platform = fakePlatform({ clock: sched, timers: sched, ...options });
  const a = platform.instance('a', new MemoryEditGate(sched, backend));
  const b = platform.instance('b', new MemoryEditGate(sched, backend));
  return { sched, platform, a, b };
}

/** The rules: edits an interval apart, revisions never going back, the newest offered sent last. */
function expectFenced(sent: readonly PlatformCall[], newest: MessageRevision | undefined) {
  for (let i = 1; i < sent.length; i++) {
    const [prev, next] = [sent[i - 1] as PlatformCall, sent[i] as PlatformCall];
    expect(next.at - prev.at).toBeGreaterThanOrEqual(INTERVAL);
    expect(compareRevisions(next.revision, prev.revision)).toBeGreaterThanOrEqual(0);
  }
  const last = sent[sent.length - 1];
  if (newest) expect(last && compareRevisions(last.revision, newest)).toBe(0);
}

describe('two outboxes sharing an edit gate (virtual time)', () => {
  it('a burst from both: one edit per interval across them, newest last, never backwards', async () => {
    const { sched, platform, a, b } = world();
    for (let i = 1; i <= 30; i++) {
      (i % 2 === 1 ? a : b).update('card', rev(1, i));
      // Now and then an older rendering arrives late (a slow request).
      if (i % 5 === 0) (i % 2 === 1 ? b : a).update('card', rev(1, i - 3));
      await sched.advance(150);
    }
    await sched.runAll();
    const sent = platform.ok();
    expectFenced(sent, rev(1, 30));
    expect(sent.length).toBeLessThanOrEqual(Math.ceil((30 * 150) / INTERVAL) + 1);
    expect(sent.map((c) => c.kind)).not.toContain('post');
  });

  it('a value held for its interval is dropped when another instance offered a newer one', async () => {
    const { sched, platform, a, b } = world();
    a.update('card', rev(1, 1));
    await sched.advance(100);
    a.update('card', rev(1, 2)); // waits for a's interval
    b.update('card', rev(1, 3)); // newer: waits for the lease a took at 0
    b.update('card', rev(1, 0)); // stale at once: never queued
    await sched.runAll();
    expect(platform.calls.map((c) => [c.who, c.at, c.revision.progress])).toEqual([
      ['a', 0, 1],
      ['b', INTERVAL, 3],
    ]);
    expect(a.outbox.stats()).toMatchObject({ sent: 1, coalesced: 1 });
    expect(b.outbox.stats()).toMatchObject({ sent: 1, coalesced: 1 });
  });

  it('holds for any interleaving of offers (property)', async () => {
    const op = fc.record({
      who: fc.constantFrom('a' as const, 'b' as const),
      afterMs: fc.integer({ min: 0, max: 3000 }),
      version: fc.integer({ min: 1, max: 3 }),
      progress: fc.integer({ min: 0, max: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const w = world();
        let newest: MessageRevision | undefined;
        for (const o of ops) {
          const revision = rev(o.version, o.progress);
          if (!newest || compareRevisions(revision, newest) > 0) newest = revision;
          w[o.who].update('card', revision);
          await w.sched.advance(o.afterMs);
        }
        await w.sched.runAll();
        expectFenced(w.platform.ok(), newest);
      }),
      { numRuns: 60 },
    );
  });

  it('a retry waits for a fresh lease, and Retry-After still holds', async () => {
    let failures = [new HttpError(502), new HttpError(429, 5000)];
    const { sched, platform, a } = world({ fail: () => failures.shift() });
    a.update('card', rev(1, 1));
    await sched.runAll();
    // 502: the backoff says 250 ms, the lease (taken at 0) says 2000; 429: 5000 ms later.
    expect(platform.calls.map((c) => [c.at, c.attempt, c.ok])).toEqual([
      [0, 1, false],
      [INTERVAL, 2, false],
      [INTERVAL + 5000, 3, true],
    ]);
    failures = [];
  });

  it('values without a revision are spaced by the lease but never dropped', async () => {
    const { sched, platform, a, b } = world();
    a.outbox.update('t', 'card', { who: 'a', revision: rev(0, 0) });
    b.outbox.update('t', 'card', { who: 'b', revision: rev(0, 0) });
    await sched.runAll();
    expect(platform.calls.map((c) => [c.who, c.at])).toEqual([
      ['a', 0],
      ['b', INTERVAL],
    ]);
  });

  it('flush waits for offers still in flight', async () => {
    const { platform, a } = world();
    a.update('card', rev(1, 1));
    await a.outbox.flush();
    expect(platform.ok()).toHaveLength(1);
  });
});
