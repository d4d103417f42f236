import { describe, expect, it } from 'vitest';
import type { BoxId, RoundCounts, RoundState, Scope, Tally } from '../../src/core/model.ts';
import { transition } from '../../src/core/round/transition.ts';
import { type CardSummary, summarize } from '../../src/core/summary.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

function startedRound(scope: Scope): RoundState {
  const result = transition(
    undefined,
    {
      type: 'start',
      roundId: 'r1',
      settings: testSettings(),
      conversation: { platform: 'web', tenant: 'local', conversationId: 'c1' },
      scope,
    },
    { now: T0, deck: testDeck, actor: { kind: 'user', key: 'fac' } },
  );
  if (!result.ok) throw new Error(result.error.code);
  return result.value.state;
}

type Counts = Partial<Record<'1' | '2' | '3' | '4' | '5' | 'na', number>>;

function tally(counts: Counts): Tally {
  const values = Object.values(counts).filter((n): n is number => n !== undefined);
  return { ballots: values.reduce((a, b) => a + b, 0), counts: counts as Record<string, number> };
}

function countsOf(cards: Record<string, Counts>, priority?: Tally, participants = 8): RoundCounts {
  const tallies: Partial<Record<BoxId, Tally>> = {};
  for (const [id, c] of Object.entries(cards)) tallies[`card:${id}`] = tally(c);
  if (priority) tallies.priority = priority;
  return { participants, ballots: {}, tallies };
}

const ids = (cards: CardSummary[]) => cards.map((c) => c.card.id);

/**
 * A whole-deck round, every card closed, k = 3, plus an own initiative in trivsel.
 *
 *   card                 ratings         n   mean
 *   mentorordninger      1, 2, 2         3   5/3
 *   lederfora            4, 4, 5         3   13/3
 *   supervision          3, 3, 4         3   10/3
 *   kompetenceudvikling  5, 5 (+3 na)    2   withheld (below k)
 *   omsorgssamtaler      4, 4, 5, 5      4   4.5
 *   naervaer             1, 1, 5, 5      4   3 (disagreement)
 *   c1 (custom, trivsel) 2, 2, 3         3   7/3
 *
 *   mission       score                          area          score
 *   ledere        (5/3 + 13/3)/2 = 3             udvikling     (3 + 10/3)/2 = 19/6
 *   medarbejdere  10/3                           fastholdelse  59/18
 *   trivsel       (4.5 + 3 + 7/3)/3 = 59/18
 */
function wholeRound() {
  const base = startedRound({ kind: 'all' });
  const state: RoundState = {
    ...base,
    step: 'summary',
    cards: {
      mentorordninger: 'closed',
      lederfora: 'closed',
      supervision: 'closed',
      kompetenceudvikling: 'closed',
      omsorgssamtaler: 'closed',
      naervaer: 'closed',
      c1: 'closed',
    },
    customCards: [
      { id: 'c1', missionId: 'trivsel', title: 'Fælles frokost', description: '', addedAt: T0 },
    ],
    priority: 'closed',
  };
  const counts = countsOf(
    {
      mentorordninger: { '1': 1, '2': 2 },
      lederfora: { '4': 2, '5': 1 },
      supervision: { '3': 2, '4': 1 },
      kompetenceudvikling: { '5': 2, na: 3 },
      omsorgssamtaler: { '4': 2, '5': 2 },
      naervaer: { '1': 2, '5': 2 },
      c1: { '2': 2, '3': 1 },
    },
    { ballots: 4, counts: { naervaer: 3, lederfora: 3, c1: 1 } },
  );
  return summarize(testDeck, state, counts);
}

