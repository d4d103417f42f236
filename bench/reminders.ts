/**
 * Reminders: N reminders (100,000; quick 5,000) over many conversations
 * (5,000; quick 250), all due at the same instant (09:00 sharp is when the
 * app sends them), dispatched by the real schedulers:
 * - BullmqScheduler (real timing: BullMQ's delayed jobs and one Worker; the
 *   default concurrency 4 and a higher one),
 * - SqliteScheduler (an SQLite file, the default poll interval of 1 s);
 * to (a) a sink without limits (the handler records the moment it ran), and
 * (b) the channel outbox (rate limits, Retry-After, retries) posting over HTTP
 * to the Teams and Slack test fakes, which enforce the platforms' limits:
 * 5,000 over 250 conversations, where the limits bind (--all adds the full
 * size through the fakes, where they do not and the rows match the sink's).
 *
 * Scheduling is measured on its own (jobs added before the due time, which
 * is set from a calibration run so that scheduling ends a few seconds before
 * it). Dispatch: rate, lateness (delivery − runAt) p50/p99/max, duplicates
 * (deliveries of one reminder beyond the first) and missed (never delivered).
 * A run is capped (60 s after the due time; 45 s for the limit-bound runs,
 * 30 s in quick mode); what did not arrive by then is reported as such, with
 * the time for all extrapolated from the measured rate. Dev flags:
 * --only=<scenario indexes>, --reminders=N, --conversations=N, --all, --verbose.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { systemClock } from '../src/app/clock.ts';
import type { Job, JobHandler } from '../src/core/ports.ts';
import { BullmqScheduler } from '../src/scheduler/bullmq-scheduler.ts';
import { SqliteScheduler } from '../src/scheduler/sqlite-scheduler.ts';
import {
  idealFinishMs,
  openSink,
  type Reminder,
  type Sink,
  type SinkKind,
} from './lib/reminders-sinks.ts';
import { type Bench, type BenchTable, runStandalone } from './lib/report.ts';
import { fmt, summarize } from './lib/stats.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Concurrent schedule() calls while adding the BullMQ jobs (requests schedule concurrently too). */
const SCHEDULE_IN_FLIGHT = 100;

interface SchedulerChoice {
  kind: 'bullmq' | 'sqlite';
  /** BullMQ worker concurrency. */
  concurrency?: number;
}

interface Scenario {
  scheduler: SchedulerChoice;
  sink: SinkKind;
  reminders: number;
  conversations: number;
  /** Slack: workspaces the channels belong to (the outbox's shared bucket). */
  workspaces: number;
  /** Longest dispatch phase after the due time, in ms. */
  capMs: number;
}

interface Subject {
  label: string;
  schedule(job: Job): Promise<void>;
  /** How many schedule() calls run at once. */
  inFlight: number;
  start(handler: JobHandler): void;
  /** Stops dispatching, closes, deletes its data. */
  dispose(): Promise<void>;
}

async function unlinkPrefix(prefix: string): Promise<number> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 10_000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    await client.close();
  }
  return deleted;
}

