/**
 * Where the reminders benchmark delivers: a sink without limits, or the
 * channel outbox (src/app/outbox: rate limits, Retry-After, retries) in front
 * of the test fakes of Teams (tests/teams/fake-connector.ts, Teams' per-thread
 * limits) and Slack (tests/slack/fake-slack.ts, chat.postMessage per-channel
 * limits), over real HTTP on 127.0.0.1.
 *
 * A delivery is the platform's acceptance (the fake's 201 / ok:true), with
 * the fake's timestamp; duplicates are accepted posts of one reminder beyond
 * the first.
 */
import { Agent, request } from 'node:http';
import { systemClock } from '../../src/app/clock.ts';
import { createChannelOutbox, TEAMS_RETRYABLE_STATUSES } from '../../src/app/outbox/channel.ts';
import type { Outbox } from '../../src/app/outbox/outbox.ts';
import { type HttpFailure, retryOnStatus } from '../../src/app/outbox/retry.ts';
import {
  type RateWindow,
  SLACK_CHANNEL_LIMITS,
  TEAMS_THREAD_LIMITS,
} from '../../src/app/outbox/thread-limiter.ts';
import type { TimerHandle, Timers } from '../../src/app/outbox/timers.ts';
import { SLACK_WORKSPACE_LIMITS } from '../../src/channels/slack/output.ts';
import { SLACK_RETRYABLE_STATUSES } from '../../src/channels/slack/web-client.ts';
import { startFakeSlack } from '../../tests/slack/fake-slack.ts';
import { startFakeConnector } from '../../tests/teams/fake-connector.ts';

export type SinkKind = 'none' | 'teams' | 'slack';

/** Reminder k, as the sink sees it. */
export interface Reminder {
  k: number;
  /** Teams conversation, or Slack `<workspace>/<channel>` (the outbox's thread). */
  thread: string;
}

export interface Sink {
  kind: SinkKind;
  /** The job handler's work: hand the reminder over (never awaits the platform). */
  deliver(reminder: Reminder): void;
  /** Accepted deliveries so far. */
  accepted(): number;
  /** Per reminder: platform acceptance times (epoch ms), in order. */
  deliveries(): Map<number, number[]>;
  /** 429s the platform answered, and outbox retries/failures. */
  throttle(): {
    answered429: number;
    /** Calls that got no HTTP answer (e.g. a reused keep-alive socket closed by the server). */
    network: number;
    retried: number;
    failed: number;
    queued: number;
  };
  /** The limits in force per thread, and shared per bucket. */
  limits?: { thread: readonly RateWindow[]; bucket?: readonly RateWindow[] };
  close(): Promise<void>;
}

/** Timers that can all be cancelled at once (a capped run abandons its backlog). */
class CancellableTimers implements Timers {
  readonly #live = new Set<ReturnType<typeof setTimeout>>();
  #dead = false;
  setTimeout(fn: () => void, ms: number): TimerHandle {
    if (this.#dead) return undefined;
    const handle = setTimeout(
      () => {
        this.#live.delete(handle);
        fn();
      },
      Math.max(0, ms),
    );
    this.#live.add(handle);
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.#live.delete(handle as ReturnType<typeof setTimeout>);
  }
  cancelAll(): void {
    this.#dead = true;
    for (const h of this.#live) clearTimeout(h);
    this.#live.clear();
  }
}

class PlatformError extends Error implements HttpFailure {
  readonly status: number;
  readonly retryAfter: string | null;
  constructor(status: number, retryAfter: string | null) {
    super(`platform answered ${status}`);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let networkErrors = 0;

/** What the outbox did about the platform's limits so far, with the 429s the fake answered. */
function throttleOf(outbox: Outbox<string>, answered429: number): ReturnType<Sink['throttle']> {
  const s = outbox.stats();
  return {
    answered429,
    network: networkErrors,
    retried: s.retried,
    failed: s.failed,
    queued: s.queued,
  };
}

/** POSTs JSON; resolves with status, body and the Retry-After header. */
function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => {
      networkErrors++;
      reject(error);
    });
    req.end(payload);
  });
}

const readFailure = (error: unknown): HttpFailure | undefined =>
  error instanceof PlatformError ? error : { status: 503 };

