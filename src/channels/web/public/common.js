// Shared helpers for every page of the web channel: UI strings, the JSON API,
// live updates over Server-Sent Events, and small DOM helpers.
// Plain ES module, no build step. User-written text is only ever inserted as
// textContent.

/** @typedef {'da' | 'en'} Lang */

/** Static UI strings. Texts about the round itself come from the server, already translated. */
export const STRINGS = {
  da: {
    'app.name': 'Dialogrunde',
    skip: 'Spring til indhold',
    loading: 'Henter …',
    'start.title': 'Start en dialogrunde',
    'start.intro':
      'Gå hele vejen rundt om jeres arbejdsmiljø med dialogværktøjet «Bæredygtigt arbejdsmiljø». Deltagerne stemmer anonymt fra deres egen telefon eller computer.',
    'start.deck': 'Dialogværktøj',
    'start.lang': 'Sprog',
    'start.lang.da': 'Dansk',
    'start.lang.en': 'English',
    'start.mode': 'Form',
    'start.mode.sync': 'Møde – mødelederen styrer trinene',
    'start.mode.async': 'Over flere dage – trinene lukker selv ved en frist',
    'start.scope': 'Omfang',
    'start.scope.all': 'Alle områder',
    'start.k': 'Anonymitetsgrænse (mindst 3)',
    'start.k.help': 'Et korts resultat vises først, når mindst så mange har vurderet det.',
    'start.tz': 'Tidszone',
    'start.submit': 'Opret runden',
    'start.creating': 'Opretter …',
    'start.created': 'Runden er oprettet.',
    'start.facilitator': 'Mødelederens link',
    'start.facilitator.secret':
      'Hold dette link hemmeligt: det giver adgang til at styre runden. Del det ikke med deltagerne.',
    'start.join': 'Deltagernes link',
    'start.join.help': 'Del linket eller lad deltagerne scanne QR-koden.',
    'start.qr': 'QR-kode til deltagernes link',
    'start.screen': 'Storskærm',
    'start.screen.help': 'Åbn på skærmen i mødelokalet.',
    'start.open': 'Åbn',
    copy: 'Kopiér',
    copied: 'Kopieret',
    'copy.failed': 'Kunne ikke kopiere – markér linket og kopiér det selv.',
    'participant.anonymity':
      'Din stemme er anonym: ingen – heller ikke mødelederen – kan se, hvad du har stemt.',
    'participant.joining': 'Du deltager …',
    'participant.cards': 'Dialogkort',
    'participant.results': 'Resultater',
    'participant.priority': 'Prioritering',
    'participant.plan': 'Opfølgningsplan',
    'participant.notices': 'Påmindelser',
    'participant.summaryLink': 'Se opsummeringen',
    'round.paused': 'Runden er sat på pause.',
    'round.ended': 'Runden er afsluttet. Tak for jeres deltagelse.',
    'facilitator.title': 'Mødeleder',
    'facilitator.missingSecret':
      'Linket mangler mødelederens nøgle. Brug hele linket fra startsiden (med # og nøglen til sidst).',
    'facilitator.wrongSecret': 'Mødelederens nøgle passer ikke til denne runde.',
    'facilitator.group': 'Det ser gruppen nu',
    'facilitator.cards': 'Kortene',
    'facilitator.results': 'Resultater',
    'facilitator.plan': 'Opfølgningsplan',
    'facilitator.links': 'Links og eksport',
    'facilitator.noCards': 'Kortene vises i trin 4 og 5.',
    'facilitator.openCard': 'Åbn',
    'facilitator.closeCard': 'Luk',
    'facilitator.openMission': 'Åbn hele målsætningen',
    'facilitator.closeMission': 'Luk målsætningen',
    'facilitator.deleteTitle': 'Slet runden',
    'facilitator.delete': 'Slet runden …',
    'phase.pending': 'Venter',
    'phase.open': 'Åben',
    'phase.closed': 'Lukket',
    'plan.what': 'Hvad vil vi prioritere?',
    'plan.goal': 'Hvad vil vi gerne opnå?',
    'plan.actions': 'Hvad kan vi gøre?',
    'plan.owner': 'Hvem?',
    'plan.due': 'Hvornår?',
    'plan.submit': 'Tilføj til planen',
    'plan.done': 'Udført',
    'plan.postpone': 'Udskyd en uge',
    'plan.blocked': 'Blokeret',
    'plan.empty': 'Der er ingen punkter i planen endnu.',
    'screen.join': 'Deltag',
    'screen.waiting': 'Venter på næste kort …',
    'summary.title': 'Opsummering',
    'summary.notYet': 'Opsummeringen er klar, når runden når trin 7.',
    'summary.downloads': 'Hent',
    'download.png': 'Måloversigt (PNG)',
    'download.svg': 'Måloversigt (SVG)',
    'download.csv': 'Resultater (CSV)',
    'download.md': 'Referat (Markdown)',
    'download.ics': 'Kalender med opfølgning (.ics)',
    'link.screen': 'Storskærm',
    'link.summary': 'Opsummering',
    'link.join': 'Deltagernes link',
    'maaloversigt.alt':
      'Måloversigten: områder, målsætninger og de vurderede kort, farvet efter score.',
    'qr.alt': 'QR-kode til at deltage i runden',
    'error.network': 'Der er ingen forbindelse til serveren. Prøv igen om lidt.',
    'error.unexpected': 'Noget gik galt. Prøv igen om lidt.',
    'error.notFound': 'Runden findes ikke (længere).',
    'error.template': 'Kortet kunne ikke vises.',
    'live.reconnecting': 'Forbindelsen blev afbrudt – forbinder igen …',
    'live.reconnected': 'Forbundet igen.',
  },
  en: {
    'app.name': 'Dialogue round',
    skip: 'Skip to content',
    loading: 'Loading …',
    'start.title': 'Start a dialogue round',
    'start.intro':
      'Go all the way round your work environment with the dialogue tool “Sustainable work environment”. Participants vote anonymously from their own phone or computer.',
    'start.deck': 'Dialogue tool',
    'start.lang': 'Language',
    'start.lang.da': 'Dansk',
    'start.lang.en': 'English',
    'start.mode': 'Format',
    'start.mode.sync': 'Meeting – the facilitator moves through the steps',
    'start.mode.async': 'Over several days – steps close by themselves at a deadline',
    'start.scope': 'Scope',
    'start.scope.all': 'All areas',
    'start.k': 'Anonymity threshold (at least 3)',
    'start.k.help': 'A card’s result is shown only once at least this many have rated it.',
    'start.tz': 'Time zone',
    'start.submit': 'Create the round',
    'start.creating': 'Creating …',
    'start.created': 'The round has been created.',
    'start.facilitator': 'Facilitator link',
    'start.facilitator.secret':
      'Keep this link secret: it lets whoever has it run the round. Do not share it with participants.',
    'start.join': 'Participant link',
    'start.join.help': 'Share the link or let participants scan the QR code.',
    'start.qr': 'QR code for the participant link',
    'start.screen': 'Big screen',
    'start.screen.help': 'Open it on the screen in the meeting room.',
    'start.open': 'Open',
    copy: 'Copy',
    copied: 'Copied',
    'copy.failed': 'Could not copy – select the link and copy it yourself.',
    'participant.anonymity':
      'Your vote is anonymous: nobody – not even the facilitator – can see what you voted.',
    'participant.joining': 'Joining …',
    'participant.cards': 'Dialogue cards',
    'participant.results': 'Results',
    'participant.priority': 'Priorities',
    'participant.plan': 'Follow-up plan',
    'participant.notices': 'Reminders',
    'participant.summaryLink': 'See the summary',
    'round.paused': 'The round is paused.',
    'round.ended': 'The round has ended. Thank you for taking part.',
    'facilitator.title': 'Facilitator',
    'facilitator.missingSecret':
      'The link lacks the facilitator key. Use the whole link from the start page (with # and the key at the end).',
    'facilitator.wrongSecret': 'The facilitator key does not match this round.',
    'facilitator.group': 'What the group sees now',
    'facilitator.cards': 'The cards',
    'facilitator.results': 'Results',
    'facilitator.plan': 'Follow-up plan',
    'facilitator.links': 'Links and exports',
    'facilitator.noCards': 'The cards are shown in steps 4 and 5.',
    'facilitator.openCard': 'Open',
    'facilitator.closeCard': 'Close',
    'facilitator.openMission': 'Open the whole mission',
    'facilitator.closeMission': 'Close the mission',
    'facilitator.deleteTitle': 'Delete the round',
    'facilitator.delete': 'Delete the round …',
    'phase.pending': 'Waiting',
    'phase.open': 'Open',
    'phase.closed': 'Closed',
    'plan.what': 'What will we prioritise?',
    'plan.goal': 'What do we want to achieve?',
    'plan.actions': 'What can we do?',
    'plan.owner': 'Who?',
    'plan.due': 'When?',
    'plan.submit': 'Add to the plan',
    'plan.done': 'Done',
    'plan.postpone': 'Postpone a week',
    'plan.blocked': 'Blocked',
    'plan.empty': 'The plan has no items yet.',
    'screen.join': 'Join',
    'screen.waiting': 'Waiting for the next card …',
    'summary.title': 'Summary',
    'summary.notYet': 'The summary is ready when the round reaches step 7.',
    'summary.downloads': 'Download',
    'download.png': 'Goal overview (PNG)',
    'download.svg': 'Goal overview (SVG)',
    'download.csv': 'Results (CSV)',
    'download.md': 'Minutes (Markdown)',
    'download.ics': 'Calendar with follow-up (.ics)',
    'link.screen': 'Big screen',
    'link.summary': 'Summary',
    'link.join': 'Participant link',
    'maaloversigt.alt':
      'The goal overview: areas, missions and the rated cards, coloured by score.',
    'qr.alt': 'QR code for joining the round',
    'error.network': 'There is no connection to the server. Please try again shortly.',
    'error.unexpected': 'Something went wrong. Please try again shortly.',
    'error.notFound': 'The round does not exist (any more).',
    'error.template': 'The card could not be shown.',
    'live.reconnecting': 'The connection dropped – reconnecting …',
    'live.reconnected': 'Connected again.',
  },
};

