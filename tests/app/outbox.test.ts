import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createChannelOutbox,
  type OutboxChannel,
  TEAMS_RETRYABLE_STATUSES,
} from '../../src/app/outbox/channel.ts';
import { Coalescer } from '../../src/app/outbox/coalescer.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import {
  createOutbox,
  OutboxClosedError,
  type SendFailure,
  type SendKind,
  type SharedLimits,
} from '../../src/app/outbox/outbox.ts';
import {
  backoffMs,
  parseRetryAfter,
  retryOnStatus,
  withRetry,
} from '../../src/app/outbox/retry.ts';
import {
  type RateWindow,
  SLACK_CHANNEL_LIMITS,
  TEAMS_THREAD_LIMITS,
  ThreadLimiter,
  ThreadQueues,
} from '../../src/app/outbox/thread-limiter.ts';
import { sleep } from '../../src/app/outbox/timers.ts';
import { HttpError, teamsRetryable } from './outbox/http-error.ts';

// Everything runs on a ManualScheduler (virtual Clock + Timers): no real sleeps.

interface Call {
  /** Virtual epoch ms at which the attempt started. */
  at: number;
  /** Virtual epoch ms at which it was answered (before any error is thrown). */
  end?: number;
  thread: string;
  key: string;
  value: number;
  kind: SendKind;
  attempt: number;
  ok: boolean;
  status?: number;
}

interface HarnessOptions {
  limits?: readonly RateWindow[];
  shared?: SharedLimits;
  intervalMs?: number;
  /** An error to throw for this attempt, or undefined to succeed. */
  fail?: (call: Call) => Error | undefined;
  /** Virtual time each platform call takes, in ms (or per call). */
  latencyMs?: number | ((call: Call) => number);
  random?: () => number;
  maxAttempts?: number;
  baseMs?: number;
  maxMs?: number;
}

function harness(options: HarnessOptions = {}) {
  const sched = new ManualScheduler(0);
  const calls: Call[] = [];
  const errors: { error: unknown; failure: SendFailure }[] = [];
  const outbox = createOutbox<number>({
    async send(thread, key, value, info) {
      const call: Call = { at: sched.now(), thread, key, value, ...info, ok: true };
      calls.push(call);
      const latency =
        typeof options.latencyMs === 'function' ? options.latencyMs(call) : options.latencyMs;
      if (latency) await sleep(sched, latency);
      call.end = sched.now();
      const error = options.fail?.(call);
      if (error) {
        call.ok = false;
        if (error instanceof HttpError) call.status = error.status;
        throw error;
      }
    },
    limits: options.limits ?? TEAMS_THREAD_LIMITS,
    ...(options.shared && { shared: options.shared }),
    ...(options.intervalMs !== undefined && { intervalMs: options.intervalMs }),
    clock: sched,
    timers: sched,
    retry: {
      isRetryable: teamsRetryable,
      random: options.random ?? (() => 0.5),
      maxAttempts: options.maxAttempts ?? 5,
      baseMs: options.baseMs ?? 500,
      maxMs: options.maxMs ?? 30_000,
    },
    onError: (error, failure) => errors.push({ error, failure }),
  });
  const sent = () => calls.filter((c) => c.ok);
  const of = (thread: string, key?: string) =>
    calls.filter((c) => c.thread === thread && (key === undefined || c.key === key));
  return { sched, outbox, calls, sent, of, errors };
}

/** Window violations: some `limit + 1` stamps within `perMs`. */
function windowViolations(stamps: readonly number[], windows: readonly RateWindow[]): string[] {
  const sorted = [...stamps].sort((a, b) => a - b);
  const bad: string[] = [];
  for (const w of windows) {
    for (let i = 0; i + w.limit < sorted.length; i++) {
      const first = sorted[i] as number;
      const last = sorted[i + w.limit] as number;
      if (last - first < w.perMs)
        bad.push(`${w.limit + 1} sends in ${last - first} ms (${w.limit}/${w.perMs} ms)`);
    }
  }
  return bad;
}

