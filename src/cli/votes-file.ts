import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Deck } from '../core/deck/schema.ts';
import { formatPath } from '../core/deck/validate.ts';

/**
 * Recorded ratings to replay instead of random ones (e.g. a paper
 * ratingskema typed in): participant i gives `ratings[card][i]`; null = no vote.
 */
const rating = z.union([
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(4),
  z.literal(5),
  z.literal('na'),
  z.null(),
]);

const schema = z.strictObject({
  ratings: z.record(z.string(), z.array(rating)),
  priorities: z.array(z.array(z.string())).default([]),
});

export type RecordedVotes = z.infer<typeof schema>;

export class VotesFileError extends Error {}

export function loadVotesFile(path: string): RecordedVotes {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new VotesFileError(`${path}: cannot be read as JSON (${(cause as Error).message})`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${path}: ${formatPath(i.path)}: ${i.message}`);
    throw new VotesFileError(lines.join('\n'));
  }
  return parsed.data;
}

/**
 * Card ids and ballot sizes the round would refuse, reported like schema
 * problems instead of failing halfway through the simulation.
 */
export function checkVotesAgainstDeck(
  votes: RecordedVotes,
  deck: Deck,
  path: string,
  maxPriorities: number,
): void {
  const ids = new Set(
    deck.areas.flatMap((a) => a.missions.flatMap((m) => m.cards.map((c) => c.id))),
  );
  const unknown = (id: string) => `no card "${id}" in deck "${deck.id}"`;
  const lines: string[] = [];
  for (const id of Object.keys(votes.ratings)) {
    if (!ids.has(id)) lines.push(`${path}: ${formatPath(['ratings', id])}: ${unknown(id)}`);
  }
  votes.priorities.forEach((picks, i) => {
    const at = formatPath(['priorities', i]);
    if (picks.length > maxPriorities) lines.push(`${path}: ${at}: at most ${maxPriorities} cards`);
    if (new Set(picks).size !== picks.length) lines.push(`${path}: ${at}: a card is picked twice`);
    picks.forEach((id, j) => {
      if (!ids.has(id)) lines.push(`${path}: ${formatPath(['priorities', i, j])}: ${unknown(id)}`);
    });
  });
  if (lines.length > 0) throw new VotesFileError(lines.join('\n'));
}
