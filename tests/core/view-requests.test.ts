import { describe, expect, it } from 'vitest';
import { type PlanItem, STEPS } from '../../src/core/model.ts';
import type { ViewRequest } from '../../src/core/round/effects.ts';
import { buildView } from '../../src/core/views/build.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { reminderRequestNow, viewRequestOfKey } from '../../src/core/views/requests.ts';
import { roundFixture } from '../fixtures/round.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const item = (id: string, due: string): PlanItem => ({
  id,
  what: `Aftale ${id}`,
  goal: '',
  actions: '',
  owner: { name: 'Kim' },
  due,
  link: null,
  status: 'open',
  postponed: 0,
  createdAt: 0,
  updatedAt: 0,
});

// 2026-11-23 23:30 UTC is already 24 November in Copenhagen.
const NOW = Date.UTC(2026, 10, 23, 23, 30);

function input(): ViewInput {
  const state = roundFixture({
    id: 'Rk_3-x',
    settings: testSettings({ reminderDaysBefore: 7 }),
    step: 'summary',
    cards: { mentorordninger: 'open', lederfora: 'closed', supervision: 'pending' },
    plan: [item('p1', '2026-12-01'), item('p2', '2026-11-20')],
  });
  return { deck: testDeck, state, counts: { participants: 4, ballots: {}, tallies: {} }, now: NOW };
}

describe('viewRequestOfKey', () => {
  const requests: ViewRequest[] = [
    ...STEPS.map((step) => ({ kind: 'step', step }) as const),
    { kind: 'facilitator' },
    { kind: 'card', cardId: 'mentorordninger' },
    { kind: 'card', cardId: 'lederfora' },
    { kind: 'plan' },
    { kind: 'reminder', itemId: 'p1', daysBefore: 7 },
    { kind: 'reminder', itemId: 'p1', daysBefore: 0 },
    { kind: 'roundStatus' },
  ];

  it.each(requests.map((r) => [JSON.stringify(r), r] as const))(
    'the key of every view leads back to the same view: %s',
    (_name, request) => {
      const built = buildView(request, input());
      expect(built).toBeDefined();
      const back = viewRequestOfKey(built?.key ?? '');
      expect(back).toEqual({ roundId: 'Rk_3-x', request });
      expect(buildView(back?.request ?? request, input())?.key).toBe(built?.key);
    },
  );

  it.each([
    '',
    'Rk_3-x',
    ':plan',
    'Rk_3-x:',
    'Rk_3-x:step:nowhere',
    'Rk_3-x:card:',
    'Rk_3-x:reminder:p1',
    'Rk_3-x:reminder:p1:2026-12-01:x',
    'Rk_3-x:reminder:p1:2026-12-01:-1',
    'Rk_3-x:reminder:p1:2026-12-01:7:extra',
    'Rk_3-x:something-else',
  ])('names nothing for %j', (key) => {
    expect(viewRequestOfKey(key)).toBeUndefined();
  });
});

describe('reminderRequestNow', () => {
  it('counts the days left until the due date in the round time zone', () => {
    // 24 November (Copenhagen) → 1 December: 7 days.
    expect(reminderRequestNow(input(), 'p1')).toEqual({
      kind: 'reminder',
      itemId: 'p1',
      daysBefore: 7,
    });
  });

  it('says "today" for an overdue item, and nothing for an unknown one', () => {
    expect(reminderRequestNow(input(), 'p2')).toEqual({
      kind: 'reminder',
      itemId: 'p2',
      daysBefore: 0,
    });
    expect(reminderRequestNow(input(), 'nope')).toBeUndefined();
  });
});
