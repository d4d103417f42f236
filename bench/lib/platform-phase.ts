/**
 * What the Slack and Teams vote benchmarks and their floors share: one
 * measured load phase against a server process (its CPU and RSS read from
 * /proc over exactly the measured window), the rows and formatting of their
 * tables, reading a floor measured earlier in the same suite run, and
 * deleting a benchmark's Redis keys.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from 'redis';
import { type LoadResult, runLoad } from './load.ts';
import { cpuPercent, type ProcSample, sampleProc } from './proc.ts';
import { type BenchTable, RESULTS_DIR } from './report.ts';
import { fmt } from './stats.ts';

export const REDIS_URL = 'redis://127.0.0.1:6379';

export interface PhasePlan {
  rates: number[];
  warmupSeconds: number;
  seconds: number;
}

/**
 * Full: 250…2000/s, 2 s warm-up + 5 s measured; quick: 250 and 1000/s, 1 + 2 s.
 * `--rates=250,250,1000` on the command line replaces the rates (for experiments).
 */
export function phasePlan(quick: boolean): PhasePlan {
  const given = process.argv.find((a) => a.startsWith('--rates='));
  const rates = given
    ?.slice('--rates='.length)
    .split(',')
    .map(Number)
    .filter((r) => r >= 1 && r <= 20_000);
  const plan = quick
    ? { rates: [250, 1000], warmupSeconds: 1, seconds: 2 }
    : { rates: [250, 500, 1000, 2000], warmupSeconds: 2, seconds: 5 };
  return rates && rates.length > 0 ? { ...plan, rates } : plan;
}

export interface PhaseResult {
  load: LoadResult;
  /** Server CPU over the measured window, % of one core. */
  cpu: number;
  /** Server RSS, highest seen in the measured window, MB. */
  rssMb: number;
}

/** One open-loop phase against `target`, with the server process `pid` sampled over the measured window. */
export async function measurePhase(o: {
  pid: number;
  target: string;
  scenario: string;
  scenarioArgs: unknown;
  rate: number;
  plan: PhasePlan;
}): Promise<PhaseResult> {
  let from: ProcSample | undefined;
  let to: ProcSample | undefined;
  let rss = 0;
  let ticker: NodeJS.Timeout | undefined;
  const sample = () => {
    try {
      const s = sampleProc(o.pid);
      rss = Math.max(rss, s.rssBytes);
      return s;
    } catch {
      return undefined;
    }
  };
  try {
    const load = await runLoad({
      target: o.target,
      scenario: o.scenario,
      scenarioArgs: o.scenarioArgs,
      rate: o.rate,
      seconds: o.plan.seconds,
      warmupSeconds: o.plan.warmupSeconds,
      onWindow: (edge) => {
        if (edge === 'start') {
          from = sample();
          ticker = setInterval(sample, 200);
        } else {
          clearInterval(ticker);
          to = sample();
        }
      },
    });
    return {
      load,
      cpu: from && to ? cpuPercent(from, to) : Number.NaN,
      rssMb: rss / 2 ** 20,
    };
  } finally {
    clearInterval(ticker);
  }
}

/** Waits until `count()` has not changed for `quietMs` (or `maxMs` passed); returns how long it took. */
export async function settle(count: () => number, quietMs = 500, maxMs = 20_000): Promise<number> {
  const start = performance.now();
  let last = count();
  let since = performance.now();
  while (performance.now() - start < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = count();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) break;
  }
  return performance.now() - start;
}

/** Deletes every key under `prefix` (SCAN + UNLINK); returns how many. */
export async function deleteRedisPrefix(prefix: string, url = REDIS_URL): Promise<number> {
  if (prefix.length < 8 || /[*?[\]]/.test(prefix)) throw new Error(`refusing prefix ${prefix}`);
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.unlink(keys);
    }
  } finally {
    client.destroy();
  }
  return deleted;
}

