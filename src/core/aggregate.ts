import type { CardPhase, Tally } from './model.ts';

/**
 * Turning sealed tallies into results. Anonymity lives here: a card has a
 * result only once it is closed and at least k people rated it (1–5; "don't
 * know" does not count towards k).
 */

export type Band = 'weak' | 'moderate' | 'strong' | 'none';

/** Score bands on the måloversigt: below 2.5 weak, below 4 moderate, 4 and up strong. */
export function bandOf(score: number | null): Band {
  if (score === null) return 'none';
  if (score < 2.5) return 'weak';
  if (score < 4) return 'moderate';
  return 'strong';
}

export type Withheld = 'open' | 'pending' | 'below_threshold';

export interface CardStats {
  /** Ratings 1–5 given. */
  n: number;
  /** "Don't know / not relevant". */
  abstentions: number;
  mean: number;
  median: number;
  /** Count per rating 1…5 (index 0 is rating 1). */
  distribution: [number, number, number, number, number];
  /** Population standard deviation of the ratings. */
  spread: number;
  /** At least a quarter rated 1–2 and at least a quarter rated 4–5. */
  disagreement: boolean;
}

export type CardResult =
  | ({ released: true } & CardStats)
  | { released: false; reason: Withheld; n: number; abstentions: number };

const RATINGS = [1, 2, 3, 4, 5] as const;

export function statsOf(tally: Tally): CardStats {
  const distribution = RATINGS.map(
    (r) => tally.counts[String(r)] ?? 0,
  ) as CardStats['distribution'];
  const n = distribution.reduce((a, b) => a + b, 0);
  const abstentions = tally.counts.na ?? 0;
  const sum = distribution.reduce((acc, count, i) => acc + count * (i + 1), 0);
  const mean = n === 0 ? 0 : sum / n;
  const variance =
    n === 0 ? 0 : distribution.reduce((acc, count, i) => acc + count * (i + 1 - mean) ** 2, 0) / n;
  const low = (distribution[0] + distribution[1]) / (n || 1);
  const high = (distribution[3] + distribution[4]) / (n || 1);
  return {
    n,
    abstentions,
    mean,
    median: medianOf(distribution, n),
    distribution,
    spread: Math.sqrt(variance),
    disagreement: n > 0 && low >= 0.25 && high >= 0.25,
  };
}

/** Median of ratings given as counts; the mean of the two middle ratings when n is even. */
function medianOf(distribution: readonly number[], n: number): number {
  if (n === 0) return 0;
  const at = (position: number) => {
    let seen = 0;
    for (let i = 0; i < distribution.length; i++) {
      seen += distribution[i] ?? 0;
      if (position < seen) return i + 1;
    }
    return distribution.length;
  };
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/** A card's result as it may be shown: nothing while open, nothing below k. */
export function cardResult(phase: CardPhase, tally: Tally | undefined, k: number): CardResult {
  const stats = statsOf(tally ?? { ballots: 0, counts: {} });
  const withheld = (reason: Withheld): CardResult => ({
    released: false,
    reason,
    n: phase === 'closed' ? stats.n : 0,
    abstentions: phase === 'closed' ? stats.abstentions : 0,
  });
  if (phase === 'open') return withheld('open');
  if (phase === 'pending') return withheld('pending');
  if (stats.n < k) return withheld('below_threshold');
  return { released: true, ...stats };
}

/** The mean of the scores that exist, or null when none does. */
export function meanOf(scores: readonly (number | null)[]): number | null {
  const present = scores.filter((s): s is number => s !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

export interface PriorityRank {
  cardId: string;
  votes: number;
}

export type PriorityResult =
  | { released: true; ballots: number; ranking: PriorityRank[] }
  | { released: false; reason: Withheld; ballots: number };

/** The priority ranking, most chosen first; ties keep the given card order. */
export function priorityResult(
  phase: CardPhase,
  tally: Tally | undefined,
  k: number,
  cardOrder: readonly string[],
): PriorityResult {
  const ballots = tally?.ballots ?? 0;
  if (phase !== 'closed') return { released: false, reason: phase, ballots: 0 };
  if (ballots < k) return { released: false, reason: 'below_threshold', ballots };
  const counts = tally?.counts ?? {};
  const ranking = cardOrder
    .map((cardId) => ({ cardId, votes: counts[cardId] ?? 0 }))
    .filter((r) => r.votes > 0)
    .sort((a, b) => b.votes - a.votes);
  return { released: true, ballots, ranking };
}
