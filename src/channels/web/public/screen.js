// Big screen: the måloversigt live, the open card large with its vote count,
// the result of the card that closed last (only what the server releases) and
// the join QR code. Nothing here can be clicked: it is for the room to look at.

import { CardSlot } from './cards.js';
import {
  absoluteUrl,
  announce,
  applyLang,
  byId,
  liveState,
  pageLang,
  roundApi,
  roundIdFromPath,
  setBanner,
  t,
} from './common.js';

const roundId = roundIdFromPath();
const SCALE = 1.35;
const currentSlot = new CardSlot(byId('current'), { interactive: false, scale: SCALE });
const resultSlot = new CardSlot(byId('last-result'), { interactive: false, scale: SCALE });
const map = /** @type {HTMLImageElement} */ (byId('maaloversigt'));

/** Ids of the cards open at the previous render, to notice which one just closed. */
let previouslyOpen = new Set();
/** @type {string | null} */
let lastClosedId = null;
let mapVersion = -1;
let lastProgress = '';

/** @param {any} state */
async function render(state) {
  if (state.lang !== pageLang()) applyLang(state.lang);
  byId('deck-title').textContent = state.deckTitle ?? t('app.name');
  byId('step-counter').textContent = [state.stepView?.counter, state.stepView?.title]
    .filter(Boolean)
    .join(' · ');
  if (state.status === 'paused') setBanner(t('round.paused'), 'warn');
  else if (state.status === 'ended') setBanner(t('round.ended'));
  else setBanner('');

  if (state.version !== mapVersion) {
    mapVersion = state.version;
    // A new picture per version; the old one stays until the new one has loaded.
    const next = new Image();
    const src = `${roundApi(roundId)}/maaloversigt.svg?v=${encodeURIComponent(state.version)}`;
    next.onload = () => {
      if (mapVersion === state.version) map.src = src;
    };
    next.src = src;
    if (!map.getAttribute('src')) map.src = src;
  }

  const cards = Array.isArray(state.cards) ? state.cards : [];
  const open = cards.filter((c) => c.kind === 'cardVote' && c.phase === 'open');
  const closed = cards.filter((c) => c.kind === 'cardResult');
  for (const id of previouslyOpen) {
    if (closed.some((c) => c.cardId === id)) lastClosedId = id;
  }
  previouslyOpen = new Set(open.map((c) => c.cardId));
  const result =
    closed.find((c) => c.cardId === lastClosedId) ?? (open.length === 0 ? closed.at(-1) : null);

  // One open card is shown large; otherwise the step itself (but not the long list of
  // cards to rate: between cards the room looks at the måloversigt and the last result).
  const between = open.length === 0 && state.step === 'rating' && state.status !== 'ended';
  const current =
    open.length === 1 ? open[0] : open.length === 0 && !between ? state.stepView : null;
  const waiting = byId('screen-waiting');
  waiting.hidden = !between;
  const progress = byId('screen-progress');
  const progressText = open.length === 1 ? (open[0].progress?.text ?? '') : '';
  progress.textContent = progressText;
  progress.hidden = !progressText;
  if (progressText && progressText !== lastProgress) announce(progressText);
  lastProgress = progressText;

  await Promise.all([
    currentSlot.show(current && current.kind !== 'summary' ? current : null),
    resultSlot.show(result ?? null),
  ]);
}

function main() {
  applyLang(pageLang());
  const qr = /** @type {HTMLImageElement} */ (byId('qr'));
  qr.src = `${roundApi(roundId)}/qr.svg`;
  // A loopback address is no use to phones in the room: then the QR code (the server's public URL) says it.
  if (!['localhost', '127.0.0.1', '[::1]'].includes(location.hostname)) {
    byId('join-url').textContent = absoluteUrl(`/r/${encodeURIComponent(roundId)}`);
  }
  liveState({
    roundId,
    render: (state) => {
      render(state).catch((error) => console.error(error));
    },
  });
}

main();
