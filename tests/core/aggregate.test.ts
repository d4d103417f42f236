import { describe, expect, it } from 'vitest';
import { bandOf, cardResult, meanOf, priorityResult, statsOf } from '../../src/core/aggregate.ts';
import type { Tally } from '../../src/core/model.ts';

/** A card tally from counts per rating; ballots = every rating plus 'na'. */
function tally(counts: Partial<Record<'1' | '2' | '3' | '4' | '5' | 'na', number>>): Tally {
  const clean = Object.fromEntries(
    Object.entries(counts).filter(([, n]) => n !== undefined),
  ) as Record<string, number>;
  return { ballots: Object.values(clean).reduce((a, b) => a + b, 0), counts: clean };
}

describe('statsOf', () => {
  // Ratings 1, 3, 3, 4, 4, 4, 5 and two "don't know".
  const mixed = tally({ '1': 1, '2': 0, '3': 2, '4': 3, '5': 1, na: 2 });

  it('counts ratings and abstentions apart', () => {
    const s = statsOf(mixed);
    expect(s.n).toBe(7);
    expect(s.abstentions).toBe(2);
    expect(s.distribution).toEqual([1, 0, 2, 3, 1]);
  });

  it('mean, median and spread by hand', () => {
    const s = statsOf(mixed);
    // sum = 1·1 + 3·2 + 4·3 + 5·1 = 24
    expect(s.mean).toBeCloseTo(24 / 7, 9);
    // sorted 1 3 3 4 4 4 5 → the 4th value
    expect(s.median).toBe(4);
    // population variance = Σx²/n − mean² = 92/7 − 576/49 = 68/49
    expect(s.spread).toBeCloseTo(Math.sqrt(68) / 7, 9);
    expect(s.spread).toBeCloseTo(1.1780301787, 9);
    // only 1 of 7 rated 1–2: no disagreement
    expect(s.disagreement).toBe(false);
  });

  it('a polarised card: disagreement, spread 2', () => {
    const s = statsOf(tally({ '1': 3, '5': 3 }));
    expect(s.n).toBe(6);
    expect(s.mean).toBe(3);
    expect(s.median).toBe(3);
    expect(s.spread).toBeCloseTo(2, 9);
    expect(s.disagreement).toBe(true);
  });

  it('disagreement needs a quarter at each end', () => {
    expect(statsOf(tally({ '1': 1, '3': 2, '5': 1 })).disagreement).toBe(true);
    expect(statsOf(tally({ '2': 1, '3': 2, '4': 1 })).disagreement).toBe(true);
    expect(statsOf(tally({ '1': 1, '3': 3, '5': 1 })).disagreement).toBe(false);
    expect(statsOf(tally({ '1': 4, '5': 1, '3': 0 })).disagreement).toBe(false);
    expect(statsOf(tally({ '3': 5 })).disagreement).toBe(false);
  });

  it('even n: the median is the mean of the two middle ratings', () => {
    expect(statsOf(tally({ '2': 1, '3': 1, '4': 1, '5': 1 })).median).toBe(3.5);
    expect(statsOf(tally({ '1': 1, '2': 1 })).median).toBe(1.5);
    expect(statsOf(tally({ '1': 2, '4': 1, '5': 1 })).median).toBe(2.5);
    expect(statsOf(tally({ '4': 2 })).median).toBe(4);
  });

  it('odd n', () => {
    expect(statsOf(tally({ '5': 1 })).median).toBe(5);
    expect(statsOf(tally({ '1': 2, '5': 1 })).median).toBe(1);
    expect(statsOf(tally({ '1': 1, '5': 2 })).median).toBe(5);
  });

  it('a tally of "don\'t know" only: n 0, no disagreement', () => {
    const s = statsOf(tally({ na: 4 }));
    expect(s).toMatchObject({ n: 0, abstentions: 4, mean: 0, median: 0, spread: 0 });
    expect(s.disagreement).toBe(false);
  });

  it('an empty tally', () => {
    expect(statsOf({ ballots: 0, counts: {} })).toEqual({
      n: 0,
      abstentions: 0,
      mean: 0,
      median: 0,
      distribution: [0, 0, 0, 0, 0],
      spread: 0,
      disagreement: false,
    });
  });
});

