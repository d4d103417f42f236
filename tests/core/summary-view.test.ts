import { describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n/index.ts';
import { LANGS, type Lang, type RoundCounts } from '../../src/core/model.ts';
import { transition } from '../../src/core/round/transition.ts';
import { summaryView } from '../../src/core/views/summary.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const NO_COUNTS: RoundCounts = { participants: 0, ballots: {}, tallies: {} };

function summaryOf(lang: Lang, participants = 0) {
  const started = transition(
    undefined,
    {
      type: 'start',
      roundId: 'r1',
      settings: testSettings({ lang }),
      conversation: { platform: 'teams', tenant: 't', conversationId: 'c' },
      scope: { kind: 'all' },
    },
    { now: T0, deck: testDeck, actor: { kind: 'user', key: 'fac' } },
  );
  if (!started.ok) throw new Error(started.error.code);
  const state = { ...started.value.state, step: 'summary' as const };
  const counts = { ...NO_COUNTS, participants };
  return summaryView({ deck: testDeck, state, counts, now: T0 });
}

describe('summary view: the export texts', () => {
  it('has the picture text and the three button labels in Danish', () => {
    expect(summaryOf('da').exports).toEqual({
      maaloversigtAlt:
        'Måloversigten: områder, målsætninger og de vurderede kort, farvet efter score.',
      csv: 'Hent CSV',
      minutes: 'Referat (Markdown)',
      calendar: 'Kalender (.ics)',
    });
  });

  it('has them in English', () => {
    const { exports } = summaryOf('en');
    expect(exports.csv).toBe('Download CSV');
    expect(exports.minutes).toBe('Minutes (Markdown)');
    expect(exports.calendar).toBe('Calendar (.ics)');
    expect(exports.maaloversigtAlt).toMatch(/^The goal overview/);
  });

  it('takes every text from the catalogue of the round language, none empty', () => {
    for (const lang of LANGS) {
      const { exports } = summaryOf(lang);
      expect(exports).toEqual({
        maaloversigtAlt: t(lang, 'summary.maaloversigtAlt'),
        csv: t(lang, 'summary.export.csv'),
        minutes: t(lang, 'summary.export.minutes'),
        calendar: t(lang, 'summary.export.calendar'),
      });
      for (const text of Object.values(exports)) expect(text.trim()).not.toBe('');
    }
    expect(summaryOf('da').exports.csv).not.toBe(summaryOf('en').exports.csv);
  });
});

describe('summary view: the number of participants', () => {
  it('says "1 deltager" / "1 participant" for one, the plural otherwise', () => {
    const view = (lang: Lang, participants: number) => summaryOf(lang, participants).participants;
    expect(view('da', 1)).toBe('1 deltager');
    expect(view('en', 1)).toBe('1 participant');
    expect(view('da', 4)).toBe('4 deltagere');
    expect(view('en', 0)).toBe('0 participants');
  });
});
