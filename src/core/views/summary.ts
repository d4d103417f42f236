import { type Band, bandOf } from '../aggregate.ts';
import { formatNumber, t, tn } from '../i18n/index.ts';
import type { Lang } from '../model.ts';
import { type CardSummary, summarize } from '../summary.ts';
import { base, langOf, stepHeader, type ViewInput } from './input.ts';
import type { MaaloversigtView, ScoreLine, SummaryView } from './types.ts';

/** How many lines each "lowest first" list shows. */
const TOP = 5;
const BANDS: Band[] = ['weak', 'moderate', 'strong', 'none'];

const score = (lang: Lang, value: number | null) =>
  value === null ? null : formatNumber(lang, value);

function cardLine(lang: Lang, c: CardSummary): ScoreLine {
  const mean = c.result.released ? c.result.mean : 0;
  return {
    id: c.card.id,
    label: `${c.card.title[lang]} (${c.card.mission.title[lang]})`,
    score: formatNumber(lang, mean),
    band: c.result.released ? bandOf(mean) : 'none',
  };
}

export function maaloversigtView(input: ViewInput): MaaloversigtView {
  const lang = langOf(input);
  const summary = summarize(input.deck, input.state, input.counts);
  return {
    title: t(lang, 'summary.maaloversigt'),
    areas: summary.areas.map((a) => ({
      id: a.area.id,
      title: a.area.title[lang],
      color: a.area.color,
      inScope: a.inScope,
      score: score(lang, a.score),
      band: a.band,
      missions: a.missions.map((m) => ({
        id: m.mission.id,
        title: m.mission.title[lang],
        score: score(lang, m.score),
        band: m.band,
        cards: m.cards
          .filter((c) => input.state.cards[c.card.id] === 'closed')
          .map((c) => ({
            id: c.card.id,
            title: c.card.title[lang],
            custom: c.card.custom,
            ...(c.result.released
              ? { score: formatNumber(lang, c.result.mean), band: cardLine(lang, c).band }
              : { score: null, band: 'none' as const }),
          })),
      })),
    })),
    legend: BANDS.map((band) => ({ band, label: t(lang, `band.${band}`) })),
  };
}

export function summaryView(input: ViewInput): SummaryView {
  const lang = langOf(input);
  const { state, deck } = input;
  const s = summarize(deck, state, input.counts);
  const k = state.settings.k;
  const none = t(lang, 'summary.noResults');
  // Every round card, not only released ones: a withheld card can still be prioritised.
  const byId = new Map(
    s.areas.flatMap((a) => a.missions.flatMap((m) => m.cards)).map((c) => [c.card.id, c]),
  );
  const priorityLines: ScoreLine[] = s.priorities.released
    ? s.priorities.ranking.map((r) => {
        const c = byId.get(r.cardId);
        return {
          id: r.cardId,
          label: c ? c.card.title[lang] : r.cardId,
          score: tn(lang, 'priority.votes', r.votes),
          band: c ? cardLine(lang, c).band : 'none',
        };
      })
    : [];
  const view: SummaryView = {
    kind: 'summary',
    ...base(input, 'step:summary', deck.steps.summary.title[lang]),
    ...stepHeader(input, 'summary'),
    participants: tn(lang, 'summary.participants', s.participants),
    sections: {
      lowestAreas: {
        heading: t(lang, 'summary.lowestAreas'),
        lines: s.lowestAreas.map((a) => ({
          id: a.area.id,
          label: a.area.title[lang],
          score: score(lang, a.score) ?? '',
          band: a.band,
        })),
        empty: none,
      },
      lowestMissions: {
        heading: t(lang, 'summary.lowestMissions'),
        lines: s.lowestMissions.slice(0, TOP).map((m) => ({
          id: m.mission.id,
          label: `${m.mission.title[lang]} (${m.area.title[lang]})`,
          score: score(lang, m.score) ?? '',
          band: m.band,
        })),
        empty: none,
      },
      lowestCards: {
        heading: t(lang, 'summary.lowestCards'),
        // Cards that work well (4–5) belong under "strong", not among the lowest.
        lines: s.lowestCards
          .filter((c) => c.result.released && c.result.mean < 4)
          .slice(0, TOP)
          .map((c) => cardLine(lang, c)),
        empty: s.lowestCards.length > 0 ? t(lang, 'summary.noLow') : none,
      },
      strong: {
        heading: t(lang, 'summary.strong'),
        lines: s.strongCards.map((c) => cardLine(lang, c)),
        empty: none,
      },
      disagreements: {
        heading: t(lang, 'summary.disagreements'),
        lines: s.disagreements.map((c) => cardLine(lang, c)),
        empty: none,
      },
      priorities: {
        heading: t(lang, 'summary.priorities'),
        lines: priorityLines,
        empty:
          s.priorities.released || s.priorities.reason === 'below_threshold'
            ? t(lang, 'summary.prioritiesWithheld', { k })
            : t(lang, 'summary.prioritiesOpen'),
      },
    },
    maaloversigt: maaloversigtView(input),
    exports: {
      maaloversigtAlt: t(lang, 'summary.maaloversigtAlt'),
      csv: t(lang, 'summary.export.csv'),
      minutes: t(lang, 'summary.export.minutes'),
      calendar: t(lang, 'summary.export.calendar'),
    },
  };
  if (s.withheld.length > 0) view.withheld = tn(lang, 'summary.withheld', s.withheld.length, { k });
  if (state.endedEarly) view.endedEarly = t(lang, 'summary.endedEarly');
  return view;
}
