/**
 * Footprint of one bot process and of a round's data:
 * 1. Start-up: `node src/main.ts` (production env, SQLite, web channel) from
 *    spawn until /readyz answers 200; median of 5, each on a fresh DATA_DIR.
 * 2. RSS of one bot process (`node src/main.ts`, measured from /proc) with
 *    2,000 active rounds (quick 200), made through the web API as browsers
 *    do: create, 3 participants join, intro → scope → status → rating, the
 *    first card opened, 3 votes; then one Server-Sent-Events stream per round
 *    (the big screen's page) held open. Each round comes from its own client
 *    address (X-Forwarded-For; the server trusts loopback proxies) so the
 *    per-address rate limits see 2,000 facilitators, not one. SQLite and Redis.
 * 3. Bytes per completed round: 30 cards (the built-in deck), 20 voters,
 *    run to the end with the CLI's Simulation through the RoundService:
 *    Redis (MEMORY USAGE of every key under a unique prefix, rounds and their
 *    reminder jobs) and SQLite (file size after a WAL checkpoint, per round).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { ManualClock } from '../src/app/clock.ts';
import { createEmbeddedApp, createSharedApp, type EmbeddedApp } from '../src/app/compose.ts';
import { DeckCatalog } from '../src/app/decks.ts';
import { silentLogger } from '../src/app/logger.ts';
import type { RoundDefaults } from '../src/app/round-service.ts';
import { Simulation } from '../src/cli/simulation.ts';
import { activeRound, openStream, type RoundHandle, startBot } from './lib/footprint-bot.ts';
import { sampleProc } from './lib/proc.ts';
import { type Bench, type BenchTable, runStandalone } from './lib/report.ts';
import { fmt, median } from './lib/stats.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MB = 1024 * 1024;
const RSS_TARGET_MB = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function unlinkPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 10_000 })) {
      if (keys.length > 0) await client.unlink(keys);
    }
  } finally {
    await client.close();
  }
}

/* ------------------------------------------------------------------ 1. start-up */

async function startup(runs: number): Promise<BenchTable> {
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-footprint-'));
    try {
      const bot = await startBot({ DATA_DIR: dir });
      times.push(bot.readyMs);
      await sleep(500);
      rss.push(sampleProc(bot.pid).rssBytes);
      await bot.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    name: 'footprint-startup',
    title: 'Start-up of `node src/main.ts` until /readyz answers',
    columns: ['runs', 'median ms', 'min ms', 'max ms', 'idle RSS MB (median)'],
    rows: [
      {
        runs,
        'median ms': fmt(median(times)),
        'min ms': fmt(Math.min(...times)),
        'max ms': fmt(Math.max(...times)),
        'idle RSS MB (median)': fmt(median(rss) / MB),
      },
    ],
    notes: [
      'NODE_ENV=production, STORE=sqlite on a fresh DATA_DIR (database created and migrated), web channel only, LOG_LEVEL=warn; polled every 5 ms. Node strips the TypeScript types at load (no build step). Idle RSS 0.5 s after ready.',
    ],
  };
}

/* ------------------------------------------------------------------ 2. RSS with active rounds */

const PROBE = join(import.meta.dirname, 'lib', 'footprint-probe.ts');

interface Probe {
  heapTotal: number;
  heapUsed: number;
  external: number;
  spaces: Record<string, { size: number; used: number }>;
}

