import type { Clock, MessageRevision } from '../../core/ports.ts';
import { Coalescer, DEFAULT_INTERVAL_MS } from './coalescer.ts';
import { type EditGate, gateKey } from './edit-gate.ts';
import { clearedToSend } from './gate-steps.ts';
import { type BackoffOptions, type RetryDecision, withRetry } from './retry.ts';
import { acquireAll, type RateWindow, ThreadLimiter, ThreadQueues } from './thread-limiter.ts';
import { sleep, type Timers } from './timers.ts';

/** 'post' creates a message, 'update' edits the message with that key. */
export type SendKind = 'post' | 'update';

export interface SendInfo {
  kind: SendKind;
  /** 1 for the first attempt of this send, 2 for its first retry, … */
  attempt: number;
}

/**
 * One platform call: posts or edits the message `key` in `thread`. Resolves
 * when the platform accepted it; throws (anything) when it did not.
 */
export type SendFn<T> = (thread: string, key: string, value: T, info: SendInfo) => Promise<void>;

/** Limits shared by several threads, e.g. a per-workspace API tier. */
export interface SharedLimits {
  windows: readonly RateWindow[];
  /** The bucket a thread's sends count against (e.g. its workspace id). */
  bucket(thread: string): string;
}

export interface OutboxRetryOptions extends BackoffOptions {
  /** Which failures to retry and the platform's Retry-After in ms. */
  isRetryable(error: unknown): RetryDecision;
}

/** Context of a send given up for good. */
export interface SendFailure {
  thread: string;
  key: string;
  kind: SendKind;
  /** Platform calls made for it (0 when refused after `close`). */
  attempts: number;
}

export interface OutboxOptions<T> {
  send: SendFn<T>;
  /** Windows per thread; every attempt (retries too) counts. */
  limits: readonly RateWindow[];
  /** Optional windows shared across threads. */
  shared?: SharedLimits;
  /** Minimum time between two edits of one message, in ms. Default 2000. */
  intervalMs?: number;
  clock: Clock;
  timers: Timers;
  retry: OutboxRetryOptions;
  /** Hears of every send given up: not retryable, attempts exhausted, or refused after close. */
  onError?: (error: unknown, failure: SendFailure) => void;
  /**
   * Shares edits with other instances (see EditGate): every edit attempt
   * takes the message's lease first (waiting for it, in the thread's turn),
   * posts take it when free, and values with a revision are offered and
   * checked so that only the newest is sent. Values without a revision skip
   * the revision checks. Absent: this outbox alone decides (one instance).
   */
  gate?: EditGate;
}

/** Counters since creation, plus two gauges. */
export interface OutboxStats {
  /** Platform calls that succeeded (each delivered value once). */
  sent: number;
  /** Offered values never sent because a newer value for the same message replaced them. */
  coalesced: number;
  /** Attempts repeated after a retryable failure. */
  retried: number;
  /** Sends given up (reported to onError). */
  failed: number;
  /** Gauge: sends queued or running. */
  queued: number;
  /** Gauge: edits waiting for their interval or their turn. */
  pending: number;
}

export interface Outbox<T> {
  /**
   * Queues a new message on `thread`. Posts are never coalesced away and go
   * out in call order with the other sends of the thread; an edit of the same
   * key offered before the post starts rides along (the post carries the
   * newest value), and a waiting edit of that key is superseded. Resolves
   * true once sent, false when given up; never rejects. With a gate, the
   * post's `revision` is recorded as offered before the platform call.
   */
  post(thread: string, key: string, value: T, revision?: MessageRevision): Promise<boolean>;
  /**
   * Offers the newest state of message `key` on `thread`. The first edit of
   * an idle message goes out as soon as the thread allows; later ones replace
   * the waiting value (latest wins) and go out once `intervalMs` ms have
   * passed since the last send of that message started. With a gate and a
   * `revision`, a value older than one offered before (here or by another
   * instance) is dropped, now or right before its platform call.
   */
  update(thread: string, key: string, value: T, revision?: MessageRevision): void;
  /**
   * Sends every waiting edit now (ignoring the interval, never the rate
   * limits) and resolves when nothing is queued or running.
   */
  flush(): Promise<void>;
  /** Refuses further posts and updates, flushes, then releases every timer. */
  close(): Promise<void>;
  stats(): OutboxStats;
}

