// Facilitator page: the script and controls of the current step, what the
// group sees, the cards and their phases, the follow-up plan, and links.
// The facilitator secret comes from the URL fragment and goes out only as a header.

import { apiActions, CardList, CardSlot } from './cards.js';
import {
  ApiError,
  announce,
  api,
  applyLang,
  attempt,
  byId,
  el,
  exportLinks,
  facilitatorSecret,
  liveState,
  pageLang,
  roundApi,
  roundIdFromPath,
  setBanner,
  showError,
  t,
} from './common.js';

const roundId = roundIdFromPath();
const secret = facilitatorSecret(roundId);
const refresh = () => live?.refresh();
const onAction = apiActions({ roundId, secret, state: () => live?.state, after: refresh });

const controlSlot = new CardSlot(byId('control'), { onAction });
// The group's view, as the group sees it, without the participants' buttons.
const groupSlot = new CardSlot(byId('group'), { interactive: false });
const planSlot = new CardSlot(byId('plan'), { onAction });
const results = new CardList(byId('results'), { interactive: false });
// "Delete the round?" (asked by the server, in the round's language) and its outcome.
const deleteSlot = new CardSlot(byId('delete-question'), { onAction: answerDeletion });
// Reminders due now, with Done / Postpone / Blocked.
const notices = new CardList(byId('notices'), { onAction });

/** @type {ReturnType<typeof liveState> | null} */
let live = null;
let lastProgress = '';

/** @param {any} state */
async function render(state) {
  if (state.lang !== pageLang()) applyLang(state.lang);
  byId('loading').hidden = true;
  if (!state.facilitator) {
    showError(t('facilitator.wrongSecret'));
    return;
  }
  byId('deck-title').textContent = state.deckTitle ?? t('app.name');
  byId('step-counter').textContent = state.facilitator.counter ?? state.stepView?.counter ?? '';
  document.title = `${t('facilitator.title')} – ${state.stepView?.title ?? ''}`;
  if (state.status === 'paused') setBanner(t('round.paused'), 'warn');
  else if (state.status === 'ended') setBanner(t('round.ended'));
  else setBanner('');

  const progress = state.facilitator.progress?.text ?? '';
  const progressLine = byId('progress');
  progressLine.textContent = progress;
  progressLine.hidden = !progress;
  if (progress && progress !== lastProgress) announce(progress);
  lastProgress = progress;

  const cards = Array.isArray(state.cards) ? state.cards : [];
  const closed = cards.filter((c) => c.kind === 'cardResult');
  byId('results-section').hidden = closed.length === 0;
  renderPhases(state);

  await Promise.all([
    controlSlot.show(state.facilitator),
    groupSlot.show(groupView(state, cards)),
    planSlot.show(state.plan),
    results.show(closed),
    notices.show(state.notices ?? []),
  ]);
  byId('notices-section').hidden = (state.notices ?? []).length === 0;
  renderPlanControls(state);
}

/**
 * What the group looks at now: the open card while one is open (the list of
 * cards is in the side column), else the step's message.
 * @param {any} state
 * @param {any[]} cards
 */
function groupView(state, cards) {
  const open = cards.filter((c) => c.kind === 'cardVote' && c.phase === 'open');
  if (open.length === 1) return open[0];
  if (state.priority && state.stepView?.kind === 'priority') return state.priority;
  return state.stepView;
}

/**
 * The cards of the rating and custom steps with their phase, and a button to
 * open a waiting card or close an open one.
 * @param {any} state
 */
function renderPhases(state) {
  const container = byId('card-phases');
  const view = state.stepView;
  const list = view && (view.kind === 'rating' || view.kind === 'custom') ? view.cards : null;
  if (!Array.isArray(list) || list.length === 0) {
    const text = t('facilitator.noCards');
    if (container.textContent !== text)
      container.replaceChildren(el('p', { className: 'muted', text }));
    return;
  }
  const signature = JSON.stringify(list.map((c) => [c.id, c.title, c.phase]));
  if (container.dataset.signature === signature) return;
  const focused = document.activeElement?.closest?.('[data-card-id]')?.getAttribute('data-card-id');
  container.dataset.signature = signature;
  /** @param {string} command @param {Record<string, string>} body @param {HTMLButtonElement} target */
  const send = async (command, body, target) => {
    target.disabled = true;
    await attempt(() =>
      api(`${roundApi(roundId)}/command`, { body: { type: command, ...body }, secret }),
    );
    target.disabled = false;
    refresh();
  };
  /** @param {string} command @param {string} label @param {string} name @param {Record<string, string>} body */
  const button = (command, label, name, body) => {
    const b = el('button', {
      type: 'button',
      className: 'button small secondary',
      'aria-label': `${label}: ${name}`,
      text: label,
    });
    b.addEventListener('click', (event) =>
      send(command, body, /** @type {HTMLButtonElement} */ (event.currentTarget)),
    );
    return b;
  };
  const active = state.status === 'active';
  /** @type {HTMLElement[]} */
  const items = [];
  let lastMission = '';
  for (const card of list) {
    // A header per mission, with "open/close the whole mission" (the core
    // refuses what is not allowed right now, with a polite message).
    if (card.missionId && card.missionId !== lastMission) {
      lastMission = card.missionId;
      const own = list.filter((c) => c.missionId === card.missionId);
      const controls = [];
      if (active && own.some((c) => c.phase === 'pending')) {
        controls.push(
          button('openMission', t('facilitator.openMission'), card.mission, {
            missionId: card.missionId,
          }),
        );
      }
      if (active && own.some((c) => c.phase === 'open')) {
        controls.push(
          button('closeMission', t('facilitator.closeMission'), card.mission, {
            missionId: card.missionId,
          }),
        );
      }
      items.push(
        el(
          'li',
          { className: 'phase-mission', 'data-mission-id': card.missionId },
          el('span', { className: 'phase-mission-title', text: card.mission }),
          ...controls,
        ),
      );
    }
    const phase = card.phase === 'open' || card.phase === 'closed' ? card.phase : 'pending';
    const command = phase === 'open' ? 'closeCard' : 'openCard';
    const label = t(phase === 'open' ? 'facilitator.closeCard' : 'facilitator.openCard');
    items.push(
      el(
        'li',
        { className: `phase-item phase-${phase}`, 'data-card-id': card.id, 'data-phase': phase },
        el('span', { className: 'phase-title' }, el('span', { text: card.title })),
        el('span', { className: `phase-badge ${phase}`, text: t(`phase.${phase}`) }),
        active && phase !== 'closed'
          ? button(command, label, card.title, { cardId: card.id })
          : null,
      ),
    );
  }
  container.replaceChildren(el('ol', { className: 'phase-list' }, ...items));
  if (focused) {
    /** @type {HTMLElement | null} */ (
      container.querySelector(`[data-card-id="${CSS.escape(focused)}"] button`)
    )?.focus({ preventScroll: true });
  }
}

