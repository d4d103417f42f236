import type { BallotValue, BoxId, Tally } from '../core/model.ts';

/**
 * Folding ballots into counts when a box is sealed. Pure, so every store
 * (SQLite, Redis) seals identically.
 */

const RATING_KEYS = new Set(['1', '2', '3', '4', '5', 'na']);

export function isBoxId(value: string): value is BoxId {
  return value === 'priority' || (value.startsWith('card:') && value.length > 'card:'.length);
}

/** True when `value` is the right kind of ballot for `box`. */
export function ballotFits(box: BoxId, value: BallotValue): boolean {
  if (box === 'priority') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  return !Array.isArray(value) && RATING_KEYS.has(String(value));
}

/**
 * Card boxes count by '1'…'5' and 'na'; the priority box counts each card id
 * once per ballot (a repeated id in one ballot is not a second vote).
 */
export function foldBallots(box: BoxId, values: Iterable<BallotValue>): Tally {
  const tally: Tally = { ballots: 0, counts: {} };
  for (const value of values) {
    if (!ballotFits(box, value)) continue;
    tally.ballots += 1;
    const keys = Array.isArray(value) ? new Set(value) : [String(value)];
    for (const key of keys) tally.counts[key] = (tally.counts[key] ?? 0) + 1;
  }
  return tally;
}

/** Adds two tallies (a re-opened box sealed again adds to its earlier tally). */
export function mergeTallies(a: Tally | undefined, b: Tally): Tally {
  if (!a) return b;
  const counts = { ...a.counts };
  for (const [key, n] of Object.entries(b.counts)) counts[key] = (counts[key] ?? 0) + n;
  return { ballots: a.ballots + b.ballots, counts };
}
