import { bandOf, cardResult } from '../aggregate.ts';
import { findRoundCard, type PlacedCard } from '../deck/lookup.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { cardBox, type Rating } from '../model.ts';
import { phaseOf } from '../round/boxes.ts';
import { formatDateTime } from '../time.ts';
import { base, langOf, type ViewInput } from './input.ts';
import type { CardHeader, CardResultView, CardVoteView, Choice, Progress } from './types.ts';

export function ratingLabel(input: ViewInput, value: Rating): string {
  return value === 'na' ? t(langOf(input), 'rating.na') : String(value);
}

export function ratingChoices(input: ViewInput): Choice[] {
  const values: Rating[] = [1, 2, 3, 4, 5, 'na'];
  return values.map((v) => ({ value: String(v), label: ratingLabel(input, v) }));
}

export function progress(
  input: ViewInput,
  done: number,
  key: 'progress.voted' | 'progress.answered',
): Progress {
  // m can lag behind n when someone votes before joining is recorded; never show "5 of 4".
  const of = Math.max(input.counts.participants, done);
  return { done, of, text: t(langOf(input), key, { n: done, m: of }) };
}

function header(input: ViewInput, card: PlacedCard): CardHeader {
  const lang = langOf(input);
  return {
    cardId: card.id,
    area: { title: card.area.title[lang], color: card.area.color },
    mission: card.mission.title[lang],
    custom: card.custom,
  };
}

export function cardVoteView(input: ViewInput, card: PlacedCard): CardVoteView {
  const lang = langOf(input);
  const { state } = input;
  const phase = state.cards[card.id] ?? 'pending';
  const view: CardVoteView = {
    kind: 'cardVote',
    ...base(input, `card:${card.id}`, card.title[lang]),
    ...header(input, card),
    phase,
    description: card.description[lang],
    questionsTitle: t(lang, 'rating.questions'),
    questions: input.deck.questions.map((q) => q[lang]),
    scale: t(lang, 'rating.scale'),
    options: ratingChoices(input),
    progress: progress(input, input.counts.ballots[cardBox(card.id)] ?? 0, 'progress.voted'),
  };
  if (state.deadline !== null && phase === 'open') {
    const time = formatDateTime(state.deadline, state.settings.timeZone, lang);
    view.deadline = t(lang, 'deadline.until', { time });
  }
  return view;
}

/** The same vote card as one voter should see it: with their own vote. */
export function withYourVote(input: ViewInput, view: CardVoteView, vote: Rating): CardVoteView {
  return {
    ...view,
    yourVote: t(langOf(input), 'rating.yourVote', { value: ratingLabel(input, vote) }),
  };
}

export function cardResultView(input: ViewInput, card: PlacedCard): CardResultView {
  const lang = langOf(input);
  const { state } = input;
  const k = state.settings.k;
  const result = cardResult(
    state.cards[card.id] ?? 'pending',
    input.counts.tallies[cardBox(card.id)],
    k,
  );
  const common = {
    kind: 'cardResult' as const,
    ...base(input, `card:${card.id}`, card.title[lang]),
    ...header(input, card),
  };
  if (!result.released) {
    const text =
      result.reason === 'below_threshold'
        ? t(lang, 'result.withheld', { k })
        : t(lang, 'rating.closed');
    return { ...common, released: false, text, band: 'none', bandLabel: t(lang, 'band.none') };
  }
  const num = (v: number) => formatNumber(lang, v);
  const view: CardResultView = {
    ...common,
    released: true,
    text: t(lang, 'result.stats', {
      mean: num(result.mean),
      median: num(result.median),
      n: result.n,
    }),
    distribution: result.distribution.map((count, i) => ({
      label: String(i + 1),
      count,
      share: result.n === 0 ? 0 : count / result.n,
    })),
    band: bandOf(result.mean),
    bandLabel: t(lang, `band.${bandOf(result.mean)}`),
  };
  if (result.abstentions > 0)
    view.abstentions = t(lang, 'result.abstentions', { count: result.abstentions });
  if (result.disagreement) view.disagreement = t(lang, 'result.disagreement');
  return view;
}

/** A card's message: the vote form until it closes, then its result. */
export function cardView(
  input: ViewInput,
  cardId: string,
): CardVoteView | CardResultView | undefined {
  const card = findRoundCard(input.deck, input.state, cardId);
  if (!card) return undefined;
  return phaseOf(input.state, cardId) === 'closed'
    ? cardResultView(input, card)
    : cardVoteView(input, card);
}