/** The most sends of one message in any `spanMs` window. */
function maxInAnyWindow(stamps: readonly number[], spanMs: number): number {
  let best = 0;
  for (let i = 0; i < stamps.length; i++) {
    const start = stamps[i] as number;
    best = Math.max(best, stamps.filter((t) => t >= start && t < start + spanMs).length);
  }
  return best;
}

describe('Coalescer', () => {
  it('delivers the first offer at once, then the latest value once per interval', async () => {
    const sched = new ManualScheduler(0);
    const delivered: { at: number; key: string; value: number }[] = [];
    const coalescer: Coalescer<number> = new Coalescer<number>({
      clock: sched,
      timers: sched,
      onReady: (key) => {
        const taken = coalescer.take(key);
        if (taken) delivered.push({ at: sched.now(), key, value: taken.value });
        coalescer.settle(key);
      },
    });
    coalescer.offer('a', 1);
    await sched.advance(100);
    coalescer.offer('a', 2);
    await sched.advance(400);
    coalescer.offer('a', 3);
    coalescer.offer('b', 10);
    await sched.advanceTo(2500);
    coalescer.offer('a', 4);
    await sched.advanceTo(7000);
    expect(coalescer.size).toBe(0); // idle keys are forgotten after their interval
    coalescer.offer('a', 5);
    await sched.runAll();
    expect(delivered).toEqual([
      { at: 0, key: 'a', value: 1 },
      { at: 500, key: 'b', value: 10 },
      { at: 2000, key: 'a', value: 3 },
      { at: 4000, key: 'a', value: 4 },
      { at: 7000, key: 'a', value: 5 },
    ]);
    expect(coalescer.coalesced).toBe(1);
    expect(coalescer.pending).toBe(0);
    coalescer.close();
    expect(coalescer.offer('a', 6)).toBe(false);
  });
});

describe('withRetry', () => {
  it('waits full-jitter exponential backoff, capped at maxMs', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const result = await withRetry(
      async (attempt) => {
        attempts = attempt;
        if (attempt < 5) throw new HttpError(502);
        return 'done';
      },
      {
        isRetryable: teamsRetryable,
        maxAttempts: 5,
        baseMs: 100,
        maxMs: 500,
        random: () => 0.5,
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
    );
    expect(result).toBe('done');
    expect(attempts).toBe(5);
    expect(delays).toEqual([50, 100, 200, 250]);
    expect(backoffMs(1, { baseMs: 100, random: () => 0 })).toBe(0);
  });

  it('waits at least Retry-After, rethrows non-retryable and exhausted failures', async () => {
    const delays: number[] = [];
    const sleepRecord = async (ms: number) => {
      delays.push(ms);
    };
    let n = 0;
    await withRetry(
      async () => {
        if (n++ === 0) throw new HttpError(429, 3000);
      },
      { isRetryable: teamsRetryable, random: () => 0.99, sleep: sleepRecord },
    );
    expect(delays).toEqual([3000]);

    const forbidden = new HttpError(403);
    await expect(
      withRetry(
        async () => {
          throw forbidden;
        },
        { isRetryable: teamsRetryable, sleep: sleepRecord },
      ),
    ).rejects.toBe(forbidden);

    let tries = 0;
    await expect(
      withRetry(
        async () => {
          tries++;
          throw new HttpError(504);
        },
        { isRetryable: teamsRetryable, maxAttempts: 3, sleep: sleepRecord },
      ),
    ).rejects.toMatchObject({ status: 504 });
    expect(tries).toBe(3);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const clock = { now: () => Date.UTC(2026, 0, 1, 12, 0, 0) };
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter(2)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:07 GMT', clock)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', clock)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();

    const classify = retryOnStatus(TEAMS_RETRYABLE_STATUSES, (e) =>
      e instanceof HttpError ? { status: e.status, retryAfter: '4' } : undefined,
    );
    expect(classify(new HttpError(429))).toEqual({ retry: true, afterMs: 4000 });
    expect(classify(new HttpError(400))).toEqual({ retry: false });
    expect(classify(new Error('network'))).toEqual({ retry: false });
  });
});