/** @typedef {keyof typeof STRINGS.da} StringKey */

/** @returns {Lang} */
export function pageLang() {
  return document.documentElement.lang === 'en' ? 'en' : 'da';
}

/**
 * A static UI string in the page's language.
 * @param {StringKey} key
 * @param {Lang} [lang]
 */
export function t(key, lang = pageLang()) {
  return STRINGS[lang]?.[key] ?? STRINGS.da[key] ?? key;
}

/**
 * Sets `<html lang>` and translates every element marked `data-i18n="key"`
 * (its text) or `data-i18n-attr="attr:key;attr:key"` (attributes).
 * @param {Lang} lang
 */
export function applyLang(lang) {
  const safe = lang === 'en' ? 'en' : 'da';
  document.documentElement.lang = safe;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    node.textContent = t(/** @type {StringKey} */ (node.getAttribute('data-i18n')), safe);
  }
  for (const node of document.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (node.getAttribute('data-i18n-attr') ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key)
        node.setAttribute(attr.trim(), t(/** @type {StringKey} */ (key.trim()), safe));
    }
  }
}

// ---------------------------------------------------------------- DOM helpers

/**
 * Creates an element. Children that are strings become text nodes (never HTML).
 * @param {string} tag
 * @param {Record<string, string | boolean | number | undefined | null>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name === 'className') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** The round id from `/r/:id`, `/f/:id`, `/screen/:id` or `/s/:id`. */
