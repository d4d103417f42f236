import { readFileSync } from 'node:fs';
import { z } from 'zod';
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