describe('ThreadLimiter', () => {
  it('tells when the next send may start under every window and a pause', () => {
    const sched = new ManualScheduler(0);
    const limiter = new ThreadLimiter({
      windows: [
        { limit: 2, perMs: 1000 },
        { limit: 3, perMs: 10_000 },
      ],
      clock: sched,
      timers: sched,
    });
    expect(limiter.nextAt('t')).toBe(0);
    limiter.record('t', 0);
    limiter.record('t', 0);
    expect(limiter.nextAt('t')).toBe(1000);
    expect(limiter.nextAt('other')).toBe(0);
    limiter.record('t', 1000);
    expect(limiter.nextAt('t')).toBe(10_000);
    limiter.pause('t', 12_000);
    expect(limiter.nextAt('t')).toBe(12_000);
    limiter.pause('t', 11_000); // never shortens a pause
    expect(limiter.pausedUntil('t')).toBe(12_000);
    expect(
      () => new ThreadLimiter({ windows: [{ limit: 0, perMs: 1 }], clock: sched, timers: sched }),
    ).toThrow(RangeError);
  });

  it('counts a settled send from when it was answered, keeping the stamps in order', () => {
    const sched = new ManualScheduler(0);
    const limiter = new ThreadLimiter({
      windows: [{ limit: 2, perMs: 1000 }],
      clock: sched,
      timers: sched,
    });
    limiter.record('t', 0);
    limiter.record('t', 0);
    limiter.settle('t', 0, 300);
    expect(limiter.nextAt('t')).toBe(1000); // the other start at 0 still holds the window
    limiter.settle('t', 0, 200);
    expect(limiter.nextAt('t')).toBe(1200); // both answered: 200 and 300
    limiter.settle('t', 999, 5000); // no such start: nothing changes
    limiter.settle('unknown', 0, 5000);
    expect(limiter.nextAt('t')).toBe(1200);
  });

  it('runs the tasks of a thread one at a time in FIFO order', async () => {
    const sched = new ManualScheduler(0);
    const queues = new ThreadQueues();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}@${sched.now()}`);
      await sleep(sched, ms);
      log.push(`end ${name}@${sched.now()}`);
    };
    queues.push('a', task('a1', 300));
    queues.push('a', task('a2', 100));
    queues.push('b', task('b1', 50));
    expect(queues.size).toBe(3);
    const idle = queues.idle();
    await sched.runAll();
    await idle;
    expect(log).toEqual([
      'start a1@0',
      'start b1@0',
      'end b1@50',
      'end a1@300',
      'start a2@300',
      'end a2@400',
    ]);
    expect(queues.size).toBe(0);
  });
});

describe('outbox', () => {
  it('sends the first edit at once and the latest value wins', async () => {
    const h = harness();
    h.outbox.update('t', 'card', 1);
    await h.sched.advance(0);
    h.outbox.update('t', 'card', 2);
    h.outbox.update('t', 'card', 3);
    await h.sched.advance(1000);
    h.outbox.update('t', 'card', 4);
    await h.sched.runAll();
    expect(h.sent().map((c) => [c.at, c.value])).toEqual([
      [0, 1],
      [2000, 4],
    ]);
    expect(h.outbox.stats()).toMatchObject({ sent: 2, coalesced: 2, retried: 0, failed: 0 });
  });

  it('a burst of 40 updates in one second gives first + last, at most 2 per 2-s window', async () => {
    const h = harness();
    for (let i = 1; i <= 40; i++) {
      h.outbox.update('meeting', 'card-7', i);
      await h.sched.advance(25);
    }
    await h.sched.runAll();
    const sends = h.of('meeting', 'card-7');
    expect(sends.map((c) => [c.at, c.value])).toEqual([
      [0, 1],
      [2000, 40],
    ]);
    expect(
      maxInAnyWindow(
        sends.map((c) => c.at),
        2000,
      ),
    ).toBeLessThanOrEqual(2);
    expect(h.outbox.stats()).toMatchObject({ sent: 2, coalesced: 38, failed: 0 });
  });

  it('a steady stream of updates is sent every 2 s, never faster', async () => {
    const h = harness();
    for (let t = 0; t < 20_000; t += 100) {
      h.outbox.update('meeting', 'card', t);
      await h.sched.advance(100);
    }
    await h.sched.runAll();
    const at = h.sent().map((c) => c.at);
    expect(at).toEqual([0, 2000, 4000, 6000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000]);
    expect(h.sent().at(-1)?.value).toBe(19_900);
  });

  it('counts the edit interval from the answer, so edits arrive at least 2 s apart', async () => {
    // Alternating slow and fast answers: spaced by starts alone, a slow edit
    // and the fast one after it would reach the platform 2,000 − 300 ms apart.
    const h = harness({ latencyMs: (call) => (call.value % 2 === 0 ? 300 : 5) });
    for (let t = 0; t < 20_000; t += 100) {
      h.outbox.update('meeting', 'card', t / 100);
      await h.sched.advance(100);
    }
    await h.sched.runAll();
    const sent = h.sent();
    expect(sent.length).toBeGreaterThan(7);
    for (let i = 1; i < sent.length; i++) {
      const previous = sent[i - 1] as Call;
      expect((sent[i] as Call).at - (previous.end ?? previous.at)).toBeGreaterThanOrEqual(2000);
    }
    expect(sent.at(-1)?.value).toBe(199);
  });

  it('keeps FIFO order across keys on one thread; a due key is not held up by a cooling one', async () => {
    const h = harness({ limits: SLACK_CHANNEL_LIMITS });
    const posted = [
      h.outbox.post('c1', 'a', 1),
      h.outbox.post('c1', 'b', 2),
      h.outbox.post('c1', 'c', 3),
    ];
    void h.outbox.post('c2', 'x', 100); // another channel is not held up
    await h.sched.advanceTo(5000);
    h.outbox.update('c1', 'a', 4);
    h.outbox.update('c1', 'b', 5);
    h.outbox.update('c1', 'c', 6);
    await h.sched.advanceTo(7100);
    h.outbox.update('c1', 'c', 7); // c was sent at 7000: waits until 9000
    await h.sched.advanceTo(7200);
    h.outbox.update('c1', 'a', 8); // a was sent at 5000: due now
    await h.sched.runAll();
    expect(await Promise.all(posted)).toEqual([true, true, true]);
    expect(h.of('c1').map((c) => `${c.kind} ${c.key}=${c.value}@${c.at}`)).toEqual([
      'post a=1@0',
      'post b=2@1000',
      'post c=3@2000',
      'update a=4@5000',
      'update b=5@6000',
      'update c=6@7000',
      'update a=8@8000',
      'update c=7@9000',
    ]);
    expect(h.of('c2').map((c) => c.at)).toEqual([0]);
  });

  it('an edit offered before its post went out rides along with the post', async () => {
    const h = harness({ limits: SLACK_CHANNEL_LIMITS });
    void h.outbox.post('c', 'first', 1);
    const second = h.outbox.post('c', 'card', 2);
    h.outbox.update('c', 'card', 3); // the post has not started (limit 1/s)
    h.outbox.update('c', 'card', 4);
    await h.sched.runAll();
    expect(await second).toBe(true);
    expect(h.calls.map((c) => `${c.kind} ${c.key}=${c.value}@${c.at}`)).toEqual([
      'post first=1@0',
      'post card=4@1000',
    ]);
    expect(h.outbox.stats()).toMatchObject({ sent: 2, coalesced: 2 });
  });

  it('a post supersedes a waiting edit of the same key; edits after it wait the interval', async () => {
    const h = harness();
    h.outbox.update('t', 'k', 1);
    await h.sched.advance(100);
    h.outbox.update('t', 'k', 2); // waits until 2000
    await h.sched.advance(100);
    void h.outbox.post('t', 'k', 3); // re-posts the message at 200
    await h.sched.advance(100);
    h.outbox.update('t', 'k', 4); // 2 s after the post
    await h.sched.runAll();
    expect(h.calls.map((c) => `${c.kind} ${c.value}@${c.at}`)).toEqual([
      'update 1@0',
      'post 3@200',
      'update 4@2200',
    ]);
  });

  it('never exceeds the Teams thread limits over a long burst', async () => {
    const h = harness();
    const posts: Promise<boolean>[] = [];
    for (let i = 0; i < 1900; i++) posts.push(h.outbox.post('busy', `p${i}`, i));
    // A second thread gets posts and a storm of edits on 10 cards for a minute.
    for (let t = 0; t < 60_000; t += 50) {
      if (t % 1000 === 0) posts.push(h.outbox.post('mixed', `m${t}`, t));
      h.outbox.update('mixed', `card${(t / 50) % 10}`, t);
      await h.sched.advance(50);
    }
    await h.sched.runAll();
    expect((await Promise.all(posts)).every(Boolean)).toBe(true);

    const busy = h.of('busy').map((c) => c.at);
    expect(busy).toHaveLength(1900);
    expect(windowViolations(busy, TEAMS_THREAD_LIMITS)).toEqual([]);
    // As fast as allowed: 7 per second and 8 per 2 s (so 8 every 2 s: 56 by 13 s,
    // the 57th–60th at 14 s), 60 per 30 s, 1800 per hour.
    expect(busy.slice(0, 8)).toEqual([0, 0, 0, 0, 0, 0, 0, 1000]);
    expect(busy[59]).toBe(14_000);
    expect(busy[60]).toBe(30_000);
    expect(busy[1800]).toBe(3_600_000);
    expect(h.of('busy').map((c) => c.value)).toEqual(Array.from({ length: 1900 }, (_, i) => i));

    const mixed = h.of('mixed');
    expect(
      windowViolations(
        mixed.map((c) => c.at),
        TEAMS_THREAD_LIMITS,
      ),
    ).toEqual([]);
    expect(mixed.filter((c) => c.kind === 'post')).toHaveLength(60);
    for (let k = 0; k < 10; k++) {
      const card = mixed.filter((c) => c.key === `card${k}`);
      expect(card.at(-1)?.value).toBe(60_000 - 50 * (10 - k));
      for (let i = 1; i < card.length; i++) {
        expect((card[i] as Call).at - (card[i - 1] as Call).at).toBeGreaterThanOrEqual(2000);
      }
    }
    expect(h.errors).toEqual([]);
  });

  it('keeps arrivals inside the Teams limits when calls take different times', async () => {
    // The platform counts a request when it arrives, anywhere between the
    // start and the answer: spaced by starts only, a slow send followed by a
    // fast one arrives closer together than they started. Latencies 0–500 ms.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const latency = new Map<number, number>();
    const h = harness({
      // One latency per post, kept for its retries.
      latencyMs: (call) => {
        const known = latency.get(call.value) ?? random() * 500;
        latency.set(call.value, known);
        return known;
      },
    });
    const posts: Promise<boolean>[] = [];
    for (let i = 0; i < 300; i++) posts.push(h.outbox.post('t', `p${i}`, i));
    await h.sched.runAll();
    expect((await Promise.all(posts)).every(Boolean)).toBe(true);
    const calls = h.of('t');
    expect(calls).toHaveLength(300);
    expect(
      windowViolations(
        calls.map((c) => c.at),
        TEAMS_THREAD_LIMITS,
      ),
    ).toEqual([]);
    expect(
      windowViolations(
        calls.map((c) => c.end ?? c.at),
        TEAMS_THREAD_LIMITS,
      ),
    ).toEqual([]);
    // Still close to the limit's pace: spaced by starts alone, the 300th post
    // could start at 134 s (60 per 30 s, then 8 per 2 s); answers take 250 ms
    // on average, which is what the spacing may add.
    expect(calls.at(-1)?.at).toBeLessThan(150_000);
  });

  it('a 429 with Retry-After 3 s pauses the whole thread, then the send is retried and succeeds', async () => {
    const h = harness({
      random: () => 0, // backoff 0: only Retry-After holds the retry back
      fail: (c) => (c.key === 'p1' && c.attempt === 1 ? new HttpError(429, 3000) : undefined),
    });
    const p1 = h.outbox.post('a', 'p1', 1);
    const p2 = h.outbox.post('a', 'p2', 2);
    const q1 = h.outbox.post('b', 'q1', 3);
    await h.sched.advance(500);
    h.outbox.update('a', 'e', 4);
    await h.sched.runAll();
    expect(await Promise.all([p1, p2, q1])).toEqual([true, true, true]);
    expect(h.of('a').map((c) => `${c.key}#${c.attempt}@${c.at}:${c.ok ? 'ok' : c.status}`)).toEqual(
      ['p1#1@0:429', 'p1#2@3000:ok', 'p2#1@3000:ok', 'e#1@3000:ok'],
    );
    expect(h.of('b').map((c) => c.at)).toEqual([0]);
    expect(h.outbox.stats()).toMatchObject({ sent: 4, retried: 1, failed: 0 });
  });

  it('the pause holds for queued sends even when the 429-ed send is given up', async () => {
    const h = harness({
      maxAttempts: 1,
      fail: (c) => (c.key === 'p1' ? new HttpError(429, 3000) : undefined),
    });
    const p1 = h.outbox.post('a', 'p1', 1);
    const p2 = h.outbox.post('a', 'p2', 2);
    await h.sched.runAll();
    expect([await p1, await p2]).toEqual([false, true]);
    expect(h.of('a').map((c) => `${c.key}@${c.at}`)).toEqual(['p1@0', 'p2@3000']);
    expect(h.errors.map((e) => e.failure)).toEqual([
      { thread: 'a', key: 'p1', kind: 'post', attempts: 1 },
    ]);
  });

  it.each([412, 502, 504])('retries %i with exponential backoff and jitter', async (status) => {
    const h = harness({
      random: () => 0.5,
      baseMs: 500,
      fail: (c) => (c.attempt <= 2 ? new HttpError(status) : undefined),
    });
    h.outbox.update('t', 'card', 1);
    await h.sched.runAll();
    // Full jitter with random 0.5: 0.5 · 500 = 250, then 0.5 · 1000 = 500.
    expect(h.calls.map((c) => [c.attempt, c.at, c.ok])).toEqual([
      [1, 0, false],
      [2, 250, false],
      [3, 750, true],
    ]);
    expect(h.outbox.stats()).toMatchObject({ sent: 1, retried: 2, failed: 0 });
    expect(h.errors).toEqual([]);
  });

  it.each([400, 401, 403, 404, 413])(
    'does not retry %i and reports it to onError',
    async (status) => {
      const h = harness({ fail: (c) => (c.key === 'bad' ? new HttpError(status) : undefined) });
      const bad = h.outbox.post('t', 'bad', 1);
      const good = h.outbox.post('t', 'good', 2);
      await h.sched.runAll();
      expect([await bad, await good]).toEqual([false, true]);
      expect(h.calls.map((c) => [c.key, c.attempt, c.ok])).toEqual([
        ['bad', 1, false],
        ['good', 1, true],
      ]);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0]?.error).toMatchObject({ status });
      expect(h.errors[0]?.failure).toEqual({ thread: 't', key: 'bad', kind: 'post', attempts: 1 });
      expect(h.outbox.stats()).toMatchObject({ sent: 1, retried: 0, failed: 1 });
    },
  );

  it('gives up after maxAttempts and keeps editing the message afterwards', async () => {
    let down = true;
    const h = harness({ maxAttempts: 3, fail: () => (down ? new HttpError(502) : undefined) });
    h.outbox.update('t', 'card', 1);
    await h.sched.runAll();
    expect(h.calls).toHaveLength(3);
    expect(h.errors.map((e) => e.failure)).toEqual([
      { thread: 't', key: 'card', kind: 'update', attempts: 3 },
    ]);
    down = false;
    h.outbox.update('t', 'card', 2);
    await h.sched.runAll();
    expect(h.sent().map((c) => c.value)).toEqual([2]);
    expect(h.outbox.stats()).toMatchObject({ sent: 1, retried: 2, failed: 1 });
  });

  it('a retry carries the newest value of the message', async () => {
    const h = harness({
      random: () => 0,
      fail: (c) => (c.attempt === 1 && c.value === 1 ? new HttpError(429, 1000) : undefined),
    });
    h.outbox.update('t', 'card', 1);
    await h.sched.advance(500);
    h.outbox.update('t', 'card', 2);
    await h.sched.runAll();
    expect(h.calls.map((c) => `${c.value}#${c.attempt}@${c.at}`)).toEqual(['1#1@0', '2#2@1000']);
    expect(h.outbox.stats()).toMatchObject({ sent: 1, coalesced: 1, retried: 1 });
  });

  it('flush() delivers waiting edits at once; close() then refuses new work', async () => {
    const h = harness();
    h.outbox.update('t', 'a', 1);
    h.outbox.update('u', 'b', 1);
    await h.sched.advance(100);
    h.outbox.update('t', 'a', 2);
    h.outbox.update('u', 'b', 2);
    await h.sched.advance(100);
    h.outbox.update('t', 'a', 3);
    expect(h.outbox.stats().pending).toBe(2);
    const flushed = h.outbox.flush();
    await h.sched.advance(0);
    await flushed;
    expect(h.calls.map((c) => `${c.thread}/${c.key}=${c.value}@${c.at}`)).toEqual([
      't/a=1@0',
      'u/b=1@0',
      't/a=3@200',
      'u/b=2@200',
    ]);
    expect(h.outbox.stats()).toMatchObject({ sent: 4, pending: 0, queued: 0 });

    h.outbox.update('t', 'a', 4); // waiting for its interval when close() comes
    const closed = h.outbox.close();
    await h.sched.advance(0);
    await closed;
    expect(h.calls.at(-1)).toMatchObject({ key: 'a', value: 4, at: 200 });
    h.outbox.update('t', 'a', 5);
    expect(await h.outbox.post('t', 'z', 6)).toBe(false);
    expect(h.errors.map((e) => e.error instanceof OutboxClosedError)).toEqual([true, true]);
    expect(h.outbox.stats()).toMatchObject({ sent: 5, failed: 2 });
    expect(h.sched.pendingTimers).toBe(0);
  });

  it('honours limits shared by several threads', async () => {
    const h = harness({
      limits: SLACK_CHANNEL_LIMITS,
      shared: { windows: [{ limit: 2, perMs: 1000 }], bucket: () => 'workspace' },
    });
    for (const thread of ['c1', 'c2', 'c3']) {
      void h.outbox.post(thread, 'm1', 1);
      void h.outbox.post(thread, 'm2', 2);
    }
    await h.sched.runAll();
    const at = h.calls.map((c) => c.at);
    expect(at).toEqual([0, 0, 1000, 1000, 2000, 2000]);
    for (const thread of ['c1', 'c2', 'c3']) {
      expect(
        windowViolations(
          h.of(thread).map((c) => c.at),
          SLACK_CHANNEL_LIMITS,
        ),
      ).toEqual([]);
    }
  });

  it('createChannelOutbox wires a channel’s send, classification and limits', async () => {
    const sched = new ManualScheduler(0);
    const seen: string[] = [];
    let first = true;
    const channel: OutboxChannel<string> = {
      async send(thread, key, value, info) {
        seen.push(`${info.kind} ${thread}/${key}=${value}#${info.attempt}@${sched.now()}`);
        if (first) {
          first = false;
          throw new HttpError(429, 1500);
        }
      },
      isRetryable: teamsRetryable,
      limits: SLACK_CHANNEL_LIMITS,
    };
    const outbox = createChannelOutbox(channel, {
      clock: sched,
      timers: sched,
      backoff: { random: () => 0 },
    });
    void outbox.post('C1', 'card', 'v1');
    outbox.update('C1', 'card', 'v2'); // rides along with the post
    await sched.advance(100);
    outbox.update('C1', 'card', 'v3');
    await sched.runAll();
    expect(seen).toEqual([
      'post C1/card=v2#1@0',
      'post C1/card=v2#2@1500',
      'update C1/card=v3#1@3500',
    ]);
  });
});