/** Reminder number from the text every delivery carries. */
const keyOf = (text: unknown): number => Number(/#(\d+)/.exec(String(text))?.[1] ?? -1);

function record(map: Map<number, number[]>, k: number, at: number): void {
  const list = map.get(k);
  if (list) list.push(at);
  else map.set(k, [at]);
}

export async function openSink(kind: SinkKind): Promise<Sink> {
  if (kind === 'none') {
    const seen = new Map<number, number[]>();
    let count = 0;
    return {
      kind,
      deliver: ({ k }) => {
        count++;
        record(seen, k, Date.now());
      },
      accepted: () => count,
      deliveries: () => seen,
      throttle: () => ({ answered429: 0, network: 0, retried: 0, failed: 0, queued: 0 }),
      close: async () => {},
    };
  }
  networkErrors = 0;
  const timers = new CancellableTimers();
  const backoff = { maxAttempts: 8 };
  if (kind === 'teams') {
    const connector = await startFakeConnector();
    let accepted = 0;
    const outbox: Outbox<string> = createChannelOutbox<string>(
      {
        send: async (thread, key, text) => {
          const res = await postJson(`${connector.url}v3/conversations/${thread}/activities`, {
            type: 'message',
            text,
            key,
          });
          if (res.status !== 201) throw new PlatformError(res.status, res.retryAfter);
          accepted++;
        },
        isRetryable: retryOnStatus(TEAMS_RETRYABLE_STATUSES, readFailure),
        limits: TEAMS_THREAD_LIMITS,
      },
      { clock: systemClock, timers, backoff },
    );
    return {
      kind,
      limits: { thread: TEAMS_THREAD_LIMITS },
      deliver: ({ k, thread }) => {
        void outbox.post(thread, `reminder:${k}`, `Påmindelse #${k}`);
      },
      accepted: () => accepted,
      deliveries: () => {
        const map = new Map<number, number[]>();
        for (const c of connector.calls) {
          if (c.route === 'send' && c.status === 201) {
            record(map, keyOf((c.body as { text?: string }).text), c.at);
          }
        }
        return map;
      },
      throttle: () => throttleOf(outbox, connector.calls.filter((c) => c.status === 429).length),
      close: async () => {
        timers.cancelAll();
        await connector.close();
      },
    };
  }
  const token = 'xoxb-bench-token';
  const slack = await startFakeSlack({ token });
  let accepted = 0;
  const outbox: Outbox<string> = createChannelOutbox<string>(
    {
      send: async (thread, _key, text) => {
        const channel = thread.slice(thread.indexOf('/') + 1);
        const res = await postJson(
          `${slack.apiUrl}chat.postMessage`,
          { channel, text },
          { authorization: `Bearer ${token}` },
        );
        if (res.status !== 200 || !(JSON.parse(res.text) as { ok?: boolean }).ok) {
          throw new PlatformError(res.status, res.retryAfter);
        }
        accepted++;
      },
      isRetryable: retryOnStatus(SLACK_RETRYABLE_STATUSES, readFailure),
      limits: SLACK_CHANNEL_LIMITS,
      shared: {
        windows: SLACK_WORKSPACE_LIMITS,
        bucket: (thread) => thread.slice(0, thread.indexOf('/')),
      },
    },
    { clock: systemClock, timers, backoff },
  );
  return {
    kind,
    limits: { thread: SLACK_CHANNEL_LIMITS, bucket: SLACK_WORKSPACE_LIMITS },
    deliver: ({ k, thread }) => {
      void outbox.post(thread, `reminder:${k}`, `Påmindelse #${k}`);
    },
    accepted: () => accepted,
    deliveries: () => {
      const map = new Map<number, number[]>();
      for (const c of slack.callsTo('chat.postMessage')) {
        if (c.status === 200 && c.error === undefined) record(map, keyOf(c.args.text), c.at);
      }
      return map;
    },
    throttle: () => throttleOf(outbox, slack.calls.filter((c) => c.status === 429).length),
    close: async () => {
      timers.cancelAll();
      await slack.close();
    },
  };
}

/**
 * When the last of `count` sends on one thread may start at the earliest,
 * all wanting to go at 0, under sliding windows (a send may start at t when
 * fewer than `limit` started in (t − perMs, t]). In ms after the first.
 */
export function idealFinishMs(count: number, windows: readonly RateWindow[]): number {
  const starts: number[] = [];
  let t = 0;
  for (let i = 0; i < count; i++) {
    for (const w of windows) {
      const j = starts.length - w.limit;
      if (j >= 0) t = Math.max(t, (starts[j] as number) + w.perMs);
    }
    starts.push(t);
  }
  return t;
}