/** A table row of one phase; `_`-keys are kept in the JSON for later ratios, not shown. */
export type PhaseRow = Record<string, string | number>;

export function phaseRow(label: Record<string, string>, r: PhaseResult): PhaseRow {
  const l = r.load;
  return {
    ...label,
    target: l.rate,
    achieved: fmt(l.achievedRate),
    ok: l.ok,
    errors: l.errors,
    'p50 ms': fmt(l.latencies.p50),
    'p99 ms': fmt(l.latencies.p99),
    'CPU %': fmt(r.cpu),
    'CPU ms/req': fmt(cpuPerRequest(r)),
    'RSS MB': fmt(r.rssMb),
    _achieved: l.achievedRate,
    _cpuPerReq: cpuPerRequest(r),
    _p99: l.latencies.p99,
    _p50: l.latencies.p50,
  };
}

/**
 * Server CPU time per answered request over the measured window, ms: CPU
 * seconds per second ÷ answers per second. Less sensitive than rates and
 * latencies to other load on the machine (it is what the work costs, not
 * how soon it got a core); 1000 ÷ it ≈ the requests per second one core could carry.
 */
export function cpuPerRequest(r: PhaseResult): number {
  return r.load.achievedRate > 0 ? (r.cpu / 100) * (1000 / r.load.achievedRate) : Number.NaN;
}

export const PHASE_COLUMNS = [
  'target',
  'achieved',
  'ok',
  'errors',
  'p50 ms',
  'p99 ms',
  'CPU %',
  'CPU ms/req',
  'RSS MB',
];

/** Error kinds of a phase for a note, e.g. "timeout × 12, 500 × 3"; '' when none. */
export function errorKinds(l: LoadResult): string {
  return Object.entries(l.statusCounts)
    .filter(([k]) => !/^2\d\d$/.test(k))
    .map(([k, n]) => `${k} × ${n}`)
    .join(', ');
}

/** Floor figures per target rate. */
export interface FloorFigures {
  source: string;
  byRate: Map<number, { achieved: number; p99: number; cpuPerReq: number }>;
}

/**
 * The floor table a floor benchmark saved in this run (bench/run.ts runs the
 * floors right before the paths they bound): used when it is recent (< 1 h),
 * of the same mode and covers every rate; otherwise undefined.
 */
export function recentFloor(
  name: string,
  quick: boolean,
  rates: number[],
): FloorFigures | undefined {
  const file = join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const table = JSON.parse(readFileSync(file, 'utf8')) as BenchTable;
    const byRate: FloorFigures['byRate'] = new Map();
    let at = 0;
    for (const row of table.rows) {
      if (Boolean(row._quick) !== quick) return undefined;
      at = Number(row._at ?? 0);
      byRate.set(Number(row.target), {
        achieved: Number(row._achieved),
        p99: Number(row._p99),
        cpuPerReq: Number(row._cpuPerReq),
      });
    }
    if (Date.now() - at > 60 * 60 * 1000) return undefined;
    if (!rates.every((r) => byRate.has(r))) return undefined;
    return { source: `bench/results/${name}.json (${new Date(at).toISOString()})`, byRate };
  } catch {
    return undefined;
  }
}

export function floorFromRows(rows: PhaseRow[], source: string): FloorFigures {
  return {
    source,
    byRate: new Map(
      rows.map((r) => [
        Number(r.target),
        { achieved: Number(r._achieved), p99: Number(r._p99), cpuPerReq: Number(r._cpuPerReq) },
      ]),
    ),
  };
}

/**
 * Adds `vs floor` (achieved ÷ floor achieved), `p99 / floor` and
 * `CPU/req / floor` (server CPU per request ÷ the floor's) to a row.
 */
