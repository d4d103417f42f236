import { findRoundCard } from '../deck/lookup.ts';
import { formatList, t } from '../i18n/index.ts';
import { cardBox, PRIORITY_BOX, STEPS } from '../model.ts';
import { progress } from './cards.ts';
import { base, deckParams, fill, langOf, type ViewInput } from './input.ts';
import type { FacilitatorView, Progress, RoundStatusView, ViewAction } from './types.ts';

/**
 * The facilitator's buttons. `next`, `back` and `openNextCard` carry what the
 * screen showed (step, open card) so a double click cannot skip ahead.
 */
function actionsFor(input: ViewInput): ViewAction[] {
  const lang = langOf(input);
  const { state } = input;
  const a = (
    command: ViewAction['command'],
    key: Parameters<typeof t>[1],
    extra: { value?: string; style?: ViewAction['style'] } = {},
  ): ViewAction => ({ command, label: t(lang, key), ...extra });
  if (state.status === 'ended') return [];
  if (state.status === 'paused') {
    return [
      a('resume', 'action.resume', { style: 'primary' }),
      a('end', 'action.end', { style: 'danger' }),
    ];
  }
  const actions: ViewAction[] = [];
  const open = Object.keys(state.cards).filter((id) => state.cards[id] === 'open');
  if (state.step === 'rating' || state.step === 'custom') {
    const from = state.settings.mode === 'sync' && open.length === 1 ? (open[0] ?? '') : '';
    if (state.settings.mode === 'sync') {
      actions.push(a('openNextCard', 'action.openNextCard', { value: from, style: 'primary' }));
    }
  }
  for (const cardId of open) {
    const card = findRoundCard(input.deck, state, cardId);
    actions.push({
      command: 'closeCard',
      value: cardId,
      label: `${t(lang, 'action.closeCard')}: ${card?.title[lang] ?? cardId}`,
    });
  }
  const step = state.step;
  actions.push(
    step === 'summary'
      ? a('next', 'action.finish', { value: step, style: 'primary' })
      : a('next', 'action.next', open.length ? { value: step } : { value: step, style: 'primary' }),
  );
  if (step !== 'intro') actions.push(a('back', 'action.back', { value: step }));
  actions.push(a('pause', 'action.pause'), a('end', 'action.end', { style: 'danger' }));
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
  const pending = Object.values(state.cards).filter((p) => p === 'pending').length;
  const view: FacilitatorView = {
    kind: 'facilitator',
    ...base(input, 'facilitator', `${t(lang, 'facilitator.title')}: ${step.title[lang]}`),
    step: state.step,
    counter: t(lang, 'step.counter', { n: STEPS.indexOf(state.step) + 1, total: STEPS.length }),
    status: state.status,
    note: t(lang, 'facilitator.only'),
    script: step.script.map((line) => fill(line[lang], deckParams(state))),
    openCards: openTitles,
    pendingCards: pending,
    details: [
      ...(openTitles.length
        ? [t(lang, 'facilitator.openCards', { list: formatList(lang, openTitles) })]
        : []),
      ...(pending > 0 && (state.step === 'rating' || state.step === 'custom')
        ? [t(lang, 'facilitator.pendingCards', { count: pending })]
        : []),
    ],
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
