/**
 * The web vote path: POST /api/rounds/:id/vote on `node src/main.ts`, with STORE=sqlite and
 * STORE=redis, at fixed open-loop rates (bench/lib/load.ts, a separate process on loopback).
 * Each request is one of VOTERS participants (each joined beforehand, with their own cookie and
 * client address) rating the one open card; values spread over 1–5. Redis rows are compared
 * with the floor (bench/floor-http-redis.ts) measured in the same run.
 *
 *   node bench/vote-web.ts [--quick] [--cpu-prof]
 *
 * This module is also the load scenario (prepare/request run in the generator's process).
 */
import { fileURLToPath } from 'node:url';
import type { CreateRoundResponse, RoundStateResponse } from '../src/channels/web/api-types.ts';
import type { CardVoteView } from '../src/core/views/types.ts';
import {
  cpuMicrosPerRequest,
  FLOOR_VOTERS,
  floorFor,
  floorRedis,
  measurePhase,
  type PhaseRow,
  phaseCells,
  phasesFor,
  WEB_PHASE_COLUMNS,
} from './floor-http-redis.ts';
import { type BenchRedis, benchRedis, startBotProcess } from './lib/bot-process.ts';
import type { LoadRequest } from './lib/load.ts';
import type { Bench, BenchTable } from './lib/report.ts';
import { runStandalone } from './lib/report.ts';
import { fmt } from './lib/stats.ts';

const SELF = fileURLToPath(import.meta.url);
/** Voters joined before the load; request i is voter i mod VOTERS (the floor's count too). */
const VOTERS = FLOOR_VOTERS;
/** A card of the default deck's 'udvikling' area. */
const CARD = 'mentorordninger';
/** Joins at once while preparing (each is a compare-and-set on the round). */
const JOIN_CONCURRENCY = 16;

/** A distinct client address per voter, sent as X-Forwarded-For (the bot trusts loopback proxies). */
const ipOf = (i: number) => `10.1.${Math.floor(i / 200)}.${(i % 200) + 1}`;

// --- The scenario (runs in the load generator's process) ---

interface VoteArgs {
  roundId: string;
  cardId: string;
  cookies: string[];
}
interface VoteState {
  path: string;
  headers: Record<string, string>[];
  bodies: string[];
}

export function prepare(args: VoteArgs): VoteState {
  return {
    path: `/api/rounds/${args.roundId}/vote`,
    headers: args.cookies.map((cookie, v) => ({
      'content-type': 'application/json',
      cookie,
      'x-forwarded-for': ipOf(v),
    })),
    bodies: [1, 2, 3, 4, 5].map((value) => JSON.stringify({ cardId: args.cardId, value })),
  };
}

export function request(state: VoteState, i: number): LoadRequest {
  const v = i % state.headers.length;
  return {
    method: 'POST',
    path: state.path,
    headers: state.headers[v] as Record<string, string>,
    // Voter v's value changes from round to round of the voters: votes spread over 1–5.
    body: state.bodies[(Math.floor(i / state.headers.length) + v) % 5] as string,
  };
}

// --- Setting up a round (in this process) ---

