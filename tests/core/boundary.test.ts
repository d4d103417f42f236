import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The core is pure: no I/O, no clock, no randomness, no platform SDK. These
 * tests read its sources and fail on any import or call that would break that.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORE = join(ROOT, 'src', 'core');

/** Packages the core may import. */
const ALLOWED_PACKAGES = new Set(['zod']);

/** Layers the core must never reach into. */
const OUTER_LAYERS = ['app', 'store', 'scheduler', 'channels', 'cli'].map((d) =>
  join(ROOT, 'src', d),
);

const NODE_BUILTINS = new Set([
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'sqlite',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'vm',
  'worker_threads',
  'zlib',
]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Blanks out comments, keeping strings and line breaks, so that patterns in
 * comments do not count and line numbers stay right.
 */
function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) {
        if (source[i] === '\n') out += '\n';
        i++;
      }
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const quote = c;
      out += source[i++];
      while (i < source.length && source[i] !== quote) {
        if (source[i] === '\\') out += source[i++];
        if (i < source.length) out += source[i++];
      }
      if (i < source.length) out += source[i++];
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT_PATTERNS = [
  // import x from '…', import { x } from '…', import type …, export … from '…'
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  // import '…' (side effects)
  /\bimport\s*['"]([^'"]+)['"]/g,
  // import('…'), require('…')
  /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

function importsOf(source: string): { specifier: string; line: number }[] {
  const code = stripComments(source);
  const found: { specifier: string; line: number }[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier === undefined) continue;
      const line = code.slice(0, match.index).split('\n').length;
      found.push({ specifier, line });
    }
  }
  return found;
}

/** Why an import is not allowed in the core at `file`, or undefined when it is fine. */
function importProblem(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return 'a Node built-in';
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = resolve(dirname(file), specifier);
    const layer = OUTER_LAYERS.find((d) => target === d || target.startsWith(d + sep));
    if (layer) return `an outer layer (${relative(ROOT, layer)})`;
    if (!(target === CORE || target.startsWith(CORE + sep))) return 'a module outside src/core';
    return undefined;
  }
  if (NODE_BUILTINS.has(specifier)) return 'a Node built-in';
  const name = specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] ?? specifier);
  if (!ALLOWED_PACKAGES.has(name)) return `package "${name}" (only zod is allowed)`;
  return undefined;
}

const IMPURE_PATTERNS: [RegExp, string][] = [
  [/\bDate\.now\s*\(/g, 'Date.now() reads the clock'],
  [/\bnew\s+Date\s*\(\s*\)/g, 'new Date() reads the clock'],
  [/\bnew\s+Date\b(?!\s*\()/g, 'new Date reads the clock'],
  [/\bMath\.random\s*\(/g, 'Math.random() is not deterministic'],
  [/(?<![.\w$])process\s*\./g, 'process.* is I/O or environment'],
  [/\bperformance\.now\s*\(/g, 'performance.now() reads the clock'],
  [/\bcrypto\.(?:randomUUID|getRandomValues)\s*\(/g, 'crypto randomness is not deterministic'],
];

function impurities(source: string): { what: string; line: number }[] {
  const code = stripComments(source);
  const found: { what: string; line: number }[] = [];
  for (const [pattern, what] of IMPURE_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      found.push({ what, line: code.slice(0, match.index).split('\n').length });
    }
  }
  return found;
}

describe('the core boundary', () => {
  const files = tsFiles(CORE);

  it('finds the core sources', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.map((f) => relative(CORE, f))).toContain(join('round', 'transition.ts'));
  });

  it('imports nothing but other core modules and zod', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const { specifier, line } of importsOf(readFileSync(file, 'utf8'))) {
        const problem = importProblem(file, specifier);
        if (problem)
          problems.push(`${relative(ROOT, file)}:${line} imports '${specifier}': ${problem}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('reads no clock, no randomness and no process', () => {
    const problems: string[] = [];
    for (const file of files) {
      for (const { what, line } of impurities(readFileSync(file, 'utf8'))) {
        problems.push(`${relative(ROOT, file)}:${line}: ${what}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('the boundary checks themselves', () => {
  const file = join(CORE, 'round', 'x.ts');

  it('find every form of import', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import * as fs from 'node:fs';",
      "import 'side-effect';",
      "export { c } from './c.ts';",
      "const d = await import('pg');",
      "const e = require('path');",
      "import {\n  f,\n  g,\n} from 'zod';",
      "// import h from 'commented-out';",
      "/* import i from 'also-commented'; */",
    ].join('\n');
    expect(
      importsOf(source)
        .map((i) => i.specifier)
        .sort(),
    ).toEqual(
      ['../b.ts', './a.ts', './c.ts', 'node:fs', 'path', 'pg', 'side-effect', 'zod'].sort(),
    );
  });

  it('judge imports', () => {
    expect(importProblem(file, './steps.ts')).toBeUndefined();
    expect(importProblem(file, '../model.ts')).toBeUndefined();
    expect(importProblem(file, 'zod')).toBeUndefined();
    expect(importProblem(file, 'zod/v4')).toBeUndefined();
    expect(importProblem(file, 'node:fs')).toBeDefined();
    expect(importProblem(file, 'fs')).toBeDefined();
    expect(importProblem(file, 'path')).toBeDefined();
    expect(importProblem(file, 'crypto')).toBeDefined();
    expect(importProblem(file, 'pino')).toBeDefined();
    expect(importProblem(file, '@slack/bolt')).toBeDefined();
    expect(importProblem(file, '../../app/round.ts')).toMatch(/src\/app/);
    expect(importProblem(file, '../../store/sqlite.ts')).toMatch(/src\/store/);
    expect(importProblem(file, '../../scheduler/x.ts')).toMatch(/src\/scheduler/);
    expect(importProblem(file, '../../channels/slack/x.ts')).toMatch(/src\/channels/);
    expect(importProblem(file, '../../cli/main.ts')).toMatch(/src\/cli/);
    expect(importProblem(file, '../../config.ts')).toBeDefined();
  });

  it('find impure calls outside comments', () => {
    const source = [
      'const a = Date.now();',
      'const b = new Date();',
      'const c = new Date(0);',
      'const d = Math.random();',
      'const e = process.env.X;',
      '// Date.now() in a comment',
      '/* new Date() */',
      'const f = Date.UTC(2026, 0, 1);',
      'const g = state.process.x;',
    ].join('\n');
    expect(
      impurities(source)
        .map((i) => i.line)
        .sort(),
    ).toEqual([1, 2, 4, 5]);
  });
});