export function roundIdFromPath() {
  const parts = location.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[1] ?? '');
}

/** @param {string} roundId */
export function roundApi(roundId) {
  return `/api/rounds/${encodeURIComponent(roundId)}`;
}

// ---------------------------------------------------------------- announcements and errors

/**
 * Says something to screen-reader users through the page's polite live region.
 * Repeated identical texts are announced again.
 * @param {string} text
 */
export function announce(text) {
  const region = document.getElementById('live');
  if (!region) return;
  if (region.textContent === text) region.textContent = '';
  // A fresh text node after a tick makes screen readers read it even when it repeats.
  setTimeout(() => {
    region.textContent = text;
  }, 30);
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let errorTimer;

/**
 * Shows an error in the page's error box (an aria-live region) until the next
 * success or 12 seconds, whichever comes first.
 * @param {string} message
 */
export function showError(message) {
  const box = document.getElementById('error');
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(clearError, 12_000);
}

export function clearError() {
  const box = document.getElementById('error');
  if (!box) return;
  box.hidden = true;
  box.textContent = '';
}

/**
 * Shows a status line that stays (connection lost, paused, ended).
 * @param {string} text
 * @param {'info' | 'warn'} [tone]
 */
export function setBanner(text, tone = 'info') {
  const banner = document.getElementById('banner');
  if (!banner) return;
  banner.textContent = text;
  banner.hidden = !text;
  banner.dataset.tone = tone;
}

/**
 * The live-connection notice ("reconnecting …"), apart from the round's own banner.
 * @param {StringKey | ''} key empty: hide it
 */
function connectionNotice(key) {
  let notice = document.getElementById('connection');
  if (!notice) {
    notice = el('div', {
      id: 'connection',
      className: 'banner',
      'data-tone': 'warn',
      hidden: true,
    });
    const main = document.querySelector('main');
    if (!main) return;
    main.prepend(notice);
  }
  // Marked for applyLang: the page may learn the round's language after this.
  if (key) notice.setAttribute('data-i18n', key);
  notice.textContent = key ? t(key) : '';
  notice.hidden = !key;
}

// ---------------------------------------------------------------- the JSON API

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string} code
   */
  constructor(message, status, code) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the JSON API. POSTs carry a fresh `Idempotency-Key` (one per click);
 * a request that fails on the network is retried once with the same key, so
 * the server applies it at most once. Throws an ApiError whose message is in
 * the page's language.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, secret?: string | null, signal?: AbortSignal }} [options]
 * @returns {Promise<any>}
 */
