// Start page: create a round, then show the facilitator link (secret), the
// join link with its QR code, and the big-screen link.

import {
  absoluteUrl,
  announce,
  api,
  applyLang,
  attempt,
  byId,
  copyButton,
  el,
  pageLang,
  showError,
  t,
} from './common.js';

/**
 * @typedef {{ id: string, title: string, areas: { id: string, title: string }[] }} DeckOption
 */

const form = /** @type {HTMLFormElement} */ (byId('create'));
const deckSelect = /** @type {HTMLSelectElement} */ (byId('deck'));
const scopeSelect = /** @type {HTMLSelectElement} */ (byId('scope'));
const kInput = /** @type {HTMLInputElement} */ (byId('k'));
const tzInput = /** @type {HTMLInputElement} */ (byId('tz'));
const submit = /** @type {HTMLButtonElement} */ (byId('submit'));

/** @type {any[]} */
let rawDecks = [];

/**
 * A deck text may come as a string or as `{ da, en }`.
 * @param {unknown} value
 * @param {'da' | 'en'} lang
 */
function localized(value, lang) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const texts = /** @type {Record<string, unknown>} */ (value);
    const text = texts[lang] ?? texts.da ?? Object.values(texts)[0];
    return typeof text === 'string' ? text : '';
  }
  return '';
}

/** @param {'da' | 'en'} lang @returns {DeckOption[]} */
function decks(lang) {
  return rawDecks.map((d) => ({
    id: String(d.id),
    title: localized(d.title, lang) || String(d.id),
    areas: Array.isArray(d.areas)
      ? d.areas.map((/** @type {any} */ a) => ({
          id: String(a.id),
          title: localized(a.title, lang) || String(a.id),
        }))
      : [],
  }));
}

function chosenLang() {
  const checked = /** @type {HTMLInputElement | null} */ (
    form.querySelector('input[name="lang"]:checked')
  );
  return checked?.value === 'en' ? 'en' : 'da';
}

function fillDecks() {
  const lang = chosenLang();
  const selected = deckSelect.value;
  deckSelect.replaceChildren(
    ...decks(lang).map((d) => el('option', { value: d.id, text: d.title })),
  );
  if (selected) deckSelect.value = selected;
  fillScopes();
}

function fillScopes() {
  const lang = chosenLang();
  const deck = decks(lang).find((d) => d.id === deckSelect.value) ?? decks(lang)[0];
  const selected = scopeSelect.value;
  scopeSelect.replaceChildren(
    el('option', { value: 'all', text: t('start.scope.all', lang) }),
    ...(deck?.areas ?? []).map((a) => el('option', { value: a.id, text: a.title })),
  );
  if (selected && [...scopeSelect.options].some((o) => o.value === selected)) {
    scopeSelect.value = selected;
  }
}

function fillTimeZones() {
  const list = byId('tz-list');
  /** @type {string[]} */
  let zones = [];
  try {
    zones = /** @type {any} */ (Intl).supportedValuesOf('timeZone');
  } catch {
    zones = ['Europe/Copenhagen', 'UTC'];
  }
  list.replaceChildren(...zones.map((z) => el('option', { value: z })));
}

async function loadDecks() {
  const result = await attempt(() => api('/api/decks'));
  if (!result) return;
  rawDecks = Array.isArray(result) ? result : Array.isArray(result.decks) ? result.decks : [];
  fillDecks();
}

form.addEventListener('change', (event) => {
  const target = /** @type {HTMLInputElement} */ (event.target);
  if (target.name === 'lang') {
    // The page follows the round's language as soon as it is chosen.
    applyLang(chosenLang());
    fillDecks();
  } else if (target === deckSelect) {
    fillScopes();
  }
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const k = Number(kInput.value);
  if (!Number.isInteger(k) || k < 3) {
    kInput.setAttribute('aria-invalid', 'true');
    showError(t('start.k'));
    kInput.focus();
    return;
  }
  kInput.removeAttribute('aria-invalid');
  const modeInput = /** @type {HTMLInputElement | null} */ (
    form.querySelector('input[name="mode"]:checked')
  );
  const body = {
    deckId: deckSelect.value || undefined,
    lang: chosenLang(),
    mode: modeInput?.value === 'async' ? 'async' : 'sync',
    scope: scopeSelect.value || 'all',
    k,
    timeZone: tzInput.value.trim() || 'Europe/Copenhagen',
  };
  submit.disabled = true;
  submit.textContent = t('start.creating');
  const created = await attempt(() => api('/api/rounds', { body }));
  submit.disabled = false;
  submit.textContent = t('start.submit');
  if (created) showCreated(created);
});

/**
 * @param {{ roundId: string, facilitatorUrl: string, joinUrl: string, screenUrl: string }} created
 */
function showCreated(created) {
  const facilitatorUrl = absoluteUrl(created.facilitatorUrl);
  const joinUrl = absoluteUrl(created.joinUrl);
  const screenUrl = absoluteUrl(created.screenUrl);

  const facilitatorInput = /** @type {HTMLInputElement} */ (byId('facilitator-url'));
  facilitatorInput.value = facilitatorUrl;
  byId('facilitator-copy').replaceChildren(
    copyButton(() => facilitatorUrl, `${t('copy')}: ${t('start.facilitator')}`),
  );
  // "Open" stays on the address this browser already uses (the links above are for sharing).
  byId('facilitator-open').setAttribute('href', samePlace(facilitatorUrl));

  const joinInput = /** @type {HTMLInputElement} */ (byId('join-url'));
  joinInput.value = joinUrl;
  byId('join-copy').replaceChildren(copyButton(() => joinUrl, `${t('copy')}: ${t('start.join')}`));
  byId('join-open').setAttribute('href', samePlace(joinUrl));

  const qr = /** @type {HTMLImageElement} */ (byId('qr'));
  qr.src = `/api/rounds/${encodeURIComponent(created.roundId)}/qr.svg`;
  qr.alt = `${t('start.qr')}: ${joinUrl}`;

  byId('screen-open').setAttribute('href', samePlace(screenUrl));

  const section = byId('created');
  section.hidden = false;
  section.dataset.roundId = created.roundId;
  section.scrollIntoView({ block: 'start' });
  section.focus({ preventScroll: true });
  announce(t('start.created'));
}

/** The path, query and fragment of a link, to open it on this page's own origin. */
function samePlace(/** @type {string} */ url) {
  const u = new URL(url, location.origin);
  return `${u.pathname}${u.search}${u.hash}`;
}

for (const input of [byId('facilitator-url'), byId('join-url')]) {
  input.addEventListener('focus', (event) => {
    /** @type {HTMLInputElement} */ (event.target).select();
  });
}

applyLang(pageLang());
fillTimeZones();
loadDecks();
