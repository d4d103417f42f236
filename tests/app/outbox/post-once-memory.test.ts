import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../../src/app/outbox/manual-scheduler.ts';
import { fakePlatform, rev } from './instances.ts';

/** PostOnceThenEdit keeps a bounded memory of what it posted (one instance, virtual time). */
describe('post once: bounded memory of posted messages', () => {
  it('never forgets a post still in flight, and edits a forgotten one found in the channel memory', async () => {
    const sched = new ManualScheduler(0);
    // Message ids reach the channel memory only when a post is answered (after 100 ms).
    const platform = fakePlatform({ clock: sched, timers: sched, latencyMs: 100 });
    const a = platform.instance('a', undefined, undefined, 2);
    // Five posts in flight at once: more than the 2 remembered.
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await a.send(key, rev(1, 1));
    // k1 has no id yet: had it been forgotten, this would post it a second time.
    await a.send('k1', rev(1, 2));
    await sched.runAll();
    // All answered; a sixth message pushes the oldest answered ones out.
    await a.send('k6', rev(1, 1));
    await sched.runAll();
    await a.send('k1', rev(1, 3));
    await sched.runAll();

    const kinds = (key: string) => platform.calls.filter((c) => c.key === key).map((c) => c.kind);
    expect(kinds('k1')).toEqual(['post', 'update', 'update']);
    expect(platform.calls.filter((c) => c.kind === 'post')).toHaveLength(6);
    expect(platform.calls.every((c) => c.ok)).toBe(true);
    const k1 = platform.calls.filter((c) => c.key === 'k1');
    expect(k1.at(-1)?.revision).toEqual(rev(1, 3));
  });
});
