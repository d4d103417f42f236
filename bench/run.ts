/**
 * `npm run bench [-- --quick] [-- name …]`: runs every benchmark in turn (never
 * two at once: they would share the two cores), writes each table to
 * bench/results/<name>.json and all of them, as Markdown, to
 * bench/results/summary.md. The whole suite is meant to stay under 10 minutes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { type Bench, RESULTS_DIR, saveTable, toMarkdown } from './lib/report.ts';

/** In the order they run: floors next to the paths they bound. */
const SUITE: { name: string; file: string }[] = [
  { name: 'floor-http-redis', file: './floor-http-redis.ts' },
  { name: 'vote-web', file: './vote-web.ts' },
  { name: 'floor-bolt', file: './floor-bolt.ts' },
  { name: 'vote-slack', file: './vote-slack.ts' },
  { name: 'floor-cloudadapter', file: './floor-cloudadapter.ts' },
  { name: 'vote-teams', file: './vote-teams.ts' },
  { name: 'burst', file: './burst.ts' },
  { name: 'reminders', file: './reminders.ts' },
  { name: 'footprint', file: './footprint.ts' },
];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));
const chosen = only.length > 0 ? SUITE.filter((b) => only.includes(b.name)) : SUITE;

const started = performance.now();
const sections: string[] = [
  `# Benchmark results (${new Date().toISOString()})`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${quick ? ', QUICK mode (smoke run)' : ''}.`,
  '',
];
let failed = 0;
for (const { name, file } of chosen) {
  const t0 = performance.now();
  process.stdout.write(`\n=== ${name} ===\n`);
  try {
    const bench = ((await import(file)) as { default?: Bench }).default;
    if (!bench) throw new Error(`${file} has no default export (a Bench)`);
    for (const table of await bench({ quick })) {
      saveTable(table);
      const md = toMarkdown(table);
      sections.push(md);
      process.stdout.write(`${md}\n`);
    }
  } catch (error) {
    failed += 1;
    sections.push(`### ${name}\n\nFAILED: ${String(error)}\n`);
    process.stderr.write(`${name} failed: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.stdout.write(`(${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}
const total = (performance.now() - started) / 1000;
sections.push(`Total: ${total.toFixed(0)} s.`);
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(join(RESULTS_DIR, 'summary.md'), `${sections.join('\n')}\n`);
process.stdout.write(
  `\nAll benchmarks: ${total.toFixed(0)} s; summary in bench/results/summary.md\n`,
);
process.exit(failed > 0 ? 1 : 0);
