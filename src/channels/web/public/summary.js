// Summary page: the summary view, the måloversigt picture, the plan, and the
// downloads (PNG, SVG, CSV, Markdown, .ics).

import { apiActions, CardSlot } from './cards.js';
import {
  applyLang,
  byId,
  exportLinks,
  liveState,
  pageLang,
  roundApi,
  roundIdFromPath,
  storedSecret,
  t,
} from './common.js';

const roundId = roundIdFromPath();
// The facilitator (same tab session) may mark plan items done here too; everyone else reads.
const secret = storedSecret(roundId);
/** @type {ReturnType<typeof liveState> | null} */
let live = null;
const summarySlot = new CardSlot(byId('summary'), { interactive: false });
const planSlot = new CardSlot(
  byId('plan'),
  secret
    ? { onAction: apiActions({ roundId, secret, after: () => live?.refresh() }) }
    : { interactive: false },
);
const map = /** @type {HTMLImageElement} */ (byId('maaloversigt'));
let mapVersion = -1;

/** @param {any} state */
async function render(state) {
  if (state.lang !== pageLang()) {
    applyLang(state.lang);
    byId('downloads').replaceChildren(exportLinks(roundId));
  }
  byId('deck-title').textContent = state.deckTitle ?? t('app.name');
  document.title = `${t('summary.title')} – ${state.deckTitle ?? t('app.name')}`;
  const summary = state.stepView?.kind === 'summary' ? state.stepView : null;
  byId('not-yet').hidden = Boolean(summary);
  if (state.version !== mapVersion) {
    mapVersion = state.version;
    map.src = `${roundApi(roundId)}/maaloversigt.svg?v=${encodeURIComponent(state.version)}`;
  }
  await Promise.all([summarySlot.show(summary), planSlot.show(state.plan ?? null)]);
}

function main() {
  applyLang(pageLang());
  byId('downloads').replaceChildren(exportLinks(roundId));
  live = liveState({
    roundId,
    secret,
    render: (state) => {
      render(state).catch((error) => console.error(error));
    },
  });
}

main();
