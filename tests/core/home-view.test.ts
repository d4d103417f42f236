import { describe, expect, it } from 'vitest';
import type { PlanItem, RoundState } from '../../src/core/model.ts';
import { homeMoreRounds, homeView } from '../../src/core/views/home.ts';
import { roundFixture } from '../fixtures/round.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const NOW = Date.UTC(2026, 10, 23, 9, 0, 0); // 23 November 2026, Copenhagen 10:00

function item(id: string, due: string, over: Partial<PlanItem> = {}): PlanItem {
  return {
    id,
    what: `Aftale ${id}`,
    goal: 'Mål',
    actions: 'Handling',
    owner: { name: `Ejer ${id}`, user: { platform: 'slack', userId: 'U0SECRETID' }, key: 'k' },
    due,
    link: null,
    status: 'open',
    postponed: 0,
    createdAt: NOW,
    updatedAt: NOW,
    ...over,
  };
}

function round(over: Partial<RoundState> = {}): RoundState {
  return roundFixture({
    settings: testSettings({ deckId: testDeck.id }),
    cards: {},
    conversation: { platform: 'slack', tenant: 'T1', conversationId: 'C1' },
    ...over,
  });
}

describe('homeView', () => {
  it('lists rounds with step, status and the items not done, soonest due first', () => {
    const state = round({
      id: 'r1',
      step: 'summary',
      status: 'paused',
      plan: [
        item('a', '2026-12-24'),
        item('b', '2026-11-20', { status: 'blocked', postponed: 2 }),
        item('c', '2026-12-01', { status: 'done' }),
        item('d', '2026-12-01'),
      ],
    });
    const view = homeView('da', [{ state, deck: testDeck }], NOW);
    expect(view).toMatchObject({ lang: 'da', title: 'Dialogrunder', openItems: 'Åbne aftaler' });
    const [r] = view.rounds;
    expect(r).toMatchObject({
      roundId: 'r1',
      conversationId: 'C1',
      title: 'Testdæk · Alle områder',
      status: 'paused',
      statusLabel: 'Holder pause',
      started: 'Startet 23. november 2026',
      planSummary: '1 af 4 aftaler er udført.',
    });
    expect(r?.step).toMatch(/^Trin 7 af 7: /);
    expect(r?.items.map((i) => i.id)).toEqual(['b', 'd', 'a']);
    expect(r?.items[0]).toMatchObject({
      what: 'Aftale b',
      owner: 'Ejer b',
      ownerLine: 'Ansvarlig: Ejer b',
      due: '20. november 2026',
      dueLine: 'Frist: 20. november 2026 (overskredet)',
      status: 'blocked',
      statusLabel: 'Blokeret',
      postponed: 'Udskudt 2 gange',
      overdue: true,
    });
    expect(r?.items[1]).toMatchObject({ overdue: false, statusLabel: 'Åben' });
    expect(r?.items[1]?.postponed).toBeUndefined();
    // Never the owner's platform id, nor the facilitator's key.
    expect(JSON.stringify(view)).not.toContain('U0SECRETID');
    expect(JSON.stringify(view)).not.toContain('fac-key');
  });

  it('speaks the language asked for, whatever each round was run in', () => {
    const state = round({ settings: testSettings({ deckId: testDeck.id, lang: 'da' }) });
    const view = homeView('en', [{ state, deck: testDeck }], NOW);
    expect(view.title).toBe('Dialogue rounds');
    expect(view.rounds[0]).toMatchObject({
      title: 'Test deck · All areas',
      statusLabel: 'In progress',
      started: 'Started 23 November 2026',
      planSummary: 'No items in the follow-up plan yet.',
    });
    expect(view.rounds[0]?.step).toMatch(/^Step 4 of 7: /);
  });

  it('has an empty text and a "more" line in both languages', () => {
    expect(homeView('da', [], NOW)).toMatchObject({
      rounds: [],
      empty: expect.stringMatching(/^Ingen runder/),
    });
    expect(homeMoreRounds('da', 1)).toBe('… og 1 runde mere.');
    expect(homeMoreRounds('da', 4)).toBe('… og 4 runder mere.');
    expect(homeMoreRounds('en', 4)).toBe('… and 4 more rounds.');
  });
});
