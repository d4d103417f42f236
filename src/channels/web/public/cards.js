// Adaptive Cards in the browser: templates from /cards/<kind>.json, bound with
// adaptivecards-templating (global ACData), rendered with adaptivecards (global
// AdaptiveCards). Card buttons are routed to the JSON API.

import { api, attempt, el, roundApi, t } from './common.js';

/** @type {any} */
const AC = /** @type {any} */ (globalThis).AdaptiveCards;
/** @type {any} */
const ACData = /** @type {any} */ (globalThis).ACData;

if (AC) {
  // No markdown: every text is shown exactly as written (user text can never become a link or HTML).
  AC.AdaptiveCard.onProcessMarkdown = (/** @type {string} */ _text, /** @type {any} */ result) => {
    result.didProcess = false;
  };
}

/** Colours with at least 4.5:1 contrast against their container's background. */
function foreground() {
  return {
    default: { default: '#1b1b1b', subtle: '#4d4d4d' },
    dark: { default: '#000000', subtle: '#3d3d3d' },
    light: { default: '#ffffff', subtle: '#f0f0f0' },
    accent: { default: '#0b57a4', subtle: '#0b4d8f' },
    good: { default: '#17621b', subtle: '#17621b' },
    warning: { default: '#7a4b00', subtle: '#7a4b00' },
    attention: { default: '#a32100', subtle: '#a32100' },
  };
}

/**
 * @param {number} scale 1 for pages, larger for the big screen
 * @param {boolean} interactive false: inputs and buttons are left out
 */
function hostConfigJson(scale, interactive) {
  const size = (/** @type {number} */ n) => Math.round(n * scale);
  const fonts = {
    fontFamily:
      "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
    fontSizes: {
      small: size(14),
      default: size(16),
      medium: size(19),
      large: size(23),
      extraLarge: size(28),
    },
    fontWeights: { lighter: 300, default: 400, bolder: 650 },
  };
  return {
    supportsInteractivity: interactive,
    spacing: {
      small: size(6),
      default: size(10),
      medium: size(16),
      large: size(24),
      extraLarge: size(32),
      padding: size(14),
    },
    separator: { lineThickness: 1, lineColor: '#c8c8c8' },
    fontTypes: {
      default: fonts,
      monospace: { ...fonts, fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace" },
    },
    imageSizes: { small: size(40), medium: size(80), large: size(160) },
    containerStyles: {
      default: { backgroundColor: '#ffffff', foregroundColors: foreground() },
      emphasis: { backgroundColor: '#f1f3f5', foregroundColors: foreground() },
      accent: { backgroundColor: '#e3eefb', foregroundColors: foreground() },
      good: { backgroundColor: '#e3f4e1', foregroundColors: foreground() },
      attention: { backgroundColor: '#fbe6df', foregroundColors: foreground() },
      warning: { backgroundColor: '#fdf1d8', foregroundColors: foreground() },
    },
    actions: {
      // The vote card has six buttons and the facilitator several more.
      maxActions: 20,
      spacing: 'default',
      // Spacing comes from CSS `gap`, so wrapped rows of buttons space evenly.
      buttonSpacing: 0,
      allowTitleToWrap: true,
      showCard: { actionMode: 'inline', inlineTopMargin: 12 },
      actionsOrientation: 'horizontal',
      actionAlignment: 'left',
    },
    adaptiveCard: { allowCustomStyle: true },
    inputs: {
      label: {
        requiredInputs: { weight: 'bolder', suffix: ' *', suffixColor: 'attention' },
        optionalInputs: { weight: 'bolder' },
      },
      errorMessage: { color: 'attention', weight: 'bolder' },
    },
    factSet: {
      title: { color: 'default', size: 'default', isSubtle: false, weight: 'bolder', wrap: true },
      value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true },
      spacing: size(8),
    },
  };
}

/** @type {Map<string, any>} */
const hostConfigs = new Map();

/**
 * @param {number} scale
 * @param {boolean} interactive
 */
