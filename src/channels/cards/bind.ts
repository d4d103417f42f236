import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ViewKind, ViewModel } from '../../core/views/types.ts';

/*
 * adaptivecards-templating 2.3.1 is CommonJS and runs unchanged in Node 24 (a plain
 * `import { Template } from 'adaptivecards-templating'` works at run time too; it needs
 * no DOM). We load it with `require` and type the small part we use ourselves because its
 * typings import `adaptivecards/src/schema` — TypeScript *source* in node_modules, which
 * `skipLibCheck` does not skip — and that source fails this project's strict settings
 * (`erasableSyntaxOnly`, `verbatimModuleSyntax`), breaking `tsc --noEmit`.
 */
interface Template {
  expand(context: { $root: unknown }): unknown;
}
const { Template } = createRequire(import.meta.url)('adaptivecards-templating') as {
  Template: new (payload: unknown) => Template;
};

/** The Adaptive Card templates (Adaptive Cards 1.5, Designer-compatible JSON). */
export const CARDS_DIR = fileURLToPath(new URL('../../../cards/', import.meta.url));

/**
 * Template file name (without `.json`) for every view kind. A `Record` over `ViewKind`,
 * so a new view kind does not type-check until it has a template here.
 */
export const TEMPLATE_NAMES: Readonly<Record<ViewKind, string>> = {
  intro: 'intro',
  scope: 'scope',
  status: 'status',
  rating: 'rating',
  cardVote: 'card-vote',
  cardResult: 'card-result',
  custom: 'custom',
  priority: 'priority',
  summary: 'summary',
  plan: 'plan',
  reminder: 'reminder',
  facilitator: 'facilitator',
  roundStatus: 'round-status',
  deleteRound: 'delete-round',
  help: 'help',
  error: 'error',
};

export const VIEW_KINDS = Object.keys(TEMPLATE_NAMES) as ViewKind[];

/**
 * The status form's "general" choice (a note about no particular area). Adaptive Cards
 * require a non-empty value for every choice, and area ids are lowercase slugs, so this
 * cannot collide with an area. Inbound: `areaId` '' or this value means `null`.
 */
export const GENERAL_AREA_VALUE = '_general';

/** A bound Adaptive Card (JSON object, ready to send or render). */
export type CardJson = Record<string, unknown>;

/** `card-vote` for `cardVote`: the template's file name without `.json`. */
export function templateName(kind: ViewKind): string {
  return TEMPLATE_NAMES[kind];
}

export function templatePath(kind: ViewKind): string {
  return `${CARDS_DIR}${templateName(kind)}.json`;
}

const cache = new Map<ViewKind, Template>();

function template(kind: ViewKind): Template {
  let found = cache.get(kind);
  if (!found) {
    found = new Template(JSON.parse(readFileSync(templatePath(kind), 'utf8')));
    cache.set(kind, found);
  }
  return found;
}

/**
 * Binds a view model to its template: the view model is the template's `$root`.
 * Texts come from the view model only; the template adds layout and actions.
 */
export function bindCard<K extends ViewKind>(
  kind: K,
  view: Extract<ViewModel, { kind: K }>,
): CardJson {
  if (view.kind !== kind) throw new Error(`bindCard: ${kind} template, ${view.kind} view`);
  const card: unknown = template(kind).expand({ $root: view });
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw new Error(`bindCard: template ${templateName(kind)} did not produce a card`);
  }
  return card as CardJson;
}

/** Binds any view model to the template of its kind. */
export function cardFor(view: ViewModel): CardJson {
  return bindCard(view.kind, view);
}
