// Participant page (phone first): joins the round anonymously, then shows the
// current step, the open cards to vote on, released results, the priority
// form, the plan and reminders, live.

import { apiActions, CardList, CardSlot } from './cards.js';
import {
  ApiError,
  announce,
  api,
  applyLang,
  byId,
  el,
  liveState,
  pageLang,
  roundApi,
  roundIdFromPath,
  setBanner,
  showError,
  t,
} from './common.js';

const roundId = roundIdFromPath();
const onAction = apiActions({ roundId, state: () => live?.state, after: () => live?.refresh() });

const stepSlot = new CardSlot(byId('step'), { onAction });
const openCards = new CardList(byId('open-cards'), { onAction });
const results = new CardList(byId('results'), { interactive: false });
const prioritySlot = new CardSlot(byId('priority'), { onAction });
const planSlot = new CardSlot(byId('plan'), { interactive: false });
// Reminders are for reading here; the facilitator marks items done.
const notices = new CardList(byId('notices'), { interactive: false });

/** @type {ReturnType<typeof liveState> | null} */
let live = null;
let lastProgress = '';

/** @param {any} state */
async function render(state) {
  if (state.lang !== pageLang()) applyLang(state.lang);
  byId('loading').hidden = true;
  byId('deck-title').textContent = state.deckTitle ?? t('app.name');
  byId('step-counter').textContent = state.stepView?.counter ?? '';
  document.title = `${state.deckTitle ?? t('app.name')} – ${state.stepView?.title ?? ''}`;

  if (state.status === 'paused') setBanner(t('round.paused'), 'warn');
  else if (state.status === 'ended') setBanner(t('round.ended'));
  else setBanner('');

  const cards = Array.isArray(state.cards) ? state.cards : [];
  const open = cards.filter((c) => c.kind === 'cardVote' && c.phase === 'open');
  const closed = cards.filter((c) => c.kind === 'cardResult');

  // The priority form with this participant's picks replaces the step's plain form.
  const priority = state.priority ?? null;
  const stepView = priority && state.stepView?.kind === 'priority' ? null : state.stepView;
  const showPlan = state.step === 'summary' || state.status === 'ended';

  toggle('open-section', open.length > 0);
  toggle('results-section', closed.length > 0);
  toggle('priority-section', Boolean(priority));
  toggle('plan-section', showPlan);
  toggle('notices-section', (state.notices ?? []).length > 0);
  toggle('summary-link', showPlan);

  await Promise.all([
    stepSlot.show(stepView),
    openCards.show(open),
    results.show(closed),
    prioritySlot.show(priority),
    planSlot.show(showPlan ? state.plan : null),
    notices.show(state.notices ?? []),
  ]);

  const progress = open.length === 1 ? open[0].progress?.text : priority?.progress?.text;
  if (progress && progress !== lastProgress) announce(progress);
  lastProgress = progress ?? '';
}

/** @param {string} id @param {boolean} visible */
function toggle(id, visible) {
  byId(id).hidden = !visible;
}

/**
 * Joins the round. A round that does not exist ends here (false); anything
 * else (say, too many phones behind one address at once) is tried again in
 * the background while the page already shows the round.
 */
async function join(attemptNo = 1) {
  try {
    await api(`${roundApi(roundId)}/join`, { body: {} });
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      showError(error.message);
      return false;
    }
    if (attemptNo < 5) {
      setTimeout(() => join(attemptNo + 1).then(() => live?.refresh()), 3000 * attemptNo);
    } else if (error instanceof ApiError) {
      showError(error.message);
    }
    return true;
  }
}

async function main() {
  applyLang(pageLang());
  byId('summary-link').replaceChildren(
    el('a', {
      href: `/s/${encodeURIComponent(roundId)}`,
      'data-i18n': 'participant.summaryLink',
      text: t('participant.summaryLink'),
    }),
  );
  if (!roundId) {
    showError(t('error.notFound'));
    return;
  }
  // Joining is idempotent: after a reload the cookie brings back the same participant.
  if (!(await join())) {
    byId('loading').hidden = true;
    return;
  }
  live = liveState({
    roundId,
    render: (state) => {
      render(state).catch((error) => console.error(error));
    },
    onError: (error) => {
      if (error instanceof ApiError) showError(error.message);
    },
  });
}

main();