async function activeRounds(
  store: 'sqlite' | 'redis',
  count: number,
  nodeOptions = '',
): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-footprint-'));
  const prefix = `dialogrunde-bench:footprint:${randomUUID()}:`;
  const probeFile = join(dir, 'probe.json');
  const env: Record<string, string> = {
    DATA_DIR: dir,
    // The probe only reports the process's own memory figures (bench/lib/footprint-probe.ts).
    NODE_OPTIONS: `--import=${PROBE} ${nodeOptions}`.trim(),
    FOOTPRINT_PROBE: probeFile,
    ...(store === 'redis' && { STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix }),
  };
  const bot = await startBot(env);
  const streams: IncomingMessage[] = [];
  const probe = async (): Promise<Probe> => {
    await sleep(1100); // the probe writes once a second
    return JSON.parse(readFileSync(probeFile, 'utf8')) as Probe;
  };
  try {
    await sleep(1000);
    const idle = sampleProc(bot.pid);
    const t0 = performance.now();
    const rounds: RoundHandle[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) rounds.push(await activeRound(bot.url, next++));
      }),
    );
    const buildS = (performance.now() - t0) / 1000;
    await sleep(2000);
    const built = sampleProc(bot.pid);
    for (const r of rounds) {
      streams.push(
        await openStream(bot.url, `/api/rounds/${r.roundId}/events`, {
          'x-forwarded-for': r.ip,
        }),
      );
    }
    await sleep(2000);
    const heap = await probe();
    const streaming = sampleProc(bot.pid);
    const mb = (bytes: number) => fmt(bytes / MB);
    return {
      store: store === 'sqlite' ? 'SQLite (DATA_DIR file)' : 'Redis',
      NODE_OPTIONS: nodeOptions || '(none)',
      rounds: count,
      'made in s': `${fmt(buildS)} (${fmt((count * 11) / buildS)} req/s)`,
      'idle RSS MB': mb(idle.rssBytes),
      'RSS with rounds MB': mb(built.rssBytes),
      '+ 1 SSE stream per round MB': mb(streaming.rssBytes),
      'V8 heap used / total MB': `${mb(heap.heapUsed)} / ${mb(heap.heapTotal)}`,
      'young gen MB': mb(heap.spaces.new_space?.size ?? 0),
      'per round KB': fmt((streaming.rssBytes - idle.rssBytes) / count / 1024),
      [`≤ ${RSS_TARGET_MB} MB`]: streaming.rssBytes / MB <= RSS_TARGET_MB ? 'yes' : 'NO',
    };
  } finally {
    for (const s of streams) s.destroy();
    await bot.stop();
    rmSync(dir, { recursive: true, force: true });
    if (store === 'redis') await unlinkPrefix(prefix);
  }
}

/* ------------------------------------------------------------------ 3. bytes per completed round */

const DEFAULTS: RoundDefaults = {
  deckId: 'baeredygtigt-arbejdsmiljoe',
  lang: 'da',
  mode: 'sync',
  timeZone: 'Europe/Copenhagen',
  k: 3,
  maxPriorities: 3,
  reminderDaysBefore: 7,
  reminderHour: 9,
  stepMinutes: { status: 60, rating: 120, custom: 90, priority: 45 },
};
const SIM = { participants: 20, lang: 'da', mode: 'sync', k: 3 } as const;

async function runRounds(app: EmbeddedApp, clock: ManualClock, count: number): Promise<number> {
  let cards = 0;
  for (let i = 0; i < count; i++) {
    const state = await new Simulation(app, clock, { ...SIM, seed: i + 1 }, undefined).run();
    if (state.status !== 'ended')
      throw new Error(`round not ended: ${state.step}, ${state.status}`);
    cards = Object.keys(state.cards).length;
    clock.advance(60_000);
  }
  return cards;
}

async function redisPerRound(count: number): Promise<Record<string, string | number>> {
  const prefix = `dialogrunde-bench:footprint:${randomUUID()}:`;
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 0, 0));
  const app = await createSharedApp({
    url: REDIS_URL,
    prefix,
    secret: 'footprint-bench-secret-0123456789-abcdef',
    clock,
    output: { send: async () => {} },
    decks: DeckCatalog.load(),
    defaults: DEFAULTS,
    logger: silentLogger(),
  });
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  try {
    const t0 = performance.now();
    // Only the sync path of the simulation runs: it needs the service and store.load alone.
    const cards = await runRounds(app as unknown as EmbeddedApp, clock, count);
    const seconds = (performance.now() - t0) / 1000;
    await client.connect();
    const bytes = { store: 0, jobs: 0 };
    const keys = { store: 0, jobs: 0 };
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      for (const key of batch) {
        const used = (await client.memoryUsage(key, { SAMPLES: 0 })) ?? 0;
        const kind = key.startsWith(`${prefix}{jobs}`) ? 'jobs' : 'store';
        bytes[kind] += used;
        keys[kind] += 1;
      }
    }
    return {
      store: 'Redis',
      rounds: `${count} × ${cards} cards, ${SIM.participants} voters (${fmt(seconds / count)} s each)`,
      'bytes per round': `${fmt((bytes.store + bytes.jobs) / count / 1024)} KB`,
      breakdown: `rounds ${fmt(bytes.store / count / 1024)} KB in ${fmt(keys.store / count)} keys; reminder jobs (BullMQ) ${fmt(bytes.jobs / count / 1024)} KB in ${fmt(keys.jobs / count)} keys`,
    };
  } finally {
    if (client.isOpen) await client.close();
    await app.close();
    await unlinkPrefix(prefix);
  }
}