describe('outbox properties', () => {
  type Outcome = 'ok' | 429 | 502 | 504;
  const op = fc.record({
    thread: fc.constantFrom('t0', 't1', 't2'),
    key: fc.constantFrom('k0', 'k1', 'k2', 'k3'),
    kind: fc.constantFrom<SendKind>('post', 'update', 'update', 'update'),
    dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
  });
  const LIMITS: RateWindow[] = [
    { limit: 2, perMs: 1000 },
    { limit: 5, perMs: 4000 },
  ];
  const INTERVAL = 2000;
  const RETRY_AFTER = 1500;

  /** A small seeded PRNG so jitter is random but reproducible. */
  function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('latest value wins, posts are never dropped or reordered, no limit is exceeded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 80 }),
        fc.array(fc.constantFrom<Outcome>('ok', 'ok', 'ok', 'ok', 429, 502, 504), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.constantFrom(0, 40, 400),
        fc.integer(),
        async (ops, outcomes, latencyMs, seed) => {
          let n = 0;
          const h = harness({
            limits: LIMITS,
            intervalMs: INTERVAL,
            latencyMs,
            random: mulberry32(seed),
            maxAttempts: 5,
            baseMs: 200,
            maxMs: 2000,
            fail: (c) => {
              const outcome = outcomes[n++ % outcomes.length];
              if (c.attempt >= 4 || outcome === 'ok') return undefined;
              return outcome === 429
                ? new HttpError(429, RETRY_AFTER)
                : new HttpError(outcome as number);
            },
          });
          const lastOffered = new Map<string, number>();
          const postOrder = new Map<string, string[]>();
          const posts: Promise<boolean>[] = [];
          let value = 0;
          for (const o of ops) {
            value++;
            lastOffered.set(`${o.thread}/${o.key}`, value);
            if (o.kind === 'post') {
              posts.push(h.outbox.post(o.thread, o.key, value));
              postOrder.set(o.thread, [...(postOrder.get(o.thread) ?? []), o.key]);
            } else {
              h.outbox.update(o.thread, o.key, value);
            }
            await h.sched.advance(o.dt);
          }
          await h.sched.runAll();

          // Posts: all sent, in call order per thread.
          expect((await Promise.all(posts)).every(Boolean)).toBe(true);
          for (const thread of ['t0', 't1', 't2']) {
            const sentPosts = h.sent().filter((c) => c.thread === thread && c.kind === 'post');
            expect(sentPosts.map((c) => c.key)).toEqual(postOrder.get(thread) ?? []);
          }
          // Latest wins: per message, sent values only grow and end with the last offered.
          for (const [mk, last] of lastOffered) {
            const [thread, key] = mk.split('/') as [string, string];
            const values = h
              .sent()
              .filter((c) => c.thread === thread && c.key === key)
              .map((c) => c.value);
            expect(values.at(-1)).toBe(last);
            for (let i = 1; i < values.length; i++) {
              expect(values[i] as number).toBeGreaterThan(values[i - 1] as number);
            }
            // At most one edit per interval.
            const sends = h.sent().filter((c) => c.thread === thread && c.key === key);
            for (let i = 1; i < sends.length; i++) {
              const cur = sends[i] as Call;
              if (cur.kind === 'update') {
                expect(cur.at - (sends[i - 1] as Call).at).toBeGreaterThanOrEqual(INTERVAL);
              }
            }
          }
          // Limits: every attempt counts; a 429 pauses its thread for Retry-After.
          for (const thread of ['t0', 't1', 't2']) {
            const calls = h.of(thread);
            expect(
              windowViolations(
                calls.map((c) => c.at),
                LIMITS,
              ),
            ).toEqual([]);
            for (const c of calls.filter((x) => x.status === 429)) {
              for (const later of calls.filter((x) => x.at > c.at)) {
                expect(later.at).toBeGreaterThanOrEqual(c.at + RETRY_AFTER);
              }
            }
          }
          // Accounting: every offered value was sent, coalesced or failed.
          const stats = h.outbox.stats();
          expect(h.errors).toEqual([]);
          expect(stats.sent + stats.coalesced + stats.failed).toBe(ops.length);
          expect(stats.retried).toBe(h.calls.filter((c) => !c.ok).length);
          expect(stats.sent).toBe(h.sent().length);
          expect(stats).toMatchObject({ queued: 0, pending: 0 });
        },
      ),
      { numRuns: 150 },
    );
  });
});
