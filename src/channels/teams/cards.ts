import type { ExportLinkSet } from '../../app/signed-links.ts';
import { t } from '../../core/i18n/index.ts';
import type { PlanView, ReminderView, ViewKind, ViewModel } from '../../core/views/types.ts';
import { type CardJson, cardFor } from '../cards/bind.ts';
import { escapeCardMarkdown, escapeMarkdown } from './markdown.ts';
import { addSummaryExports } from './summary-extras.ts';

/**
 * Teams refreshes a card automatically for at most 60 listed users
 * (`refresh.userIds`, "Work with Universal Actions for Adaptive Cards").
 */
export const REFRESH_USER_LIMIT = 60;

/**
 * View kinds whose group card every member sees as their own version (their
 * vote, their picks): the card carries `refresh`, and each member's client asks
 * the bot for their card (`adaptiveCard/action` with `{ command: 'refresh', key }`).
 */
export const USER_SPECIFIC_KINDS: ReadonlySet<ViewKind> = new Set<ViewKind>([
  'cardVote',
  'priority',
]);

/** Teams' people picker over the members of the conversation the card is in. */
export const PEOPLE_PICKER_DATASET = 'graph.microsoft.com/users?scope=currentContext';

/**
 * What only Teams adds to a shared card, decided by the channel's output at
 * send time (never by the templates, which the web channel renders too).
 * New extras are new optional fields.
 */
export interface TeamsCardExtras {
  /**
   * Makes the card user-specific (only for {@link USER_SPECIFIC_KINDS}; other
   * kinds ignore it). `userIds`: Teams user ids (MRIs, `29:…`) of **all**
   * members of the conversation, never a list derived from who voted (anyone
   * can read the card's JSON). Without `userIds`, or with more than
   * {@link REFRESH_USER_LIMIT}, the card has no `userIds`: Teams then refreshes
   * automatically for everybody in a conversation of at most 60 people, and
   * offers a manual refresh in larger ones.
   */
  refresh?: { userIds?: readonly string[] };
  /**
   * Signed links to the summary's exports (only the summary card uses them):
   * the måloversigt picture and buttons to the CSV, minutes and calendar
   * (`summary-extras.ts`). Absent: the card goes out without them.
   */
  exportLinks?: ExportLinkSet;
  /**
   * The round a card's buttons act on, added to the `data` of every
   * `Action.Execute` and `Action.Submit` (fallbacks included). Only for the
   * facilitator's card in the 1:1 chat (`facilitator-chat.ts`), where no round
   * lives in the conversation; the invoke side reads it for facilitator
   * commands only, and the core still checks that the presser is the facilitator.
   */
  roundId?: string;
}

/**
 * A view as the Adaptive Card Teams gets: the shared template, full width
 * (a meeting's cards are read on a shared screen too), plus the Teams-only
 * parts: `refresh` on user-specific cards, the owner's @mention on reminders,
 * the people picker in the plan form, and the summary's picture and export links.
 */
export function teamsCard(view: ViewModel, extras: TeamsCardExtras = {}): CardJson {
  const card = cardFor(view);
  // Before the Teams additions: the owner's <at> mention below is ours and stays a mention.
  escapeCardMarkdown(card);
  const msteams: Record<string, unknown> = { width: 'Full' };
  card.msteams = msteams;
  if (extras.refresh && USER_SPECIFIC_KINDS.has(view.kind)) {
    card.refresh = refreshOf(view, extras.refresh.userIds);
  }
  if (view.kind === 'reminder') mentionOwner(card, msteams, view);
  if (view.kind === 'plan') addPeoplePicker(card, view);
  if (view.kind === 'summary' && extras.exportLinks) {
    addSummaryExports(card, view, extras.exportLinks);
  }
  if (extras.roundId !== undefined) addRoundId(card, extras.roundId);
  return card;
}

