import { performance } from 'node:perf_hooks';
import type { EditGate } from '../../../src/app/outbox/edit-gate.ts';
import { createOutbox, type Outbox, type SendKind } from '../../../src/app/outbox/outbox.ts';
import { PostOnceThenEdit } from '../../../src/app/outbox/post-once.ts';
import { TEAMS_THREAD_LIMITS } from '../../../src/app/outbox/thread-limiter.ts';
import { sleep, type Timers } from '../../../src/app/outbox/timers.ts';
import type { Clock, MessageRevision } from '../../../src/core/ports.ts';
import { teamsRetryable } from './http-error.ts';

/**
 * Simulated bot instances: each has its own outbox (and PostOnceThenEdit)
 * and gate, all sending to one fake platform that records every call.
 */

/** What the tests send: who rendered it and which revision it shows. */
export interface Rendering {
  who: string;
  revision: MessageRevision;
}

export interface PlatformCall {
  who: string;
  /** Clock ms at which the platform call started. */
  at: number;
  thread: string;
  key: string;
  kind: SendKind;
  attempt: number;
  revision: MessageRevision;
  ok: boolean;
}

export interface PlatformOptions {
  clock: Clock;
  timers: Timers;
  /** Time a platform call takes, in ms (on `timers`). */
  latencyMs?: number;
  /** An error for this call (an HttpError for Teams' retry rule), or undefined to succeed. */
  fail?: (call: PlatformCall) => Error | undefined;
  /** Hears of every call as it starts. */
  onCall?: (call: PlatformCall) => void;
}

/** One fake platform: records calls, and keeps message ids as a shared ChannelMemory would. */
export function fakePlatform(options: PlatformOptions) {
  const calls: PlatformCall[] = [];
  const ids = new Map<string, string>();
  const { clock, timers } = options;

  function instance(
    who: string,
    gate: EditGate | undefined,
    intervalMs?: number,
    rememberPosted?: number,
  ) {
    const outbox: Outbox<Rendering> = createOutbox<Rendering>({
      async send(thread, key, value, info) {
        const call: PlatformCall = {
          who,
          at: clock.now(),
          thread,
          key,
          ...info,
          revision: value.revision,
          ok: true,
        };
        calls.push(call);
        options.onCall?.(call);
        if (options.latencyMs) await sleep(timers, options.latencyMs);
        const error = options.fail?.(call);
        if (error) {
          call.ok = false;
          throw error;
        }
        if (info.kind === 'post') ids.set(JSON.stringify([thread, key]), `id-${calls.length}`);
      },
      limits: TEAMS_THREAD_LIMITS,
      ...(intervalMs !== undefined && { intervalMs }),
      clock,
      timers,
      retry: { isRetryable: teamsRetryable, random: () => 0.5, maxAttempts: 3 },
      ...(gate && { gate }),
    });
    const messages = new PostOnceThenEdit(outbox, {
      ...(gate && { gate, timers, pollMs: 20 }),
      ...(rememberPosted !== undefined && { rememberPosted }),
    });
    return {
      outbox,
      messages,
      /** Offers a rendering of `key` as an edit. */
      update(key: string, revision: MessageRevision, thread = 't') {
        outbox.update(thread, key, { who, revision }, revision);
      },
      /** Sends through PostOnceThenEdit (post once, then edit). */
      send(key: string, revision: MessageRevision, thread = 't') {
        const known = async () => ids.get(JSON.stringify([thread, key]));
        return messages.send(thread, key, { who, revision }, known, revision);
      },
    };
  }

  return { calls, ids, instance, ok: () => calls.filter((c) => c.ok) };
}

export const rev = (version: number, progress: number): MessageRevision => ({ version, progress });

/**
 * `gate`, telling `granted` of each lease it obtains, with the moment
 * (performance.now()) it was asked for.
 */
export function onLease(gate: EditGate, granted: (askedAt: number) => void): EditGate {
  return {
    offer: (key, revision) => gate.offer(key, revision),
    isNewest: (key, revision) => gate.isNewest(key, revision),
    claimPost: (key, ttlMs) => gate.claimPost(key, ttlMs),
    releasePost: (key) => gate.releasePost(key),
    async acquire(key, intervalMs) {
      const askedAt = performance.now();
      const wait = await gate.acquire(key, intervalMs);
      if (wait === 0) granted(askedAt);
      return wait;
    },
  };
}