describe('summarize: a whole-deck round', () => {
  const summary = wholeRound();
  const mission = (id: string) => {
    const found = summary.areas.flatMap((a) => a.missions).find((m) => m.mission.id === id);
    if (!found) throw new Error(`no mission ${id}`);
    return found;
  };
  const area = (id: string) => {
    const found = summary.areas.find((a) => a.area.id === id);
    if (!found) throw new Error(`no area ${id}`);
    return found;
  };

  it('mission scores are the mean of the released card means', () => {
    expect(mission('ledere').score).toBeCloseTo(3, 9);
    // kompetenceudvikling is withheld, so only supervision counts
    expect(mission('medarbejdere').score).toBeCloseTo(10 / 3, 9);
    // the own initiative counts towards its mission
    expect(mission('trivsel').score).toBeCloseTo(59 / 18, 9);
    expect(ids(mission('trivsel').cards)).toEqual(['omsorgssamtaler', 'naervaer', 'c1']);
    expect(mission('trivsel').cards[2]?.card.custom).toBe(true);
  });

  it('area scores are the mean of the mission scores', () => {
    expect(area('udvikling').score).toBeCloseTo(19 / 6, 9);
    expect(area('fastholdelse').score).toBeCloseTo(59 / 18, 9);
    expect(area('udvikling').band).toBe('moderate');
    expect(mission('ledere').band).toBe('moderate');
  });

  it('lowest first: cards, missions, areas', () => {
    expect(ids(summary.lowestCards)).toEqual([
      'mentorordninger', // 5/3
      'c1', // 7/3
      'naervaer', // 3
      'supervision', // 10/3
      'lederfora', // 13/3
      'omsorgssamtaler', // 4.5
    ]);
    expect(summary.lowestMissions.map((m) => m.mission.id)).toEqual([
      'ledere', // 3
      'trivsel', // 59/18 ≈ 3.28
      'medarbejdere', // 10/3 ≈ 3.33
    ]);
    expect(summary.lowestAreas.map((a) => a.area.id)).toEqual(['udvikling', 'fastholdelse']);
  });

  it('released card results carry the hand-computed means', () => {
    const byId = new Map(summary.lowestCards.map((c) => [c.card.id, c.result]));
    const mean = (id: string) => {
      const r = byId.get(id);
      return r?.released ? r.mean : Number.NaN;
    };
    expect(mean('mentorordninger')).toBeCloseTo(5 / 3, 9);
    expect(mean('lederfora')).toBeCloseTo(13 / 3, 9);
    expect(mean('omsorgssamtaler')).toBeCloseTo(4.5, 9);
    expect(mean('c1')).toBeCloseTo(7 / 3, 9);
  });

  it('strong cards (mean ≥ 4), highest first', () => {
    expect(ids(summary.strongCards)).toEqual(['omsorgssamtaler', 'lederfora']);
  });

  it('disagreements', () => {
    expect(ids(summary.disagreements)).toEqual(['naervaer']);
  });

  it('cards withheld below k, with n and abstentions but no mean', () => {
    expect(ids(summary.withheld)).toEqual(['kompetenceudvikling']);
    expect(summary.withheld[0]?.result).toEqual({
      released: false,
      reason: 'below_threshold',
      n: 2,
      abstentions: 3,
    });
  });

  it('the priority ranking: ties keep the card order', () => {
    expect(summary.priorities).toEqual({
      released: true,
      ballots: 4,
      ranking: [
        { cardId: 'lederfora', votes: 3 },
        { cardId: 'naervaer', votes: 3 },
        { cardId: 'c1', votes: 1 },
      ],
    });
    expect(summary.participants).toBe(8);
  });

  it('the måloversigt holds every area and mission of the deck, in deck order', () => {
    expect(
      summary.areas.map((a) => [a.area.id, a.inScope, a.missions.map((m) => m.mission.id)]),
    ).toEqual([
      ['udvikling', true, ['ledere', 'medarbejdere']],
      ['fastholdelse', true, ['trivsel']],
    ]);
  });
});

describe('summarize: one area in scope', () => {
  const base = startedRound({ kind: 'area', areaId: 'fastholdelse' });
  const state: RoundState = {
    ...base,
    step: 'summary',
    cards: { omsorgssamtaler: 'closed', naervaer: 'closed' },
    priority: 'closed',
  };
  const summary = summarize(
    testDeck,
    state,
    countsOf({ omsorgssamtaler: { '1': 1, '2': 2 }, naervaer: { '2': 3 } }, undefined, 3),
  );

  it('every deck area and mission is on the måloversigt, with inScope flags', () => {
    expect(summary.areas.map((a) => [a.area.id, a.inScope])).toEqual([
      ['udvikling', false],
      ['fastholdelse', true],
    ]);
    expect(summary.areas.flatMap((a) => a.missions.map((m) => m.mission.id))).toEqual([
      'ledere',
      'medarbejdere',
      'trivsel',
    ]);
  });

  it('unscored areas and missions have band none and no score', () => {
    const udvikling = summary.areas[0];
    expect(udvikling?.score).toBeNull();
    expect(udvikling?.band).toBe('none');
    for (const m of udvikling?.missions ?? []) {
      expect(m.score).toBeNull();
      expect(m.band).toBe('none');
      expect(m.cards).toEqual([]);
    }
  });

  it('the scored area: (5/3 + 2)/2 = 11/6, weak', () => {
    const fastholdelse = summary.areas[1];
    expect(fastholdelse?.score).toBeCloseTo(11 / 6, 9);
    expect(fastholdelse?.band).toBe('weak');
    expect(summary.lowestAreas.map((a) => a.area.id)).toEqual(['fastholdelse']);
    expect(summary.lowestMissions.map((m) => m.mission.id)).toEqual(['trivsel']);
    expect(ids(summary.lowestCards)).toEqual(['omsorgssamtaler', 'naervaer']);
    expect(summary.strongCards).toEqual([]);
  });

  it('no priority tally: withheld below_threshold', () => {
    expect(summary.priorities).toEqual({ released: false, reason: 'below_threshold', ballots: 0 });
  });
});

describe('summarize: cards that were never closed', () => {
  it('pending and open cards are neither scored nor listed as withheld below k', () => {
    const base = startedRound({ kind: 'all' });
    const state: RoundState = {
      ...base,
      step: 'rating',
      cards: { ...base.cards, mentorordninger: 'open', lederfora: 'closed' },
    };
    const summary = summarize(
      testDeck,
      state,
      countsOf({ mentorordninger: { '1': 5 }, lederfora: { '4': 3 } }),
    );
    expect(ids(summary.lowestCards)).toEqual(['lederfora']);
    expect(summary.withheld).toEqual([]);
    const ledere = summary.areas[0]?.missions[0];
    expect(ledere?.score).toBe(4);
    expect(ledere?.band).toBe('strong');
    expect(ledere?.cards[0]?.result).toEqual({
      released: false,
      reason: 'open',
      n: 0,
      abstentions: 0,
    });
    expect(summary.priorities).toEqual({ released: false, reason: 'pending', ballots: 0 });
  });
});