export async function api(path, options = {}) {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['idempotency-key'] = crypto.randomUUID();
  if (options.secret) headers['x-facilitator-secret'] = options.secret;
  /** @type {RequestInit} */
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  let response;
  for (let attempt = 0; ; attempt++) {
    try {
      response = await fetch(path, init);
      break;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (attempt >= 1) throw new ApiError(t('error.network'), 0, 'network');
      await sleep(600);
    }
  }
  /** @type {any} */
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok || payload?.ok === false) {
    const code = payload?.error?.code ?? (response.status === 404 ? 'not_found' : 'unexpected');
    const fallback = response.status === 404 ? t('error.notFound') : t('error.unexpected');
    throw new ApiError(payload?.error?.message || fallback, response.status, code);
  }
  return payload;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs a user action: shows its error (in the page language) instead of
 * throwing, and clears an earlier error on success.
 * @template T
 * @param {() => Promise<T>} run
 * @returns {Promise<T | undefined>}
 */
export async function attempt(run) {
  try {
    const result = await run();
    clearError();
    return result;
  } catch (error) {
    const message = error instanceof ApiError ? error.message : t('error.unexpected');
    showError(message);
    announce(message);
    if (!(error instanceof ApiError)) console.error(error);
    return undefined;
  }
}

// ---------------------------------------------------------------- live state

/**
 * Keeps a page in step with the round: fetches `/state`, renders it, and
 * refetches on every `change` event and after every reconnect. Fetches never
 * overlap: a change arriving mid-fetch triggers exactly one more fetch.
 * @param {{
 *   roundId: string,
 *   secret?: string | null,
 *   render: (state: any) => void,
 *   onError?: (error: unknown) => void,
 * }} options
 */
