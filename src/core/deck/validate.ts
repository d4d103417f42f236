import type { z } from 'zod';
import { type Deck, deckSchema, duplicateIds, formatPath } from './schema.ts';

export { formatPath } from './schema.ts';

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
  const problems = parsed.error.issues.map((issue) => toProblem(issue, file));
  // zod skips refinements when the shape is wrong; report duplicates anyway.
  for (const dup of duplicateIds(data)) {
    const path = formatPath(dup.path);
    if (!problems.some((p) => p.path === path && p.problem === dup.message)) {
      problems.push({ file, path, problem: dup.message });
    }
  }
  return { ok: false, problems };
}

function toProblem(issue: z.core.$ZodIssue, file: string): DeckProblem {
  return { file, path: formatPath(issue.path), problem: issue.message };
}

export function formatProblems(problems: readonly DeckProblem[]): string {
  return problems.map((p) => `${p.file}: ${p.path}: ${p.problem}`).join('\n');
}