describe('cardResult and k', () => {
  it('n = k − 1: withheld below_threshold (n is shown once closed)', () => {
    expect(cardResult('closed', tally({ '4': 2 }), 3)).toEqual({
      released: false,
      reason: 'below_threshold',
      n: 2,
      abstentions: 0,
    });
    expect(cardResult('closed', tally({ '4': 4 }), 5)).toMatchObject({
      released: false,
      reason: 'below_threshold',
    });
  });

  it('n = k: released with the stats', () => {
    const t = tally({ '2': 1, '4': 2 });
    expect(cardResult('closed', t, 3)).toEqual({ released: true, ...statsOf(t) });
    expect(cardResult('closed', tally({ '4': 5 }), 5).released).toBe(true);
  });

  it('"don\'t know" does not count towards k', () => {
    expect(cardResult('closed', tally({ '3': 2, na: 5 }), 3)).toEqual({
      released: false,
      reason: 'below_threshold',
      n: 2,
      abstentions: 5,
    });
  });

  it('an open card shows nothing, not even live counts', () => {
    const result = cardResult('open', tally({ '1': 4, '5': 6, na: 2 }), 3);
    expect(result).toEqual({ released: false, reason: 'open', n: 0, abstentions: 0 });
  });

  it('a pending card shows nothing', () => {
    expect(cardResult('pending', undefined, 3)).toEqual({
      released: false,
      reason: 'pending',
      n: 0,
      abstentions: 0,
    });
  });

  it('a closed card nobody rated', () => {
    expect(cardResult('closed', undefined, 3)).toEqual({
      released: false,
      reason: 'below_threshold',
      n: 0,
      abstentions: 0,
    });
  });
});

describe('bandOf', () => {
  it.each([
    [null, 'none'],
    [1, 'weak'],
    [2.49, 'weak'],
    [2.5, 'moderate'],
    [3.99, 'moderate'],
    [4, 'strong'],
    [5, 'strong'],
  ] as const)('%s → %s', (score, band) => {
    expect(bandOf(score)).toBe(band);
  });
});

describe('meanOf', () => {
  it('averages the scores that exist', () => {
    expect(meanOf([2, null, 4])).toBe(3);
    expect(meanOf([null, null])).toBeNull();
    expect(meanOf([])).toBeNull();
  });
});

describe('priorityResult', () => {
  const order = ['a', 'b', 'c', 'd', 'e'];
  const priorityTally = (ballots: number, counts: Record<string, number>): Tally => ({
    ballots,
    counts,
  });

  it('ranks by votes, most first; ties keep the card order; unchosen cards are left out', () => {
    const result = priorityResult('closed', priorityTally(4, { d: 3, b: 2, e: 3, a: 1 }), 3, order);
    expect(result).toEqual({
      released: true,
      ballots: 4,
      ranking: [
        { cardId: 'd', votes: 3 },
        { cardId: 'e', votes: 3 },
        { cardId: 'b', votes: 2 },
        { cardId: 'a', votes: 1 },
      ],
    });
  });

  it('the card order decides ties, not the order of the counts', () => {
    const result = priorityResult('closed', priorityTally(3, { c: 2, a: 2, b: 2 }), 3, order);
    expect(result.released && result.ranking.map((r) => r.cardId)).toEqual(['a', 'b', 'c']);
  });

  it('fewer than k ballots: withheld below_threshold', () => {
    expect(priorityResult('closed', priorityTally(2, { a: 2 }), 3, order)).toEqual({
      released: false,
      reason: 'below_threshold',
      ballots: 2,
    });
    expect(priorityResult('closed', undefined, 3, order)).toEqual({
      released: false,
      reason: 'below_threshold',
      ballots: 0,
    });
  });

  it('while open: withheld, with no ballot count', () => {
    expect(priorityResult('open', priorityTally(9, { a: 9 }), 3, order)).toEqual({
      released: false,
      reason: 'open',
      ballots: 0,
    });
    expect(priorityResult('pending', undefined, 3, order)).toEqual({
      released: false,
      reason: 'pending',
      ballots: 0,
    });
  });

  it('exactly k ballots: released', () => {
    expect(priorityResult('closed', priorityTally(3, { b: 1 }), 3, order).released).toBe(true);
  });
});
