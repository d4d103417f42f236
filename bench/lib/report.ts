import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What every benchmark returns: a titled table (one row per measured case)
 * and notes (method, caveats). `bench/run.ts` runs them in turn, writes each
 * to `bench/results/<name>.json` and prints the tables as Markdown.
 */
export interface BenchTable {
  /** File-friendly id, e.g. 'vote-path'. */
  name: string;
  title: string;
  /** Column order of the table. */
  columns: string[];
  rows: Record<string, string | number>[];
  notes: string[];
}

export interface BenchOptions {
  /** Smaller counts and shorter phases (a smoke run in seconds, e.g. for a quick check). */
  quick: boolean;
}

export type Bench = (options: BenchOptions) => Promise<BenchTable[]>;

export function toMarkdown(table: BenchTable): string {
  const head = `| ${table.columns.join(' | ')} |`;
  const rule = `| ${table.columns.map(() => '---').join(' | ')} |`;
  const body = table.rows.map(
    (row) => `| ${table.columns.map((c) => String(row[c] ?? '–')).join(' | ')} |`,
  );
  const notes = table.notes.map((n) => `- ${n}`);
  return [`### ${table.title}`, '', head, rule, ...body, '', ...notes, ''].join('\n');
}

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

export function saveTable(table: BenchTable): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${table.name}.json`), `${JSON.stringify(table, null, 2)}\n`);
}

/** For `node bench/<file>.ts` alone: runs one benchmark and prints its tables. */
export async function runStandalone(bench: Bench): Promise<void> {
  const quick = process.argv.includes('--quick');
  for (const table of await bench({ quick })) {
    saveTable(table);
    process.stdout.write(`${toMarkdown(table)}\n`);
  }
}