function openSubject(choice: SchedulerChoice): Subject {
  if (choice.kind === 'bullmq') {
    const base = `dialogrunde-bench:reminders:${randomUUID()}:`;
    const scheduler = new BullmqScheduler({
      url: REDIS_URL,
      prefix: `${base}{jobs}`,
      clock: systemClock,
      concurrency: choice.concurrency ?? 4,
      onError: () => {},
    });
    return {
      label: `BullMQ, concurrency ${choice.concurrency ?? 4}${choice.concurrency === undefined ? ' (default)' : ''}`,
      schedule: (job) => scheduler.schedule(job),
      inFlight: SCHEDULE_IN_FLIGHT,
      start: (handler) => scheduler.start(handler),
      dispose: async () => {
        await scheduler.close();
        await unlinkPrefix(base);
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-reminders-'));
  // As main.ts: the default SCHEDULER_POLL_MS (1000) and batch size.
  const scheduler = new SqliteScheduler({
    path: join(dir, 'jobs.sqlite'),
    clock: systemClock,
    pollMs: 1000,
  });
  return {
    label: 'SQLite, poll 1 s (default)',
    schedule: (job) => scheduler.schedule(job),
    inFlight: 1,
    start: (handler) => scheduler.start(handler),
    dispose: async () => {
      await scheduler.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const jobOf = (k: number, conversations: number, runAt: number): Job => ({
  id: `reminder:r${k % conversations}:p${k}:0`,
  roundId: `r${k % conversations}`,
  runAt,
  type: 'reminder',
  itemId: `p${k}`,
  due: '2026-12-07',
  daysBefore: 0,
});

async function scheduleAll(subject: Subject, jobs: Job[]): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: subject.inFlight }, async () => {
      while (next < jobs.length) await subject.schedule(jobs[next++] as Job);
    }),
  );
  return performance.now() - start;
}

/** Schedules rate (jobs/s) on a throwaway instance of the same kind. */
async function calibrate(choice: SchedulerChoice, count: number): Promise<number> {
  const subject = openSubject(choice);
  try {
    const far = Date.now() + 3_600_000;
    const jobs = Array.from({ length: count }, (_, k) => jobOf(k, 100, far));
    await scheduleAll(subject, jobs.slice(0, 100)); // connections, statements
    const ms = await scheduleAll(subject, jobs.slice(100));
    return ((count - 100) / ms) * 1000;
  } finally {
    await subject.dispose();
  }
}

interface Outcome {
  scenario: Scenario;
  label: string;
  scheduleMs: number;
  /** Scheduling ended this long before the due time (negative: after it). */
  headroomMs: number;
  delivered: number;
  duplicates: number;
  lateness: number[];
  /** Due time → last delivery (ms), among those delivered. */
  spanMs: number;
  capped: boolean;
  throttle: ReturnType<Sink['throttle']>;
  idealMs?: number;
}

const verbose = process.argv.includes('--verbose');
const t00 = performance.now();
const phase = (what: string) => {
  if (verbose)
    process.stderr.write(`[${((performance.now() - t00) / 1000).toFixed(1)} s] ${what}\n`);
};

async function run(scenario: Scenario): Promise<Outcome> {
  const { reminders: n, conversations } = scenario;
  phase(`calibrate ${scenario.scheduler.kind} ${scenario.sink}`);
  const rate = await calibrate(scenario.scheduler, Math.min(1000, Math.max(500, n / 10)));
  const sink = await openSink(scenario.sink);
  const subject = openSubject(scenario.scheduler);
  try {
    const threadOf = (conv: number) =>
      scenario.sink === 'slack' ? `T${conv % scenario.workspaces}/C${conv}` : `a:bench-${conv}`;
    const due = Date.now() + Math.ceil((n / rate) * 1000 * 1.2) + 2000;
    const jobs = Array.from({ length: n }, (_, k) => jobOf(k, conversations, due));
    phase('schedule');
    const scheduleMs = await scheduleAll(subject, jobs);
    const headroomMs = due - Date.now();
    phase(`scheduled; due in ${headroomMs} ms`);
    subject.start(async (job) => {
      if (job.type !== 'reminder') return;
      const reminder: Reminder = {
        k: Number(job.itemId.slice(1)),
        thread: threadOf(Number(job.roundId.slice(1))),
      };
      sink.deliver(reminder);
    });
    const end = due + scenario.capMs;
    let capped = false;
    for (;;) {
      if (sink.accepted() >= n) break;
      if (Date.now() > end) {
        capped = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    phase('dispatched');
    // Late duplicates would show up now.
    await new Promise((resolve) => setTimeout(resolve, capped ? 0 : 1000));
    await subject.dispose();
    phase('disposed');
    const deliveries = sink.deliveries();
    const lateness: number[] = [];
    let duplicates = 0;
    let last = due;
    for (const times of deliveries.values()) {
      const first = times[0] as number;
      lateness.push(first - due);
      duplicates += times.length - 1;
      last = Math.max(last, first);
    }
    let idealMs: number | undefined;
    if (sink.limits) {
      const perThread = Math.ceil(n / conversations);
      idealMs = idealFinishMs(perThread, sink.limits.thread);
      if (sink.limits.bucket) {
        idealMs = Math.max(
          idealMs,
          idealFinishMs(Math.ceil(n / scenario.workspaces), sink.limits.bucket),
        );
      }
    }
    return {
      scenario,
      label: subject.label,
      scheduleMs,
      headroomMs,
      delivered: deliveries.size,
      duplicates,
      lateness,
      spanMs: last - due,
      capped,
      throttle: sink.throttle(),
      ...(idealMs !== undefined && { idealMs }),
    };
  } finally {
    await sink.close();
  }
}

const SINK_LABEL: Record<SinkKind, string> = {
  none: 'no limit (sink)',
  teams: 'Teams fake (per-thread 7/1 s, 8/2 s, 60/30 s, 1800/h)',
  slack: 'Slack fake (1/s per channel; 50/60 s per workspace)',
};

function row(o: Outcome): Record<string, string | number> {
  const { scenario: s } = o;
  const late = summarize(o.lateness);
  const rate = o.spanMs > 0 ? (o.delivered / o.spanMs) * 1000 : Number.NaN;
  const idealRate =
    o.idealMs !== undefined && o.idealMs > 0
      ? (s.reminders / o.idealMs) * 1000
      : Number.POSITIVE_INFINITY;
  const overran =
    o.headroomMs < 0 ? ` (scheduling overran the due time by ${fmt(-o.headroomMs / 1000)} s)` : '';
  const allIn = o.capped
    ? `not all: ${o.delivered} in ${fmt(s.capMs / 1000)} s; all ≈ ${fmt(s.reminders / rate)} s (extrapolated)`
    : `${fmt(o.spanMs / 1000)} s${overran}`;
  return {
    scheduler: o.label,
    delivery: SINK_LABEL[s.sink],
    reminders: `${s.reminders} / ${s.conversations} conv.${s.sink === 'slack' ? ` / ${s.workspaces} ws` : ''}`,
    'schedule time (rate)': `${fmt(o.scheduleMs / 1000)} s (${fmt((s.reminders / o.scheduleMs) * 1000)}/s)`,
    'all delivered after': allIn,
    'rate /s': fmt(rate),
    'limit allows /s': Number.isFinite(idealRate) ? fmt(idealRate) : '∞',
    '% of limit': Number.isFinite(idealRate) ? `${fmt((100 * rate) / idealRate)} %` : '–',
    'lateness p50 / p99 / max s': `${fmt(late.p50 / 1000)} / ${fmt(late.p99 / 1000)} / ${fmt(late.max / 1000)}`,
    duplicates: o.duplicates,
    missed: o.capped ? `(${s.reminders - o.delivered} not yet)` : s.reminders - o.delivered,
    '429 / no answer / retried / failed':
      s.sink === 'none'
        ? '–'
        : `${o.throttle.answered429} / ${o.throttle.network} / ${o.throttle.retried} / ${o.throttle.failed}`,
  };
}

export const bench: Bench = async ({ quick }) => {
  const arg = (name: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const reminders = Number(arg('reminders') ?? (quick ? 5000 : 100_000));
  const conversations = Number(arg('conversations') ?? (quick ? 250 : 5000));
  const workspaces = conversations / 2;
  const base = { reminders, conversations, workspaces };
  // The target is 60 s; a limited run may take longer than a plain one (Slack: 1 post/s per channel).
  const capMs = quick ? 30_000 : 60_000;
  const only = arg('only');
  const fast = { kind: 'bullmq', concurrency: 32 } as const;
  // Where the limits bind: 20 reminders per conversation, 250 conversations (Slack: 125 workspaces).
  const bound = { reminders: 5000, conversations: 250, workspaces: 125, capMs: 45_000 };
  const scenarios: Scenario[] = [
    { ...base, scheduler: { kind: 'bullmq' }, sink: 'none', capMs },
    { ...base, scheduler: fast, sink: 'none', capMs },
    { ...base, scheduler: { kind: 'sqlite' }, sink: 'none', capMs },
    // At full size the limits do not bind (the rows match the sink's): --all runs them.
    ...(quick || process.argv.includes('--all')
      ? ([
          { ...base, scheduler: fast, sink: 'teams', capMs },
          { ...base, scheduler: fast, sink: 'slack', capMs },
        ] as Scenario[])
      : []),
    ...(quick
      ? []
      : ([
          { ...bound, scheduler: fast, sink: 'teams' },
          { ...bound, scheduler: fast, sink: 'slack' },
        ] as Scenario[])),
  ];
  const outcomes: Outcome[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    if (only !== undefined && !only.split(',').includes(String(i))) continue;
    outcomes.push(await run(scenario));
  }
  const table: BenchTable = {
    name: 'reminders',
    title: `Reminders due at the same instant (${reminders} over ${conversations} conversations; limit-bound runs: 5000 over 250)`,
    columns: [
      'scheduler',
      'delivery',
      'reminders',
      'schedule time (rate)',
      'all delivered after',
      'rate /s',
      'limit allows /s',
      '% of limit',
      'lateness p50 / p99 / max s',
      'duplicates',
      'missed',
      '429 / no answer / retried / failed',
    ],
    rows: outcomes.map(row),
    notes: [
      'One process: scheduler, handler, outbox and fake platform; Redis on 127.0.0.1. The machine is shared: figures are indicative.',
      `Scheduling: Scheduler.schedule() per job (BullMQ: ${SCHEDULE_IN_FLIGHT} calls in flight; SQLite: one after another, as the calls are synchronous). The due time is set from a calibration run so scheduling ends before it.`,
      'The handler does what the round service does with a reminder minus loading and rendering the round: it hands one message to the channel output and returns (the outbox posts it later). Delivery = the sink ran (a) or the fake platform accepted the post (b).',
      'rate = delivered / (last delivery − due time). "limit allows" = reminders / the earliest finish the encoded limits permit (per thread, and per workspace for Slack), i.e. the rate if the platform were the only bottleneck.',
      "duplicates = deliveries of one reminder beyond the first (target 0); missed = reminders never delivered (target 0). 429 = answered by the fake (its windows equal the outbox's for Teams; Slack's chat.postMessage allows 3/1 s and 10/10 s per channel, the outbox sends 1/s); no answer = the bench's HTTP client got none (e.g. a keep-alive socket the fake had just closed), retried like a 503; retried = outbox retries; failed = given up.",
      'Targets: without limits, 100,000 dispatched within 60 s of the due time; with limits, ≥ 90 % of the rate the limits allow (meaningful where the limits bind: the 5000-over-250 runs; at 100,000 over 5,000 conversations the limits allow more than one process dispatches).',
    ],
  };
  return [table];
};

export default bench;

if (import.meta.main) await runStandalone(bench);
