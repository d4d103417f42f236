import { describe, expect, it } from 'vitest';
import { LANGS, type PlanItem } from '../../src/core/model.ts';
import { planView, reminderView } from '../../src/core/views/plan.ts';
import { roundFixture } from '../fixtures/round.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const item: PlanItem = {
  id: 'p1',
  what: 'Fælles morgenmøde',
  goal: '',
  actions: '',
  owner: { name: 'Kim Larsen', user: { platform: 'teams', userId: 'aad-kim' } },
  due: '2026-12-01',
  link: null,
  status: 'open',
  postponed: 0,
  createdAt: 0,
  updatedAt: 0,
};

function input(lang: 'da' | 'en') {
  const state = roundFixture({ settings: testSettings({ lang }), step: 'summary', plan: [item] });
  return { deck: testDeck, state, counts: { participants: 0, ballots: {}, tallies: {} }, now: 0 };
}

describe('planView labels', () => {
  it('has the optional person field and the typed-owner hint in both languages', () => {
    const labels = Object.fromEntries(LANGS.map((lang) => [lang, planView(input(lang)).labels]));
    expect(labels.da).toMatchObject({
      owner: 'Hvem står for det?',
      ownerUser: 'Omtal den ansvarlige i påmindelserne (valgfrit)',
      ownerHint: 'Skriv et navn, eller vælg personen i feltet nedenfor',
    });
    expect(labels.en).toMatchObject({
      owner: 'Who is responsible?',
      ownerUser: 'Mention the responsible person in reminders (optional)',
      ownerHint: 'Type a name, or pick the person in the field below',
    });
  });
});

describe('reminderView', () => {
  it('carries the owner as a platform user, and their name, for a channel to mention', () => {
    const view = reminderView(input('da'), 'p1', 7);
    expect(view?.ownerUser).toEqual({ platform: 'teams', userId: 'aad-kim' });
    expect(view?.item.owner).toBe('Kim Larsen');
    expect(view?.owner).toBe('Ansvarlig: Kim Larsen');
    // A new message per reminder: the key names the due date and the days before.
    expect(view?.key).toBe('r-fixture:reminder:p1:2026-12-01:7');
  });
});
