import type { z } from 'zod';
import { type Deck, deckSchema } from './schema.ts';

export interface DeckProblem {
  /** Where the deck came from (file path or 'built-in'). */
  file: string;
  /** JSON path inside the deck, e.g. `areas[0].missions[1].cards[2].title.en`. */
  path: string;
  problem: string;
}

export type DeckResult = { ok: true; deck: Deck } | { ok: false; problems: DeckProblem[] };

/** Validates parsed JSON as a deck; every problem is reported, not only the first. */
export function validateDeck(data: unknown, file: string): DeckResult {
  const parsed = deckSchema.safeParse(data);
  if (parsed.success) return { ok: true, deck: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => toProblem(issue, file)) };
}

function toProblem(issue: z.core.$ZodIssue, file: string): DeckProblem {
  return { file, path: formatPath(issue.path), problem: issue.message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = String(part);
      return i === 0 ? name : `.${name}`;
    })
    .join('');
}

export function formatProblems(problems: readonly DeckProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.problem}`).join('\n');
}
