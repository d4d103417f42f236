/**
 * The floor of the web/Redis vote path: a bare node:http server (a child process, like the bot)
 * that does one Redis write per request — HSET of the voter's ballot, with node-redis, the
 * client the bot uses — and answers 200 JSON. The same requests as bench/vote-web.ts (POST
 * /api/rounds/:id/vote with a participant cookie, X-Forwarded-For and a small JSON body), the
 * same open-loop generator (bench/lib/load.ts), the same rates and phases.
 *
 *   node bench/floor-http-redis.ts [--quick]
 *
 * For ratios: `floorRedis(quick)` measures once per process and is memoised, so bench/vote-web.ts
 * (and a runner running both) reuse one measurement; `floorFor(rows, rate)` picks a rate's row.
 * `--serve` (internal) runs the floor server itself.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { benchRedis } from './lib/bot-process.ts';
import { type LoadRequest, type LoadResult, runLoad } from './lib/load.ts';
import { cpuPercent, type ProcSample, sampleProc } from './lib/proc.ts';
import { type Bench, type BenchTable, runStandalone } from './lib/report.ts';
import { fmt } from './lib/stats.ts';

const SELF = fileURLToPath(import.meta.url);

/**
 * Rates and phase lengths shared by the vote benchmarks (full and quick). VOTE_BENCH_RATES
 * (e.g. '2000,4000') replaces the rates, for exploring.
 */
export function phasesFor(quick: boolean) {
  const phases = quick
    ? { rates: [250, 1000], warmupSeconds: 1, seconds: 2 }
    : { rates: [250, 500, 1000, 2000], warmupSeconds: 2, seconds: 5 };
  const custom = process.env.VOTE_BENCH_RATES?.split(',').map(Number);
  if (custom?.every((r) => Number.isFinite(r) && r >= 1)) phases.rates = custom;
  return phases;
}

/** One measured phase of a server: the generator's figures plus the server's CPU and RSS. */
export interface PhaseRow {
  rate: number;
  load: LoadResult;
  /** Server CPU over the measured window, % of one core. */
  cpuPercent: number;
  /** Server RSS at the end of the measured window, MB. */
  rssMb: number;
}

/**
 * One open-loop phase against a server process: runLoad plus sampleProc(pid) over exactly the
 * measured window. Shared by the vote benchmarks.
 */
export async function measurePhase(
  pid: number,
  options: Omit<Parameters<typeof runLoad>[0], 'onWindow'>,
): Promise<PhaseRow> {
  let start: ProcSample | undefined;
  let end: ProcSample | undefined;
  const load = await runLoad({
    ...options,
    onWindow: (edge) => {
      if (edge === 'start') start = sampleProc(pid);
      else end = sampleProc(pid);
    },
  });
  return {
    rate: options.rate,
    load,
    cpuPercent: start && end ? cpuPercent(start, end) : Number.NaN,
    rssMb: end ? end.rssBytes / 1024 / 1024 : Number.NaN,
  };
}

// --- The scenario (runs in the load generator's process) ---

interface FloorArgs {
  voters: number;
}
interface FloorState {
  headers: Record<string, string>[];
  bodies: string[];
}

export function prepare(args: FloorArgs): FloorState {
  const headers = Array.from({ length: args.voters }, (_, v) => ({
    'content-type': 'application/json',
    // The same shape as the bot's participant ids (22 URL-safe characters).
    cookie: `dr_pid=floorvoter${String(v).padStart(12, '0')}`,
    'x-forwarded-for': `10.1.${Math.floor(v / 200)}.${(v % 200) + 1}`,
  }));
  const bodies = [1, 2, 3, 4, 5].map((value) => JSON.stringify({ cardId: 'floorcard', value }));
  return { headers, bodies };
}

export function request(state: FloorState, i: number): LoadRequest {
  const v = i % state.headers.length;
  return {
    method: 'POST',
    path: '/api/rounds/floorround/vote',
    headers: state.headers[v] as Record<string, string>,
    body: state.bodies[(i + v) % 5] as string,
  };
}

// --- The floor server (`--serve`, a child process) ---

async function serve(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const key = `${process.env.FLOOR_PREFIX ?? 'bench:floor:'}ballots`;
  const redis = createClient({ url });
  redis.on('error', (error) => process.stderr.write(`redis: ${String(error)}\n`));
  await redis.connect();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fail = (status: number) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"ok":false}');
      };
      let body: { cardId?: unknown; value?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        fail(400);
        return;
      }
      const pid = /dr_pid=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (req.method !== 'POST' || !pid || typeof body.cardId !== 'string') {
        fail(400);
        return;
      }
      redis.hSet(key, `${body.cardId}:${pid}`, String(body.value)).then(
        () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"ok":true}');
        },
        () => fail(503),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`Floor listening http://127.0.0.1:${port}\n`);
  });
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void redis.close().finally(() => process.exit(0));
  });
}

