/**
 * The shape the Slack and Teams vote benchmarks and their floors share: a
 * floor server that announces itself, the floor measured at the plan's rates,
 * and a vote benchmark over both stores with its ratios to the floor.
 */
import type { Server } from 'node:http';
import type { LoadResult } from './load.ts';
import {
  deleteRedisPrefix,
  errorKinds,
  type FloorFigures,
  floorFromRows,
  floorSummary,
  generatorNote,
  measurePhase,
  PHASE_COLUMNS,
  type PhasePlan,
  type PhaseRow,
  phasePlan,
  phaseRow,
  RATIO_COLUMNS,
  recentFloor,
  startFloorProcess,
  withRatios,
} from './platform-phase.ts';
import type { Bench, BenchTable } from './report.ts';

export interface Measured {
  rows: PhaseRow[];
  notes: string[];
}

/** Notes on a phase's errors and on the load generator falling behind, each starting with `label`. */
export function phaseNotes(label: string, load: LoadResult): string[] {
  const notes: string[] = [];
  const kinds = errorKinds(load);
  if (kinds) notes.push(`${label} errors: ${kinds}; e.g. ${load.errorSamples[0] ?? ''}`);
  const lag = generatorNote(load);
  if (lag) notes.push(`${label}: ${lag}`);
  return notes;
}

/** A floor server's side of `startFloorProcess`: prints "LISTENING <url>", closes on SIGTERM. */
export function announceListening(server: Server): void {
  server.once('listening', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`LISTENING http://127.0.0.1:${port}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

/**
 * Runs the floor server in `file` (started with `--serve`) at the plan's
 * rates with the bodies `scenario` makes from `args(run)`; rows carry
 * `_achieved`, `_p99`, `_quick` and `_at` for the vote benchmarks' ratios.
 */
export async function measureFloor(o: {
  file: string;
  env: Record<string, string>;
  scenario: string;
  args: (run: string) => unknown;
  quick: boolean;
}): Promise<Measured> {
  const plan = phasePlan(o.quick);
  const floor = await startFloorProcess(o.file, o.env);
  const rows: PhaseRow[] = [];
  const notes: string[] = [];
  try {
    for (const [p, rate] of plan.rates.entries()) {
      const r = await measurePhase({
        pid: floor.pid,
        target: floor.url,
        scenario: o.scenario,
        scenarioArgs: o.args(`F${p}`),
        rate,
        plan,
      });
      rows.push({ ...phaseRow({}, r), _quick: o.quick ? 1 : 0, _at: Date.now() });
      notes.push(...phaseNotes(`${rate}/s`, r.load));
    }
  } finally {
    await floor.stop();
  }
  return { rows, notes };
}

/** A floor's table: the phases and their notes after the floor's own `notes`. */
export function floorBench(o: {
  name: string;
  title: string;
  measure: (quick: boolean) => Promise<Measured>;
  notes: (plan: PhasePlan) => string[];
}): Bench {
  return async ({ quick }) => {
    const { rows, notes } = await o.measure(quick);
    const table: BenchTable = {
      name: o.name,
      title: o.title,
      columns: PHASE_COLUMNS,
      rows,
      notes: [...o.notes(phasePlan(quick)), ...notes],
    };
    return [table];
  };
}

/** Deletes a Redis run's keys; the note saying so (none for SQLite). */
export async function dropRunKeys(store: 'sqlite' | 'redis', prefix: string): Promise<string[]> {
  if (store !== 'redis') return [];
  const deleted = await deleteRedisPrefix(prefix);
  return [`redis: ${deleted} keys under ${prefix} deleted afterwards.`];
}

/**
 * A vote benchmark: `measureStore` for SQLite, then Redis, each row with its
 * ratios to the floor (the one measured earlier in this suite run, else
 * measured now by `measureFloor`).
 */
export function voteBench(o: {
  name: string;
  title: string;
  /** Columns after the phase's own, before the ratios. */
  columns: string[];
  floor: { name: string; measure: (quick: boolean) => Promise<Measured> };
  measureStore: (store: 'sqlite' | 'redis', quick: boolean) => Promise<Measured>;
  /** What the path is and how it is loaded (before the floor's notes). */
  notes: (plan: PhasePlan) => string[];
}): Bench {
  return async ({ quick }) => {
    const plan = phasePlan(quick);
    let floor: FloorFigures | undefined = recentFloor(o.floor.name, quick, plan.rates);
    const floorNotes: string[] = [];
    if (!floor) {
      const measured = await o.floor.measure(quick);
      floor = floorFromRows(measured.rows, `bench/${o.floor.name}.ts, measured now`);
      floorNotes.push(...measured.notes.map((n) => `floor ${n}`));
    }
    const rows: PhaseRow[] = [];
    const notes: string[] = [];
    for (const store of ['sqlite', 'redis'] as const) {
      const run = await o.measureStore(store, quick);
      rows.push(...run.rows.map((row) => withRatios(row, floor)));
      notes.push(...run.notes);
    }
    const table: BenchTable = {
      name: o.name,
      title: o.title,
      columns: ['store', ...PHASE_COLUMNS, ...o.columns, ...RATIO_COLUMNS],
      rows,
      notes: [
        ...o.notes(plan),
        `Floor: ${floor.source}. "vs floor" = achieved ÷ floor achieved at the same target; "p99 / floor" = p99 ÷ floor p99; "CPU/req / floor" = CPU ms per answered request ÷ the floor's (CPU ms/req = CPU % ÷ achieved rate: what a request costs, less sensitive than rates and latencies to other load on the machine).`,
        ...floorSummary(rows, floor),
        'All presses of a phase vote on one card of one round (up to 14,000 voters at 2000/s): work that grows with the voters of a round (SQLite counts ballots and participants with COUNT(*) on every vote) weighs more here than in a meeting of a few dozen people.',
        ...notes,
        ...floorNotes,
      ],
    };
    return [table];
  };
}
