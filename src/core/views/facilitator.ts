import { findRoundCard } from '../deck/lookup.ts';
import { t } from '../i18n/index.ts';
import { cardBox, PRIORITY_BOX, STEPS } from '../model.ts';
import { progress } from './cards.ts';
import { base, deckParams, fill, langOf, type ViewInput } from './input.ts';
import type { FacilitatorView, Progress, RoundStatusView, ViewAction } from './types.ts';

function actionsFor(input: ViewInput): ViewAction[] {
  const lang = langOf(input);
  const { state } = input;
  const a = (
    command: ViewAction['command'],
    key: Parameters<typeof t>[1],
    style?: ViewAction['style'],
  ) => (style ? { command, label: t(lang, key), style } : { command, label: t(lang, key) });
  if (state.status === 'ended') return [];
  if (state.status === 'paused')
    return [a('resume', 'action.resume', 'primary'), a('end', 'action.end', 'danger')];
  const actions: ViewAction[] = [];
  if (state.step === 'rating' || state.step === 'custom')
    actions.push(a('openNextCard', 'action.openNextCard', 'primary'));
  const open = Object.keys(state.cards).filter((id) => state.cards[id] === 'open');
  for (const cardId of open) {
    const card = findRoundCard(input.deck, state, cardId);
    actions.push({
      command: 'closeCard',
      value: cardId,
      label: `${t(lang, 'action.closeCard')}: ${card?.title[lang] ?? cardId}`,
    });
  }
  actions.push(
    state.step === 'summary'
      ? a('next', 'action.finish', 'primary')
      : a('next', 'action.next', open.length ? undefined : 'primary'),
  );
  if (state.step !== 'intro') actions.push(a('back', 'action.back'));
  actions.push(a('pause', 'action.pause'), a('end', 'action.end', 'danger'));
  return actions;
}

/** The facilitator's script and controls for the current step; never shown to the group. */
export function facilitatorView(input: ViewInput): FacilitatorView {
  const lang = langOf(input);
  const { state, deck, counts } = input;
  const step = deck.steps[state.step];
  const open = Object.keys(state.cards).filter((id) => state.cards[id] === 'open');
  const openTitles = open.map((id) => findRoundCard(deck, state, id)?.title[lang] ?? id);
  let voting: Progress | undefined;
  if (open.length === 1 && open[0] !== undefined) {
    voting = progress(input, counts.ballots[cardBox(open[0])] ?? 0, 'progress.voted');
  } else if (state.priority === 'open') {
    voting = progress(input, counts.ballots[PRIORITY_BOX] ?? 0, 'progress.answered');
  }
  const view: FacilitatorView = {
    kind: 'facilitator',
    ...base(input, 'facilitator', `${t(lang, 'facilitator.title')}: ${step.title[lang]}`),
    step: state.step,
    counter: t(lang, 'step.counter', { n: STEPS.indexOf(state.step) + 1, total: STEPS.length }),
    status: state.status,
    note: t(lang, 'facilitator.only'),
    script: step.script.map((line) => fill(line[lang], deckParams(state))),
    openCards: openTitles,
    pendingCards: Object.values(state.cards).filter((p) => p === 'pending').length,
    actions: actionsFor(input),
  };
  if (voting) view.progress = voting;
  return view;
}

export function roundStatusView(input: ViewInput): RoundStatusView {
  const lang = langOf(input);
  const status = input.state.status;
  const key =
    status === 'paused' ? 'round.paused' : status === 'ended' ? 'round.ended' : 'round.active';
  return {
    kind: 'roundStatus',
    ...base(input, 'status', t(lang, 'app.name')),
    status,
    text: t(lang, key),
  };
}