async function startFloor(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [SELF, '--serve'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('floor server did not start')), 15_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        const found = /Floor listening (http:\/\/\S+)/.exec(chunk);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
    });
    return { url, pid: child.pid as number, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// --- Measuring ---

/** Voters the floor's requests cycle through (as bench/vote-web.ts). */
export const FLOOR_VOTERS = 2000;

const memo = new Map<boolean, Promise<PhaseRow[] | undefined>>();

/**
 * The floor at each rate of phasesFor(quick); undefined when no Redis is reachable. Measured
 * once per process and mode, so every bench in one run compares with the same floor.
 */
export function floorRedis(quick: boolean): Promise<PhaseRow[] | undefined> {
  let found = memo.get(quick);
  if (!found) {
    found = measureFloor(quick);
    memo.set(quick, found);
  }
  return found;
}

/** The floor's row at `rate`, if measured. */
export const floorFor = (rows: PhaseRow[] | undefined, rate: number): PhaseRow | undefined =>
  rows?.find((r) => r.rate === rate);

async function measureFloor(quick: boolean): Promise<PhaseRow[] | undefined> {
  const redis = await benchRedis('floor');
  if (!redis) return undefined;
  const { rates, warmupSeconds, seconds } = phasesFor(quick);
  const floor = await startFloor({ REDIS_URL: redis.url, FLOOR_PREFIX: redis.prefix });
  const rows: PhaseRow[] = [];
  try {
    for (const rate of rates) {
      rows.push(
        await measurePhase(floor.pid, {
          target: floor.url,
          scenario: SELF,
          scenarioArgs: { voters: FLOOR_VOTERS } satisfies FloorArgs,
          rate,
          seconds,
          warmupSeconds,
        }),
      );
    }
  } finally {
    await floor.stop();
    await redis.cleanup();
  }
  return rows;
}

/** Table cells of a phase row (shared with bench/vote-web.ts). */
export function phaseCells(row: PhaseRow): Record<string, string | number> {
  const { load } = row;
  return {
    'target/s': row.rate,
    'achieved/s': fmt(load.achievedRate),
    ok: load.ok,
    errors: load.errors,
    'p50 ms': fmt(load.latencies.p50),
    'p99 ms': fmt(load.latencies.p99),
    'server CPU %': fmt(row.cpuPercent),
    'server RSS MB': fmt(row.rssMb),
    'CPU µs/req': fmt(cpuMicrosPerRequest(row)),
  };
}

/** Server CPU per ok response over the measured window, µs. */
export const cpuMicrosPerRequest = (row: PhaseRow): number =>
  (row.cpuPercent / 100 / row.load.achievedRate) * 1e6;

/** The columns of a web phase (`phaseCells`). */
export const WEB_PHASE_COLUMNS = [
  'target/s',
  'achieved/s',
  'ok',
  'errors',
  'p50 ms',
  'p99 ms',
  'server CPU %',
  'server RSS MB',
  'CPU µs/req',
];

export const floorHttpRedisBench: Bench = async ({ quick }) => {
  const rows = await floorRedis(quick);
  const { warmupSeconds, seconds } = phasesFor(quick);
  const table: BenchTable = {
    name: 'floor-http-redis',
    title: 'Floor: bare node:http + one Redis HSET per request',
    columns: WEB_PHASE_COLUMNS,
    rows: (rows ?? []).map(phaseCells),
    notes: [
      rows
        ? `Open loop from a separate process on loopback, ${warmupSeconds} s warm-up + ${seconds} s measured per rate, ${FLOOR_VOTERS} voters (cookie + X-Forwarded-For each), keep-alive pool of 128 sockets, 5 s timeout.`
        : 'Skipped: no Redis at REDIS_URL (default redis://127.0.0.1:6379).',
      'The server: one process, node:http, JSON.parse of the body, one HSET with node-redis (one connection, auto-pipelined), 200 {"ok":true}. No framework, no validation beyond the cookie, no reads.',
      'Latency from the scheduled send time to the end of the response (no coordinated omission); the generator fires on a ~1 ms timer, so ~1 ms of every figure is the generator.',
      'Errors: non-2xx, timeouts (5 s) and connection errors of the measured phase. CPU µs/req = server CPU over the window / ok responses in it (the CPU of Redis itself not counted).',
    ],
  };
  return [table];
};

export default floorHttpRedisBench;

if (import.meta.main) {
  if (process.argv.includes('--serve')) await serve();
  else await runStandalone(floorHttpRedisBench);
}