function hostConfig(scale, interactive) {
  const key = `${scale}:${interactive}`;
  let config = hostConfigs.get(key);
  if (!config) {
    config = new AC.HostConfig(hostConfigJson(scale, interactive));
    hostConfigs.set(key, config);
  }
  return config;
}

// ---------------------------------------------------------------- templates

/** @type {Map<string, Promise<unknown>>} */
const templates = new Map();

/** `cardVote` → `card-vote` */
export function templateName(/** @type {string} */ kind) {
  return kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The template for a view kind, fetched once per page.
 * @param {string} kind
 */
export function loadTemplate(kind) {
  let pending = templates.get(kind);
  if (!pending) {
    pending = fetch(`/cards/${templateName(kind)}.json`, { cache: 'no-cache' }).then((r) => {
      if (!r.ok) throw new Error(`template ${kind}: HTTP ${r.status}`);
      return r.json();
    });
    // A failed fetch is retried on the next render instead of being cached.
    pending.catch(() => templates.delete(kind));
    templates.set(kind, pending);
  }
  return pending;
}

/**
 * Binds a view model to its template: the view is the template's `$root`.
 * @param {unknown} template
 * @param {unknown} view
 */
export function bind(template, view) {
  return new ACData.Template(template).expand({ $root: view });
}

// ---------------------------------------------------------------- one card on the page

/**
 * @typedef {{
 *   command: string,
 *   data: Record<string, unknown>,
 *   view: any,
 *   slot: CardSlot,
 * }} CardAction
 */

/**
 * A place on the page that shows one view model as an Adaptive Card. It
 * re-renders only when the view changed, and keeps what the user typed (and
 * where the focus was) across a re-render.
 */
export class CardSlot {
  /**
   * @param {HTMLElement} container
   * @param {{
   *   onAction?: (action: CardAction) => Promise<unknown>,
   *   interactive?: boolean,
   *   scale?: number,
   * }} [options]
   */
  constructor(container, options = {}) {
    this.container = container;
    this.onAction = options.onAction;
    this.interactive = options.interactive ?? Boolean(options.onAction);
    this.scale = options.scale ?? 1;
    /** @type {string | null} */
    this.rendered = null;
    /** @type {any} */
    this.card = null;
    /** @type {any} */
    this.view = null;
    this.generation = 0;
    this.formSent = false;
    /** @type {Map<string, string>} template defaults of the card on the page, by input id */
    this.defaults = new Map();
  }

  /**
   * Shows a view (or nothing for null). Resolves once it is on the page.
   * @param {any} view
   */
  async show(view) {
    const json = view ? JSON.stringify(view) : '';
    if (json === this.rendered) return;
    const generation = ++this.generation;
    if (!view) {
      this.rendered = '';
      this.card = null;
      this.view = null;
      this.container.replaceChildren();
      this.container.hidden = true;
      return;
    }
    let node;
    /** @type {any} */
    let card = null;
    /** @type {Map<string, string>} */
    let defaults = new Map();
    try {
      const template = await loadTemplate(view.kind);
      if (generation !== this.generation) return;
      card = new AC.AdaptiveCard();
      card.hostConfig = hostConfig(this.scale, this.interactive);
      card.parse(bind(template, view));
      defaults = new Map(
        card
          .getAllInputs()
          .map((/** @type {any} */ i) => [
            String(i.id),
            i.defaultValue == null ? '' : String(i.defaultValue),
          ]),
      );
      this.restoreInputs(card);
      card.onExecuteAction = (/** @type {any} */ action) => this.execute(action);
      node = card.render();
      if (!node) throw new Error('render returned nothing');
      node.setAttribute('data-kind', view.kind);
      if (view.cardId) node.setAttribute('data-card-id', view.cardId);
    } catch (error) {
      console.error(error);
      card = null;
      node = fallback(view);
    }
    const focus = this.rememberFocus();
    // Forms behind a "show card" button (the plan's "Add") stay open across a redraw.
    const expanded = this.formSent
      ? []
      : [...this.container.querySelectorAll('button[aria-expanded="true"]')].map((b) =>
          b.getAttribute('aria-label'),
        );
    this.formSent = false;
    this.container.replaceChildren(node);
    for (const button of node.querySelectorAll('button[aria-expanded="false"]')) {
      if (expanded.includes(button.getAttribute('aria-label'))) {
        /** @type {HTMLButtonElement} */ (button).click();
      }
    }
    this.container.hidden = false;
    this.card = card;
    this.defaults = defaults;
    this.view = view;
    this.rendered = json;
    this.restoreFocus(focus);
  }

  /** Values the user has typed into the card on the page now, by input id. */
  currentInputs() {
    /** @type {Map<string, string>} */
    const values = new Map();
    if (!this.card) return values;
    for (const input of this.card.getAllInputs()) {
      if (!input.id) continue;
      const value = input.value === undefined || input.value === null ? '' : String(input.value);
      // Only what the user changed: a new default from the server wins over an untouched one.
      if (value !== (this.defaults.get(input.id) ?? '')) values.set(input.id, value);
    }
    return values;
  }

  /** @param {any} next the newly parsed card, not yet rendered */
  restoreInputs(next) {
    const values = this.currentInputs();
    if (values.size === 0) return;
    for (const input of next.getAllInputs()) {
      const value = values.get(input.id);
      if (value !== undefined) input.defaultValue = value;
    }
  }

  rememberFocus() {
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    if (!active || !this.container.contains(active) || !this.card) return null;
    for (const input of this.card.getAllInputs()) {
      if (input.renderedElement?.contains(active)) {
        const field = /** @type {HTMLInputElement} */ (active);
        return {
          inputId: /** @type {string} */ (input.id),
          start: typeof field.selectionStart === 'number' ? field.selectionStart : null,
          end: typeof field.selectionEnd === 'number' ? field.selectionEnd : null,
          optionIndex: Array.from(input.renderedElement.querySelectorAll('input')).indexOf(active),
        };
      }
    }
    const label = active.getAttribute('aria-label') ?? active.textContent ?? '';
    return { label };
  }

  /** @param {ReturnType<CardSlot['rememberFocus']>} focus */
  restoreFocus(focus) {
    if (!focus || !this.card) return;
    if ('inputId' in focus) {
      const input = this.card.getAllInputs().find((/** @type {any} */ i) => i.id === focus.inputId);
      const root = /** @type {HTMLElement | undefined} */ (input?.renderedElement);
      if (!root) return;
      const options = root.querySelectorAll('input');
      /** @type {HTMLElement | null} */
      const target =
        focus.optionIndex > 0 && options[focus.optionIndex]
          ? /** @type {HTMLElement} */ (options[focus.optionIndex])
          : root.querySelector('input, textarea, select');
      if (!target) return;
      target.focus({ preventScroll: true });
      const field = /** @type {HTMLInputElement} */ (target);
      if (focus.start !== null && focus.end !== null && 'setSelectionRange' in field) {
        try {
          field.setSelectionRange(focus.start, focus.end);
        } catch {
          // Some input types (date, checkbox) have no selection.
        }
      }
      return;
    }
    for (const button of this.container.querySelectorAll('button')) {
      if ((button.getAttribute('aria-label') ?? button.textContent) === focus.label) {
        button.focus({ preventScroll: true });
        return;
      }
    }
  }

  /** @param {any} action an Adaptive Cards action */
  async execute(action) {
    if (!this.onAction) return;
    if (!(action instanceof AC.ExecuteAction || action instanceof AC.SubmitAction)) return;
    const data = action.data && typeof action.data === 'object' ? { ...action.data } : {};
    const command = typeof data.command === 'string' ? data.command : action.verb;
    if (typeof command !== 'string' || !command) return;
    const button = /** @type {HTMLButtonElement | undefined} */ (action.renderedElement);
    if (button) {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
    }
    try {
      const ok = await this.onAction({ command, data, view: this.view, slot: this });
      if (ok !== undefined && FORM_COMMANDS.has(command)) {
        // The form was sent: empty its text fields instead of keeping the sent text,
        // and let a form behind a "show card" button close at the next redraw.
        this.formSent = true;
        for (const input of this.card?.getAllInputs() ?? []) {
          if (input.id && FORM_FIELDS.has(input.id) && input.renderedInputControlElement) {
            input.renderedInputControlElement.value = '';
          }
        }
      }
    } finally {
      if (button?.isConnected) {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    }
  }
}

/** Commands whose form fields are emptied after they are sent. */
const FORM_COMMANDS = new Set(['addNote', 'addCustomCard', 'addPlanItem']);
/** Free-text fields (choices such as the area stay as they were). */
const FORM_FIELDS = new Set([
  'text',
  'title',
  'description',
  'what',
  'goal',
  'actions',
  'owner',
  'due',
]);

/**
 * What a view shows when its template cannot be loaded or rendered: the
 * title and the main text, as text.
 * @param {any} view
 */
function fallback(view) {
  return el(
    'div',
    { className: 'card-fallback', 'data-kind': view.kind },
    el('h3', { text: view.title ?? '' }),
    view.text ? el('p', { text: view.text }) : null,
    el('p', { className: 'muted', text: t('error.template') }),
  );
}

// ---------------------------------------------------------------- actions → API

/** @param {unknown} value */
function text(value) {
  return typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : String(value);
}

/** '1'..'5' → 1..5; 'na' stays 'na'. */
export function ratingValue(/** @type {unknown} */ value) {
  const raw = text(value).trim();
  if (raw === 'na') return 'na';
  const n = Number(raw);
  return Number.isInteger(n) ? n : raw;
}

const PLAN_ACTIONS = /** @type {Record<string, string>} */ ({
  planDone: 'done',
  planPostpone: 'postpone',
  planBlocked: 'blocked',
});

/** Choice values that mean "about the round as a whole" (no area): the status card's `_general`. */
const GENERAL_AREA = new Set(['', 'null', '_general']);

/** Facilitator commands without arguments. */
const BARE_COMMANDS = new Set(['pause', 'resume', 'end']);

/**
 * What the page knew when the button was pressed: the step and the open card.
 * Sent along with "next", "back" and "open next card", so a double click
 * cannot skip a step or a card.
 * @typedef {{ step?: string, openCardId?: string }} PressedIn
 */

/**
 * Turns a card button (its `command` and submitted data) into the API call.
 * @param {string} command
 * @param {Record<string, unknown>} data
 * @param {PressedIn} [context]
 * @returns {{ path: string, body: Record<string, unknown>, facilitator: boolean } | null}
 */
export function requestFor(command, data, context = {}) {
  switch (command) {
    case 'vote':
      return {
        path: '/vote',
        body: { cardId: text(data.cardId), value: ratingValue(data.value) },
        facilitator: false,
      };
    case 'addNote': {
      const areaId = text(data.areaId).trim();
      return {
        path: '/notes',
        body: { areaId: GENERAL_AREA.has(areaId) ? null : areaId, text: text(data.text) },
        facilitator: false,
      };
    }
    case 'addCustomCard':
      return {
        path: '/custom-cards',
        body: {
          missionId: text(data.missionId),
          title: text(data.title),
          description: text(data.description),
        },
        facilitator: false,
      };
    case 'prioritize':
      return {
        path: '/priorities',
        body: {
          cardIds: text(data.cardIds)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        },
        facilitator: false,
      };
    case 'planDone':
    case 'planPostpone':
    case 'planBlocked': {
      const itemId = text(data.value ?? data.itemId);
      return {
        path: `/plan/${encodeURIComponent(itemId)}`,
        body: { action: PLAN_ACTIONS[command] },
        facilitator: true,
      };
    }
    case 'addPlanItem':
      return {
        path: '/command',
        body: {
          type: 'addPlanItem',
          what: text(data.what),
          goal: text(data.goal),
          actions: text(data.actions),
          owner: { name: text(data.owner) },
          due: text(data.due),
        },
        facilitator: true,
      };
    case 'next':
    case 'back':
      return {
        path: '/command',
        body: context.step ? { type: command, from: context.step } : { type: command },
        facilitator: true,
      };
    case 'openNextCard':
      return {
        path: '/command',
        body:
          context.openCardId !== undefined
            ? { type: command, from: context.openCardId }
            : { type: command },
        facilitator: true,
      };
    case 'closeCard':
    case 'openCard':
      return {
        path: '/command',
        body: { type: command, cardId: text(data.cardId ?? data.value) },
        facilitator: true,
      };
    case 'setScope':
      return {
        path: '/command',
        body: { type: 'setScope', scope: text(data.scope ?? data.value) || 'all' },
        facilitator: true,
      };
    case 'openMission':
    case 'closeMission':
      return {
        path: '/command',
        body: { type: command, missionId: text(data.missionId ?? data.value) },
        facilitator: true,
      };
    default:
      return BARE_COMMANDS.has(command)
        ? { path: '/command', body: { type: command }, facilitator: true }
        : null;
  }
}

/**
 * What was on the page when a button was pressed, from the last state fetched.
 * @param {any} state
 * @returns {PressedIn}
 */
export function pressedIn(state) {
  if (!state) return {};
  const open = (Array.isArray(state.cards) ? state.cards : []).find(
    (/** @type {any} */ c) => c.kind === 'cardVote' && c.phase === 'open',
  );
  return { step: state.step, openCardId: open ? String(open.cardId) : '' };
}

/**
 * An action handler for CardSlot: sends the card's command to the round's API.
 * Resolves to the response (undefined when it failed; the error is shown).
 * @param {{
 *   roundId: string,
 *   secret?: string | null,
 *   state?: () => any,
 *   after?: (command: string) => void,
 * }} options
 */
export function apiActions(options) {
  return async (/** @type {CardAction} */ action) => {
    const request = requestFor(action.command, action.data, pressedIn(options.state?.()));
    if (!request) return undefined;
    const result = await attempt(() =>
      api(`${roundApi(options.roundId)}${request.path}`, {
        body: request.body,
        secret: options.secret ?? null,
      }),
    );
    if (result !== undefined && options.after) options.after(action.command);
    return result;
  };
}

/**
 * Shows a list of views in a container, one CardSlot per view key, in order.
 * Slots whose view disappeared are removed; the rest keep their typed input.
 */
export class CardList {
  /**
   * @param {HTMLElement} container
   * @param {ConstructorParameters<typeof CardSlot>[1]} [options]
   */
  constructor(container, options = {}) {
    this.container = container;
    this.options = options;
    /** @type {Map<string, CardSlot>} */
    this.slots = new Map();
  }

  /** @param {any[]} views */
  async show(views) {
    /** @type {HTMLElement[]} */
    const order = [];
    const keys = new Set();
    const pending = [];
    for (const view of views) {
      const key = String(view.key ?? view.cardId ?? view.kind);
      keys.add(key);
      let slot = this.slots.get(key);
      if (!slot) {
        slot = new CardSlot(el('div', { className: 'card-slot' }), this.options);
        this.slots.set(key, slot);
      }
      order.push(slot.container);
      pending.push(slot.show(view));
    }
    for (const [key, slot] of this.slots) {
      if (!keys.has(key)) {
        slot.container.remove();
        this.slots.delete(key);
      }
    }
    // Put the slots in order, moving only those out of place (moving a node would blur its focus).
    let previous = null;
    for (const node of order) {
      const expected = previous ? previous.nextSibling : this.container.firstChild;
      if (expected !== node) this.container.insertBefore(node, expected);
      previous = node;
    }
    await Promise.all(pending);
  }
}