/** Reported (via onError) for a post or update offered after `close`. */
export class OutboxClosedError extends Error {
  constructor() {
    super('outbox is closed');
    this.name = 'OutboxClosedError';
  }
}

/** A value and the revision it shows, if known. */
interface Held<T> {
  value: T;
  revision?: MessageRevision;
}

interface PostEntry<T> {
  held: Held<T>;
  /** The first attempt has begun; later edits go through the coalescer. */
  started: boolean;
}

/** How `deliver` gets the value to send at each attempt. */
interface Job<T> {
  /** Whether there is anything to send at all (checked before waiting for a slot). */
  has(): boolean;
  /** A newer value to send now, or undefined to keep (or, at first, to skip). */
  take(): Held<T> | undefined;
}

/** The gate's key is the outbox's own message key. */
const messageKey = gateKey;

/**
 * Coalesced, rate-limited, retried, per-thread ordered output. Sends on one
 * thread run one at a time in FIFO order (a message's edits never overtake
 * it); threads run concurrently.
 */
export function createOutbox<T>(options: OutboxOptions<T>): Outbox<T> {
  const { send, clock, timers, gate } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const onError = options.onError ?? (() => {});
  const limiter = new ThreadLimiter({ windows: options.limits, clock, timers });
  const shared = options.shared && {
    limiter: new ThreadLimiter({ windows: options.shared.windows, clock, timers }),
    bucket: options.shared.bucket,
  };
  // Tasks catch their own errors; this only guards against a throwing onError.
  const queues = new ThreadQueues();
  const counters = { sent: 0, coalesced: 0, retried: 0, failed: 0 };
  /** Per message key: the newest post that has not started yet. */
  const posts = new Map<string, PostEntry<T>>();
  /** Per message key (with a gate): the last of its offers still waiting for the gate's answer. */
  const offers = new Map<string, Promise<void>>();
  let closed = false;

  const coalescer = new Coalescer<Held<T>>({
    intervalMs,
    clock,
    timers,
    onReady: (mk) => {
      const [thread, key] = JSON.parse(mk) as [string, string];
      queues.push(thread, () => runUpdate(thread, key, mk));
    },
  });

  const slotsOf = (thread: string) =>
    shared
      ? [
          { limiter, key: thread },
          { limiter: shared.limiter, key: shared.bucket(thread) },
        ]
      : [{ limiter, key: thread }];
  const acquire = (thread: string) => acquireAll(slotsOf(thread), clock, timers);
  /**
   * The send of message `mk` that started at `startedAt` was answered: its
   * rate slots and the message's edit interval count from now, because the
   * platform counts a request when it arrives, which may be any time until
   * the answer (spaced by starts, a slow edit and a fast one could arrive
   * 1,996 ms apart in bench/burst.ts).
   */
  const settle = (thread: string, mk: string, startedAt: number) => {
    const now = clock.now();
    for (const slot of slotsOf(thread)) slot.limiter.settle(slot.key, startedAt, now);
    coalescer.touch(mk);
  };

  async function deliver(
    thread: string,
    key: string,
    kind: SendKind,
    mk: string,
    job: Job<T>,
  ): Promise<boolean> {
    let current: Held<T> | undefined;
    let attempts = 0;
    /** The newest value to send: a retry (or a wait for the lease) carries a newer one if any. */
    const pick = (): Held<T> | undefined => {
      const next = job.take();
      if (next) {
        if (current) counters.coalesced++;
        current = next;
      }
      return current;
    };
    try {
      await withRetry(
        async (attempt) => {
          if (!current && !job.has()) return;
          const startedAt = await acquire(thread);
          let held = pick();
          if (!held) return;
          if (gate) {
            held = await clearedToSend({ gate, timers, intervalMs }, kind, mk, held, pick);
            current = held;
            if (!held) {
              counters.coalesced++;
              return;
            }
          }
          coalescer.touch(mk); // the edit interval of this message restarts now
          attempts++;
          try {
            await send(thread, key, held.value, { kind, attempt });
          } finally {
            settle(thread, mk, startedAt);
          }
        },
        {
          ...options.retry,
          sleep: (ms) => sleep(timers, ms),
          // Retry-After pauses the whole thread, also when this send is given up.
          onFailure: ({ decision }) => {
            if (decision.afterMs !== undefined && decision.afterMs > 0) {
              limiter.pause(thread, clock.now() + decision.afterMs);
            }
          },
          onRetry: () => {
            counters.retried++;
          },
        },
      );
    } catch (error) {
      counters.failed++;
      onError(error, { thread, key, kind, attempts });
      return false;
    }
    if (!current) return false;
    counters.sent++;
    return true;
  }

  async function runUpdate(thread: string, key: string, mk: string): Promise<void> {
    try {
      await deliver(thread, key, 'update', mk, {
        has: () => coalescer.has(mk),
        take: () => coalescer.take(mk)?.value,
      });
    } finally {
      coalescer.settle(mk);
    }
  }

  function refuse(thread: string, key: string, kind: SendKind): false {
    counters.failed++;
    onError(new OutboxClosedError(), { thread, key, kind, attempts: 0 });
    return false;
  }

  /** Puts an accepted edit in place: into its unstarted post (riding along), else the coalescer. */
  function place(mk: string, held: Held<T>): void {
    const entry = posts.get(mk);
    if (entry && !entry.started) {
      entry.held = held;
      counters.coalesced++;
      return;
    }
    coalescer.offer(mk, held);
  }

  /**
   * With a gate: offers the value's revision, then places it unless it is
   * stale. Offers of one message are chained, so values are placed in call
   * order, as without a gate. A failing gate is ignored (the value is placed).
   */
  function offerThenPlace(mk: string, held: Held<T>): void {
    const { revision } = held;
    const previous = offers.get(mk) ?? Promise.resolve();
    const next = previous.then(async () => {
      const newest = !gate || !revision || (await gate.offer(mk, revision).catch(() => true));
      if (newest) place(mk, held);
      else counters.coalesced++;
    });
    offers.set(mk, next);
    void next.finally(() => {
      if (offers.get(mk) === next) offers.delete(mk);
    });
  }

  async function flush(): Promise<void> {
    for (;;) {
      while (offers.size > 0) await Promise.all(offers.values());
      coalescer.flush();
      await queues.idle();
      if (coalescer.pending === 0 && offers.size === 0) return;
    }
  }

  return {
    post(thread, key, value, revision) {
      if (closed) return Promise.resolve(refuse(thread, key, 'post'));
      const mk = messageKey(thread, key);
      coalescer.drop(mk);
      const entry: PostEntry<T> = {
        held: revision ? { value, revision } : { value },
        started: false,
      };
      posts.set(mk, entry);
      return new Promise<boolean>((resolve) => {
        queues.push(thread, async () => {
          let ok = false;
          try {
            ok = await deliver(thread, key, 'post', mk, {
              has: () => true,
              take: () => {
                if (entry.started) return undefined;
                entry.started = true;
                if (posts.get(mk) === entry) posts.delete(mk);
                return entry.held;
              },
            });
          } finally {
            resolve(ok);
          }
        });
      });
    },

    update(thread, key, value, revision) {
      if (closed) {
        refuse(thread, key, 'update');
        return;
      }
      const mk = messageKey(thread, key);
      const held = revision ? { value, revision } : { value };
      if (gate) offerThenPlace(mk, held);
      else place(mk, held);
    },

    flush,

    async close() {
      closed = true;
      await flush();
      coalescer.close();
    },

    stats() {
      return {
        sent: counters.sent,
        coalesced: counters.coalesced + coalescer.coalesced,
        retried: counters.retried,
        failed: counters.failed,
        queued: queues.size,
        pending: coalescer.pending,
      };
    },
  };
}