/** Puts `roundId` into the data of every button (never into `refresh`, which names its own view). */
function addRoundId(root: unknown, roundId: string): void {
  if (Array.isArray(root)) {
    for (const item of root) addRoundId(item, roundId);
    return;
  }
  if (typeof root !== 'object' || root === null) return;
  const node = root as JsonObject;
  if (node.type === 'Action.Execute' || node.type === 'Action.Submit') {
    const data = node.data;
    if (data === undefined || (typeof data === 'object' && data !== null && !Array.isArray(data))) {
      node.data = { ...(data as JsonObject | undefined), roundId };
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'refresh') addRoundId(value, roundId);
  }
}

function refreshOf(view: ViewModel, userIds: readonly string[] | undefined) {
  const refresh: Record<string, unknown> = {
    action: {
      type: 'Action.Execute',
      title: t(view.lang, 'action.refresh'),
      verb: 'refresh',
      data: { command: 'refresh', key: view.key },
    },
  };
  // More than 60 would not be honoured: none rather than an arbitrary 60.
  if (userIds && userIds.length > 0 && userIds.length <= REFRESH_USER_LIMIT) {
    refresh.userIds = [...userIds];
  }
  return refresh;
}

/**
 * The owner as a Teams @mention when they are a Teams user: `<at>Name</at>` in
 * the owner line, and the mention entity (the id is the user's Entra object id,
 * which Teams accepts for mentions in bot cards) in `msteams.entities`.
 */
function mentionOwner(card: CardJson, msteams: Record<string, unknown>, view: ReminderView): void {
  const user = view.ownerUser;
  if (user?.platform !== 'teams' || !user.userId) return;
  // `<` and `>` would end the <at> tag early.
  const name = view.item.owner.replace(/[<>]/g, '').trim();
  if (!name) return;
  const tag = `<at>${name}</at>`;
  // The owner line ("Ansvarlig: Kim") again, with the tag in place of the name.
  const line = findObject(
    card.body,
    (node) => node.type === 'TextBlock' && node.text === escapeMarkdown(view.owner),
  );
  if (line) line.node.text = t(view.lang, 'reminder.owner', { owner: tag });
  else if (Array.isArray(card.body)) card.body.push({ type: 'TextBlock', text: tag, wrap: true });
  msteams.entities = [{ type: 'mention', text: tag, mentioned: { id: user.userId, name } }];
}

/**
 * Teams' people picker (an `Input.ChoiceSet` whose choices come from the
 * conversation's members) next to the typed owner. It submits the picked
 * person's Entra object id as `ownerUser`. The typed name becomes optional:
 * when it is empty, the inbound side takes the picked person's name.
 */
function addPeoplePicker(card: CardJson, view: PlanView): void {
  const owner = findObject(card, (node) => node.type === 'Input.Text' && node.id === 'owner');
  if (!owner?.array) return;
  // Not required (false is the default, so the property goes).
  delete owner.node.isRequired;
  delete owner.node.errorMessage;
  owner.node.placeholder = view.labels.ownerHint;
  owner.array.splice(owner.index + 1, 0, {
    type: 'Input.ChoiceSet',
    id: 'ownerUser',
    label: view.labels.ownerUser,
    isMultiSelect: false,
    choices: [],
    'choices.data': { type: 'Data.Query', dataset: PEOPLE_PICKER_DATASET },
  });
}

type JsonObject = Record<string, unknown>;

interface Found {
  node: JsonObject;
  /** The array holding the node, and where (absent for the root). */
  array?: unknown[];
  index: number;
}

/** The first object (depth first, in document order) that matches. */
function findObject(
  root: unknown,
  matches: (node: JsonObject) => boolean,
  array?: unknown[],
  index = 0,
): Found | undefined {
  if (Array.isArray(root)) {
    for (const [i, item] of root.entries()) {
      const found = findObject(item, matches, root, i);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof root !== 'object' || root === null) return undefined;
  const node = root as JsonObject;
  if (matches(node)) return { node, ...(array ? { array } : {}), index };
  for (const value of Object.values(node)) {
    const found = findObject(value, matches);
    if (found) return found;
  }
  return undefined;
}