export function liveState(options) {
  const base = roundApi(options.roundId);
  let version = -1;
  let running = false;
  let again = false;
  /** @type {any} */
  let last = null;

  /** @param {boolean} [quiet] true: a network failure is not shown (the connection notice says it) */
  async function refresh(quiet = false) {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        try {
          const state = await api(`${base}/state`, { secret: options.secret ?? null });
          version = typeof state.version === 'number' ? state.version : version;
          last = state;
          options.render(state);
        } catch (error) {
          if (quiet && error instanceof ApiError && error.status === 0) continue;
          if (options.onError) options.onError(error);
          else if (error instanceof ApiError) showError(error.message);
        }
      } while (again);
    } finally {
      running = false;
    }
  }

  /** @type {EventSource | null} */
  let source = null;
  let delay = 1000;
  let wasDown = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
  let stopped = false;

  function connect() {
    if (stopped) return;
    source = new EventSource(`${base}/events`);
    source.addEventListener('open', () => {
      delay = 1000;
      if (wasDown) {
        wasDown = false;
        connectionNotice('');
        announce(t('live.reconnected'));
        // Whatever happened while we were away: resynchronise from the server.
        refresh();
      }
    });
    source.addEventListener('change', (event) => {
      let next = Number.NaN;
      try {
        next = Number(JSON.parse(/** @type {MessageEvent} */ (event).data)?.version);
      } catch {
        // A malformed event still means "something changed".
      }
      if (!(next <= version)) refresh();
    });
    source.addEventListener('error', () => {
      if (stopped) return;
      if (!wasDown) {
        wasDown = true;
        connectionNotice('live.reconnecting');
      }
      // Meanwhile the page keeps up by asking (at the pace of the retries).
      refresh(true);
      // The browser retries by itself while CONNECTING; when it gives up, we do.
      if (source && source.readyState === EventSource.CLOSED) {
        source.close();
        clearTimeout(retryTimer);
        retryTimer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15_000);
      }
    });
  }

  // The state comes at once; the stream then says when to fetch it again.
  refresh();
  connect();
  // A phone waking up or a network coming back: resync at once.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
  });
  window.addEventListener('online', () => refresh());

  return {
    refresh,
    get state() {
      return last;
    },
    get version() {
      return version;
    },
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    },
  };
}

// ---------------------------------------------------------------- facilitator secret

/**
 * The facilitator secret: from the URL fragment (`/f/<id>#<secret>`), kept in
 * sessionStorage so a reload still works. The fragment is then removed from
 * the address bar, so it is not shown on a projected screen.
 * @param {string} roundId
 * @returns {string | null}
 */
export function facilitatorSecret(roundId) {
  const key = `dialogrunde:secret:${roundId}`;
  const fromHash = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  if (fromHash) {
    try {
      sessionStorage.setItem(key, fromHash);
      history.replaceState(null, '', location.pathname + location.search);
    } catch {
      // Private mode without storage: keep the fragment in the address bar.
    }
    return fromHash;
  }
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

/**
 * The stored facilitator secret for a round, if this tab has one (no URL involved).
 * @param {string} roundId
 */
export function storedSecret(roundId) {
  try {
    return sessionStorage.getItem(`dialogrunde:secret:${roundId}`);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- small widgets

/**
 * A copy-to-clipboard button for a text.
 * @param {() => string} text
 * @param {string} label accessible name, e.g. "Kopiér mødelederens link"
 */
export function copyButton(text, label) {
  const button = el('button', {
    type: 'button',
    className: 'button secondary',
    'aria-label': label,
  });
  button.textContent = t('copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = t('copied');
      announce(t('copied'));
      setTimeout(() => {
        button.textContent = t('copy');
      }, 2000);
    } catch {
      showError(t('copy.failed'));
    }
  });
  return button;
}

/**
 * Download and page links of a round.
 * @param {string} roundId
 */
export function exportLinks(roundId) {
  const base = roundApi(roundId);
  /** @type {[StringKey, string, string][]} */
  const items = [
    ['download.png', `${base}/maaloversigt.png`, 'maaloversigt.png'],
    ['download.svg', `${base}/maaloversigt.svg`, 'maaloversigt.svg'],
    ['download.csv', `${base}/summary.csv`, 'dialogrunde.csv'],
    ['download.md', `${base}/minutes.md`, 'referat.md'],
    ['download.ics', `${base}/plan.ics`, 'opfoelgning.ics'],
  ];
  return el(
    'ul',
    { className: 'links' },
    ...items.map(([key, href, file]) =>
      el('li', {}, el('a', { href, download: file, 'data-export': key, text: t(key) })),
    ),
  );
}

/** @param {string} path */
export function absoluteUrl(path) {
  return new URL(path, location.origin).href;
}