async function sqlitePerRound(count: number): Promise<Record<string, string | number>> {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-footprint-'));
  const path = join(dir, 'dialogrunde.sqlite');
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 0, 0));
  const app = await createEmbeddedApp({
    sqlitePath: path,
    secret: 'footprint-bench-secret-0123456789-abcdef',
    clock,
    output: { send: async () => {} },
    decks: DeckCatalog.load(),
    defaults: DEFAULTS,
    logger: silentLogger(),
  });
  try {
    const size = () => {
      app.store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      return statSync(path).size;
    };
    const empty = size();
    const t0 = performance.now();
    const cards = await runRounds(app, clock, count);
    const seconds = (performance.now() - t0) / 1000;
    const full = size();
    const pageSize = Number(
      (app.store.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size,
    );
    return {
      store: 'SQLite',
      rounds: `${count} × ${cards} cards, ${SIM.participants} voters (${fmt(seconds / count)} s each)`,
      'bytes per round': `${fmt((full - empty) / count / 1024)} KB`,
      breakdown: `file ${fmt(full / MB)} MB after ${count} rounds (empty ${fmt(empty / 1024)} KB; page ${pageSize} B; after a WAL checkpoint; rounds, ballots, jobs, channel memory in one file)`,
    };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = async ({ quick }) => {
  const count = quick ? 200 : 2000;
  const start = await startup(quick ? 3 : 5);
  const rss: BenchTable = {
    name: 'footprint-rss',
    title: `RSS of one bot process with ${count} active rounds`,
    columns: [
      'store',
      'NODE_OPTIONS',
      'rounds',
      'made in s',
      'idle RSS MB',
      'RSS with rounds MB',
      '+ 1 SSE stream per round MB',
      'V8 heap used / total MB',
      'young gen MB',
      'per round KB',
      `≤ ${RSS_TARGET_MB} MB`,
    ],
    rows: [
      await activeRounds('sqlite', count),
      await activeRounds('redis', count),
      // V8 sizes the young generation from the machine's memory (here 2 × 32 MB): capped.
      await activeRounds('sqlite', count, '--max-semi-space-size=4'),
      await activeRounds('sqlite', count, '--max-semi-space-size=1'),
      // With a heap cap V8 collects old garbage instead of growing into the host's memory.
      await activeRounds('redis', count, '--max-semi-space-size=1 --max-old-space-size=128'),
    ],
    notes: [
      '`node src/main.ts` in a child process (NODE_ENV=production, web channel), RSS from /proc/<pid>/status. Rounds made through the web API by 16 concurrent clients: create, 3 joins, next × 3, openNextCard, 3 votes (11 requests per round). RSS 2 s after the last round and about 3 s after the streams opened; no forced GC. V8 heap figures come from inside the bot: a preloaded probe (bench/lib/footprint-probe.ts, `--import`) writes process.memoryUsage() and the heap spaces to a file once a second.',
      `Target: ≤ ${RSS_TARGET_MB} MB per instance with 2,000 active rounds. "per round" = (RSS with streams − idle) / rounds.`,
      'V8 sizes its heap from the host (here 24 GiB, no cgroup limit): a young generation of 2 × 32 MB (64 MB; 128 MB seen with Redis) and an old generation that keeps garbage until it is large. NODE_OPTIONS rows show the same process with the young generation capped (--max-semi-space-size, MB per semi-space) and, for Redis, the old generation capped (--max-old-space-size=128). Live data after a full GC (heap snapshot, measured separately): 49 MB idle, 72 MB (SQLite) / 81 MB (Redis) with 2,000 rounds and 2,000 streams.',
    ],
  };
  const perRound: BenchTable = {
    name: 'footprint-per-round',
    title: 'Storage per completed round',
    columns: ['store', 'rounds', 'bytes per round', 'breakdown'],
    rows: [await redisPerRound(quick ? 2 : 10), await sqlitePerRound(quick ? 5 : 50)],
    notes: [
      'Each round runs to the end (ended) through the RoundService with the CLI simulation: all 30 cards of the built-in deck rated by 20 participants (a few abstain or answer "not relevant"), 2 status notes, 2 own initiatives (rated too), priorities, 3 plan items (whose reminders are scheduled), summary.',
      'Redis: MEMORY USAGE (SAMPLES 0) of every key under a unique prefix, summed; ended rounds expire after RETENTION_DAYS (400). SQLite: (file size − empty file size) / rounds, after PRAGMA wal_checkpoint(TRUNCATE).',
    ],
  };
  return [start, rss, perRound];
};

export default bench;

if (import.meta.main) await runStandalone(bench);