async function call<T>(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: T; cookie?: string }> {
  const h = { ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const pid = res.headers.get('set-cookie')?.match(/dr_pid=([^;]+)/)?.[1];
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json');
  return {
    status: res.status,
    body: (json ? JSON.parse(text) : text) as T,
    ...(pid && { cookie: `dr_pid=${pid}` }),
  };
}

interface Round {
  roundId: string;
  cookies: string[];
  facilitator: Record<string, string>;
}

/** A round at the rating step with CARD open and VOTERS joined, each with their cookie. */
export async function setUpRound(base: string): Promise<Round> {
  const fac: Record<string, string> = { 'x-forwarded-for': '10.255.0.1' };
  const created = await call<CreateRoundResponse>(base, 'POST', '/api/rounds', fac, {
    lang: 'da',
    scope: 'udvikling',
    k: 3,
  });
  if (created.status !== 201) throw new Error(`create: ${created.status}`);
  const { roundId } = created.body;
  fac['x-facilitator-secret'] = created.body.facilitatorUrl.split('#')[1] as string;
  const cmd = async (body: Record<string, unknown>) => {
    const r = await call(base, 'POST', `/api/rounds/${roundId}/command`, fac, body);
    if (r.status >= 300) throw new Error(`${String(body.type)}: ${r.status} ${JSON.stringify(r)}`);
  };
  const step = async () =>
    (await call<RoundStateResponse>(base, 'GET', `/api/rounds/${roundId}/state`, fac)).body.step;

  const cookies: string[] = new Array(VOTERS);
  let nextVoter = 0;
  await Promise.all(
    Array.from({ length: JOIN_CONCURRENCY }, async () => {
      while (nextVoter < VOTERS) {
        const v = nextVoter++;
        const r = await call(base, 'POST', `/api/rounds/${roundId}/join`, {
          'x-forwarded-for': ipOf(v),
        });
        if (r.status !== 200 || !r.cookie) throw new Error(`join ${v}: ${r.status}`);
        cookies[v] = r.cookie;
      }
    }),
  );
  // intro → scope → status → rating, then the card opens.
  for (let i = 0; i < 5 && (await step()) !== 'rating'; i++) {
    await cmd({ type: 'next', from: await step() });
  }
  await cmd({ type: 'openCard', cardId: CARD });
  return { roundId, cookies, facilitator: fac };
}

/** Participants and voters on CARD as the facilitator sees them: a sanity check after the load. */
async function tally(base: string, round: Round): Promise<string> {
  const s = await call<RoundStateResponse>(
    base,
    'GET',
    `/api/rounds/${round.roundId}/state`,
    round.facilitator,
  );
  const card = s.body.cards.find((c) => c.cardId === CARD) as CardVoteView | undefined;
  return `${s.body.participants} participants, ${card?.progress?.done ?? '?'} have rated the card`;
}

// --- The benchmark ---

interface StoreRun {
  store: 'sqlite' | 'redis';
  rows: PhaseRow[];
  check: string;
  setupSeconds: number;
}

async function runStore(
  store: 'sqlite' | 'redis',
  redis: BenchRedis | undefined,
  quick: boolean,
): Promise<StoreRun> {
  const { rates, warmupSeconds, seconds } = phasesFor(quick);
  const bot = await startBotProcess(store === 'redis' ? (redis as BenchRedis).env : {}, {
    profileName: `web-${store}`,
  });
  try {
    const setupStart = performance.now();
    const round = await setUpRound(bot.url);
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const rows: PhaseRow[] = [];
    for (const rate of rates) {
      rows.push(
        await measurePhase(bot.pid, {
          target: bot.url,
          scenario: SELF,
          scenarioArgs: {
            roundId: round.roundId,
            cardId: CARD,
            cookies: round.cookies,
          } satisfies VoteArgs,
          rate,
          seconds,
          warmupSeconds,
        }),
      );
    }
    return { store, rows, check: await tally(bot.url, round), setupSeconds };
  } finally {
    await bot.stop();
  }
}

export const voteWebBench: Bench = async ({ quick }) => {
  const { warmupSeconds, seconds } = phasesFor(quick);
  const redis = await benchRedis('vote-web');
  const runs: StoreRun[] = [await runStore('sqlite', undefined, quick)];
  if (redis) {
    try {
      runs.push(await runStore('redis', redis, quick));
    } finally {
      await redis.cleanup();
    }
  }
  const floor = await floorRedis(quick);

  const rows: Record<string, string | number>[] = [];
  const errorNotes: string[] = [];
  for (const run of runs) {
    for (const row of run.rows) {
      const f = run.store === 'redis' ? floorFor(floor, row.rate) : undefined;
      rows.push({
        store: run.store,
        ...phaseCells(row),
        'floor/s': f ? fmt(f.load.achievedRate) : '–',
        'floor p99 ms': f ? fmt(f.load.latencies.p99) : '–',
        ratio: f ? fmt(row.load.achievedRate / f.load.achievedRate) : '–',
        'CPU ratio': f ? fmt(cpuMicrosPerRequest(f) / cpuMicrosPerRequest(row)) : '–',
      });
      if (row.load.errors > 0) {
        errorNotes.push(
          `${run.store} @ ${row.rate}/s: ${JSON.stringify(row.load.statusCounts)}; e.g. ${row.load.errorSamples.slice(0, 2).join(' | ')}`,
        );
      }
    }
  }
  const table: BenchTable = {
    name: 'vote-web',
    title: 'Web vote path (POST /api/rounds/:id/vote), open loop, per store',
    columns: ['store', ...WEB_PHASE_COLUMNS, 'floor/s', 'floor p99 ms', 'ratio', 'CPU ratio'],
    rows,
    notes: [
      `One bot process per store (\`node src/main.ts\`, NODE_ENV=production, LOG_LEVEL=warn); one round at the rating step with one open card and ${VOTERS} participants joined beforehand (each with their own cookie). Request i is voter i mod ${VOTERS} rating that card (values spread over 1–5; a voter's later votes change their ballot).`,
      `Open loop from a separate process on loopback (bench/lib/load.ts): ${warmupSeconds} s warm-up + ${seconds} s measured per rate, keep-alive pool of 128 sockets, 5 s timeout. Latency = scheduled send → end of response (no coordinated omission); ~1 ms of it is the generator's timer. achieved/s = ok responses completed in the measured window per second.`,
      'Rate limits: the ballot limit is per client address (60 per 10 s, src/channels/web/limits.ts) and the server trusts X-Forwarded-For from loopback (`trust proxy loopback`), so each voter sends its own address as X-Forwarded-For, as phones behind a proxy would. At 2,000 votes/s each voter votes once a second (6/s allowed), so no request is limited; the limiter itself still runs on every request.',
      'server CPU % = the bot process over the measured window (100 % = one core of 2); the generator and Redis run on the same machine and are not counted. RSS at the end of the window.',
      'floor/s, ratio: the floor (bench/floor-http-redis.ts: bare node:http + one Redis HSET per request, same requests, same generator) at the same rate, measured in the same run; ratio = achieved / floor achieved. Only for Redis (the floor is a Redis floor). At rates both keep up with, the ratio is ~1; it drops where our path falls behind. CPU ratio = floor CPU µs/req ÷ ours: the share of the floor throughput a CPU-bound single process would reach (a capacity estimate that does not need overload; per-request CPU falls as the rate rises, so compare at the same rate).',
      ...runs.map(
        (r) =>
          `${r.store}: set-up (create, ${VOTERS} joins, open card) ${fmt(r.setupSeconds)} s; after the load: ${r.check}.`,
      ),
      ...(redis ? [] : ['Redis rows skipped: no Redis at REDIS_URL.']),
      ...errorNotes,
    ],
  };
  return [table];
};

export default voteWebBench;

if (import.meta.main) await runStandalone(voteWebBench);