export function withRatios(row: PhaseRow, floor: FloorFigures): PhaseRow {
  const f = floor.byRate.get(Number(row.target));
  if (!f) return { ...row, 'vs floor': '–', 'p99 / floor': '–', 'CPU/req / floor': '–' };
  const ratio = Number(row._achieved) / f.achieved;
  return {
    ...row,
    'vs floor': `${Math.round(ratio * 100)} %`,
    'p99 / floor': `${fmt(Number(row._p99) / f.p99)}×`,
    'CPU/req / floor': `${fmt(Number(row._cpuPerReq) / f.cpuPerReq)}×`,
    _ratio: ratio,
  };
}

export interface FloorProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node <file> --serve` (a floor server) with `env`; it must print
 * `LISTENING http://127.0.0.1:<port>` on stdout. Killed (SIGKILL) by `stop`,
 * and should this process exit first.
 */
export async function startFloorProcess(
  file: string,
  env: Record<string, string> = {},
): Promise<FloorProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [file, '--serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    errors = (errors + c).slice(-2000);
  });
  child.stdout.setEncoding('utf8');
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) kill();
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error('floor did not start in 20 s')), 20_000);
      child.stdout.on('data', (c: string) => {
        seen += c;
        const found = /LISTENING (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        if (found?.[1]) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`floor exited (${code}) before it listened`));
      });
    });
    return { url, pid: child.pid as number, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${errors}`);
  }
}

/** A note when the load generator itself fell behind its schedule (send lag p99 > 10 ms). */
export function generatorNote(l: LoadResult): string {
  if (!(l.sendLag.p99 > 10)) return '';
  return `generator behind its schedule (send lag p99 ${fmt(l.sendLag.p99)} ms, generator CPU ${fmt(l.generatorCpuPercent)} %): latencies include that`;
}

export const RATIO_COLUMNS = ['vs floor', 'p99 / floor', 'CPU/req / floor'];

/**
 * Summary lines of a path against its floor, per store: the highest achieved
 * rate ÷ the floor's highest (capped by the plan's top rate, which the floor
 * carries without saturating), and a one-core capacity estimate from the CPU
 * ms/req at the top rate (1000 ÷ it; CPU per request falls as load rises, so
 * both sides are taken at the same rate) ÷ the floor's; and the p99 target at
 * 1000/s with Redis.
 */
export function floorSummary(rows: PhaseRow[], floor: FloorFigures): string[] {
  const floorBest = Math.max(...[...floor.byRate.values()].map((f) => f.achieved));
  const top = Math.max(...rows.map((r) => Number(r.target)));
  const floorTop = floor.byRate.get(top);
  const floorCost = floorTop?.cpuPerReq ?? Number.NaN;
  const floorCpu = floorTop ? (floorTop.cpuPerReq * floorTop.achieved) / 10 : Number.NaN;
  const parts = [...new Set(rows.map((r) => String(r.store)))].map((store) => {
    const mine = rows.filter((r) => r.store === store);
    const best = Math.max(...mine.map((r) => Number(r._achieved)));
    const cost = Number(mine.find((r) => Number(r.target) === top)?._cpuPerReq);
    return `${store}: highest achieved ${fmt(best)}/s = ${Math.round((best / floorBest) * 100)} % of the floor's ${fmt(floorBest)}/s; at ${top}/s ${fmt(cost)} CPU ms/req vs the floor's ${fmt(floorCost)} (floor at ${fmt(floorCpu)} % CPU) → one-core capacity ≈ ${fmt(1000 / cost)}/s vs ≈ ${fmt(1000 / floorCost)}/s = ${Math.round((floorCost / cost) * 100)} %`;
  });
  const at1000 = rows.find((r) => r.store === 'redis' && Number(r.target) === 1000);
  return [
    `Against the floor (target ≥ 60 %): ${parts.join('; ')}.`,
    ...(at1000
      ? [
          `Target p99 ≤ 50 ms at 1000/s with Redis: ${fmt(Number(at1000._p99))} ms (${Number(at1000._p99) <= 50 ? 'met' : 'missed'}).`,
        ]
      : []),
  ];
}
