import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../../src/core/model.ts';
import { remindersDueToday } from '../../src/core/views/plan.ts';
import { roundFixture } from '../fixtures/round.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const item = (id: string, due: string, status: PlanItem['status'] = 'open'): PlanItem => ({
  id,
  what: id,
  goal: '',
  actions: '',
  owner: { name: 'Anne' },
  due,
  link: null,
  status,
  postponed: 0,
  createdAt: 0,
  updatedAt: 0,
});

// 2026-11-23 23:30 UTC is already 24 November in Copenhagen.
const NOW = Date.UTC(2026, 10, 23, 23, 30);

function due(plan: PlanItem[], reminderDaysBefore = 7) {
  const state = roundFixture({
    settings: testSettings({ reminderDaysBefore }),
    step: 'summary',
    plan,
  });
  const counts = { participants: 0, ballots: {}, tallies: {} };
  return remindersDueToday({ deck: testDeck, state, counts, now: NOW }).map((v) => [
    v.item.id,
    v.text,
  ]);
}

describe('remindersDueToday', () => {
  it('names items due today and exactly the reminder window ahead, in the round time zone', () => {
    const plan = [
      item('today', '2026-11-24'),
      item('week', '2026-12-01'),
      item('tomorrow', '2026-11-25'),
      item('yesterday', '2026-11-23'),
      item('done', '2026-11-24', 'done'),
      item('blocked', '2026-11-24', 'blocked'),
    ];
    expect(due(plan)).toEqual([
      ['today', 'I dag er fristen for: today'],
      ['week', 'Om 7 dage (1. december 2026) er fristen for: week'],
      ['blocked', 'I dag er fristen for: blocked'],
    ]);
  });

  it('with no window before, only the due date counts', () => {
    expect(due([item('today', '2026-11-24'), item('later', '2026-11-24')], 0)).toHaveLength(2);
    expect(due([item('soon', '2026-12-01')], 0)).toEqual([]);
  });
});