/**
 * Done / Postpone / Blocked for each item of the plan (the plan card lists
 * the items; these are the facilitator's controls for them).
 * @param {any} state
 */
function renderPlanControls(state) {
  const container = byId('plan-controls');
  const items = Array.isArray(state.plan?.items) ? state.plan.items : [];
  // When the plan card brings its own status buttons, these are not needed.
  const own = [...byId('plan').querySelectorAll('button')].some(
    (b) => b.getAttribute('aria-label') === t('plan.done'),
  );
  container.hidden = items.length === 0 || own;
  const signature = JSON.stringify(items.map((i) => [i.id, i.what, i.statusLabel, i.due]));
  if (container.dataset.signature === signature) return;
  container.dataset.signature = signature;
  /** @type {[string, 'plan.done' | 'plan.postpone' | 'plan.blocked'][]} */
  const actions = [
    ['done', 'plan.done'],
    ['postpone', 'plan.postpone'],
    ['blocked', 'plan.blocked'],
  ];
  const rows = items.map((/** @type {any} */ item) =>
    el(
      'li',
      { className: 'plan-control', 'data-item-id': item.id, 'data-status': item.status },
      el(
        'span',
        { className: 'plan-control-text' },
        el('strong', { text: item.what }),
        el('span', { className: 'muted small', text: ` · ${item.due} · ${item.statusLabel}` }),
      ),
      el(
        'span',
        { className: 'actions' },
        ...actions.map(([action, key]) => {
          const button = el('button', {
            type: 'button',
            className: 'button small secondary',
            'aria-label': `${t(key)}: ${item.what}`,
            text: t(key),
            disabled:
              (action === 'done' && item.status === 'done') ||
              (action === 'blocked' && item.status === 'blocked'),
          });
          button.addEventListener('click', async () => {
            button.setAttribute('aria-busy', 'true');
            const done = await attempt(() =>
              api(`${roundApi(roundId)}/plan/${encodeURIComponent(item.id)}`, {
                body: { action },
                secret,
              }),
            );
            button.removeAttribute('aria-busy');
            if (done) announce(`${t(key)}: ${item.what}`);
            refresh();
          });
          return button;
        }),
      ),
    ),
  );
  container.replaceChildren(el('ul', { className: 'plan-controls' }, ...rows));
}

/**
 * Deleting the round: the button asks the server for the question (only the
 * facilitator gets it); its Delete button deletes, Keep puts the question away.
 */
async function askToDelete() {
  const answer = await attempt(() => api(`${roundApi(roundId)}/delete`, { body: {}, secret }));
  if (answer?.view) await deleteSlot.show(answer.view);
  byId('delete-question').querySelector('button')?.focus();
}

/** @param {import('./cards.js').CardAction} action */
async function answerDeletion(action) {
  if (action.command === 'keepRound') {
    await deleteSlot.show(null);
    byId('delete-round').focus();
    return;
  }
  if (action.command !== 'deleteRound') return;
  const answer = await attempt(() =>
    api(`${roundApi(roundId)}/delete`, { body: { confirm: true }, secret }),
  );
  if (!answer?.deleted) return;
  // The round is gone: no more updates; the page shows only the notice.
  live?.stop();
  live = null;
  setBanner('');
  byId('main').querySelector('.columns')?.replaceChildren(byId('delete-question'));
  await deleteSlot.show(answer.view);
  announce(answer.view.title);
}

function links() {
  const id = encodeURIComponent(roundId);
  /** @type {['link.screen' | 'link.summary' | 'link.join', string][]} */
  const pages = [
    ['link.screen', `/screen/${id}`],
    ['link.summary', `/s/${id}`],
    ['link.join', `/r/${id}`],
  ];
  byId('page-links').replaceChildren(
    el(
      'ul',
      { className: 'links' },
      ...pages.map(([key, href]) =>
        el(
          'li',
          {},
          el('a', { href, target: '_blank', rel: 'noopener', 'data-i18n': key, text: t(key) }),
        ),
      ),
    ),
  );
  byId('exports').replaceChildren(exportLinks(roundId));
}

function main() {
  applyLang(pageLang());
  links();
  byId('delete-round').addEventListener('click', () => {
    askToDelete().catch((error) => console.error(error));
  });
  if (!roundId || !secret) {
    byId('loading').hidden = true;
    showError(t('facilitator.missingSecret'));
    return;
  }
  live = liveState({
    roundId,
    secret,
    render: (state) => {
      render(state).catch((error) => console.error(error));
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        showError(error.status === 403 ? t('facilitator.wrongSecret') : error.message);
      }
    },
  });
}

main();
