import type { DomainError } from '../../core/errors.ts';
import { STEPS, type StepId } from '../../core/model.ts';
import type { Command } from '../../core/round/commands.ts';

/*
 * What a card button means, whatever platform delivered it: Teams
 * (Action.Execute data, or Action.Submit's value), later Slack (block
 * actions). Pure translation of the templates' `command`/`value` and form
 * inputs into a typed intent; no SDK, no I/O, no rules. Texts go on as sent:
 * their lengths and contents are the core's to judge (it answers with its
 * own error codes). Ids are bounded so a forged payload cannot carry a
 * megabyte into a lookup. Identity is never read here: who acted comes from
 * the platform's authenticated envelope, so a `userId` in card data means nothing.
 */

/** Longest id accepted from a card (card, mission, area, note, plan item, user). */
export const MAX_ID_LENGTH = 100;
/** Longest view key accepted in a refresh (`<roundId>:reminder:<itemId>:<due>:<days>`). */
export const MAX_KEY_LENGTH = 300;
/** The status form's choice for "no particular area" (see GENERAL_AREA_VALUE in bind.ts). */
const GENERAL_AREA = new Set(['', 'null', '_general']);
/** Platform user ids (Entra object ids, Teams `29:` ids, Slack ids): nothing that could bend a URL. */
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9:._@-]*$/;

export type PlanAction = 'done' | 'postpone' | 'blocked' | 'open';

/** Facilitator commands a card can carry as they are: nothing in them is generated. */
export type CardCommand = Extract<
  Command,
  {
    type:
      | 'next'
      | 'back'
      | 'openNextCard'
      | 'openCard'
      | 'closeCard'
      | 'openMission'
      | 'closeMission'
      | 'setScope'
      | 'pause'
      | 'resume'
      | 'end'
      | 'removeStatusNote'
      | 'removeCustomCard'
      | 'removePlanItem';
  }
>;

export type CardIntent =
  /** `value` as sent ('1'…'5' already numbers): the core refuses anything else (invalid_rating). */
  | { kind: 'vote'; cardId: string; value: unknown }
  | { kind: 'prioritize'; cardIds: string[] }
  /** `areaId` null: about the round as a whole. */
  | { kind: 'addNote'; areaId: string | null; text: string }
  | { kind: 'addCustomCard'; missionId: string; title: string; description: string }
  | { kind: 'planStatus'; itemId: string; action: PlanAction }
  | {
      kind: 'addPlanItem';
      what: string;
      goal: string;
      actions: string;
      /** The typed name ('' when only a person was picked). */
      ownerName: string;
      /** A platform user picked as owner (Teams: Entra object id from the people picker). */
      ownerUser?: string;
      due: string;
    }
  /** A card asks for the presser's own version of the view with this key (Teams refresh). */
  | { kind: 'refresh'; key: string }
  /** The welcome card's Start. */
  | { kind: 'start' }
  /** The hint card's "show me the controls". */
  | { kind: 'facilitatorControls' }
  /** The second, explicit press that deletes the round named in the question (facilitator only). */
  | { kind: 'deleteRound'; roundId: string }
  /** "Keep the round": nothing is deleted. */
  | { kind: 'keepRound'; roundId: string }
  | { kind: 'command'; command: CardCommand }
  /** A known button with data no card of ours sends: refused with this error. */
  | { kind: 'invalid'; command: string; error: DomainError }
  | { kind: 'unknown'; command: string };

export type CardIntentKind = CardIntent['kind'];

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)[name]
    : undefined;
}

/** A string input as sent; numbers and booleans (some hosts send them) as text; else ''. */
function text(data: unknown, name: string): string {
  const value = field(data, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** The first field present of `names`, as text. */
function first(data: unknown, ...names: string[]): string {
  for (const name of names) {
    if (field(data, name) !== undefined && field(data, name) !== null) return text(data, name);
  }
  return '';
}

/** A card's rating value: '1'…'5' become numbers, anything else goes to the core as sent. */
export function ratingValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return /^[1-5]$/.test(trimmed) ? Number(trimmed) : value;
}

/** A multi-select ChoiceSet's value ("a,b,c"), or an array (other hosts): trimmed, no empties. */
export function splitChoices(value: unknown): string[] {
  const parts = Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(',')
      : [];
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

const tooLong = (id: string) => id.length > MAX_ID_LENGTH;

function invalid(command: string, code: DomainError['code']): CardIntent {
  return { kind: 'invalid', command, error: { code } };
}

/** An id the command needs (from `value` or a named field); '' or too long is refused with `code`. */
function requiredId(
  command: string,
  data: unknown,
  name: string,
  code: DomainError['code'],
): { ok: true; id: string } | { ok: false; intent: CardIntent } {
  const id = first(data, name, 'value').trim();
  if (id === '' || tooLong(id)) return { ok: false, intent: invalid(command, code) };
  return { ok: true, id };
}

function stepFrom(command: 'next' | 'back', data: unknown): CardIntent {
  const from = text(data, 'value').trim();
  if (from === '') return { kind: 'command', command: { type: command } };
  if (!(STEPS as readonly string[]).includes(from)) return invalid(command, 'wrong_step');
  return { kind: 'command', command: { type: command, from: from as StepId } };
}

const PLAN_ACTIONS: Readonly<Record<string, PlanAction>> = {
  planDone: 'done',
  planPostpone: 'postpone',
  planBlocked: 'blocked',
  planOpen: 'open',
};

/**
 * A card action as a typed intent. `command` is the action's `data.command`
 * (the templates always send it) or, failing that, Action.Execute's verb;
 * `data` is everything the card sent (its data merged with its inputs).
 */
export function parseCardAction(command: string, data: unknown): CardIntent {
  switch (command) {
    case 'vote': {
      const cardId = text(data, 'cardId').trim();
      if (cardId === '' || tooLong(cardId)) return invalid(command, 'card_not_found');
      return { kind: 'vote', cardId, value: ratingValue(field(data, 'value')) };
    }
    case 'prioritize': {
      const cardIds = splitChoices(field(data, 'cardIds'));
      if (cardIds.some(tooLong)) return invalid(command, 'card_not_found');
      return { kind: 'prioritize', cardIds };
    }
    case 'addNote': {
      const areaId = text(data, 'areaId').trim();
      if (tooLong(areaId)) return invalid(command, 'area_not_found');
      return {
        kind: 'addNote',
        areaId: GENERAL_AREA.has(areaId) ? null : areaId,
        text: text(data, 'text'),
      };
    }
    case 'addCustomCard': {
      const missionId = text(data, 'missionId').trim();
      if (tooLong(missionId)) return invalid(command, 'mission_not_found');
      return {
        kind: 'addCustomCard',
        missionId,
        title: text(data, 'title'),
        description: text(data, 'description'),
      };
    }
    case 'planDone':
    case 'planPostpone':
    case 'planBlocked':
    case 'planOpen': {
      const item = requiredId(command, data, 'itemId', 'plan_item_not_found');
      if (!item.ok) return item.intent;
      return { kind: 'planStatus', itemId: item.id, action: PLAN_ACTIONS[command] ?? 'open' };
    }
    case 'addPlanItem': {
      const ownerUser = text(data, 'ownerUser').trim();
      if (ownerUser !== '' && (tooLong(ownerUser) || !USER_ID.test(ownerUser))) {
        return invalid(command, 'member_not_found');
      }
      return {
        kind: 'addPlanItem',
        what: text(data, 'what'),
        goal: text(data, 'goal'),
        actions: text(data, 'actions'),
        ownerName: text(data, 'owner'),
        ...(ownerUser !== '' && { ownerUser }),
        due: text(data, 'due').trim(),
      };
    }
    case 'refresh': {
      const key = text(data, 'key');
      return { kind: 'refresh', key: key.length > MAX_KEY_LENGTH ? '' : key };
    }
    case 'start':
      return { kind: 'start' };
    case 'facilitator':
      return { kind: 'facilitatorControls' };
    case 'deleteRound':
    case 'keepRound': {
      const round = requiredId(command, data, 'roundId', 'round_not_found');
      return round.ok ? { kind: command, roundId: round.id } : round.intent;
    }
    case 'next':
    case 'back':
      return stepFrom(command, data);
    case 'openNextCard': {
      // '' is meaningful: no card was open when pressed.
      const raw = field(data, 'value');
      if (raw === undefined || raw === null) return { kind: 'command', command: { type: command } };
      const from = text(data, 'value').trim();
      if (tooLong(from)) return invalid(command, 'already_moved_on');
      return { kind: 'command', command: { type: command, from } };
    }
    case 'openCard':
    case 'closeCard':
    case 'removeCustomCard': {
      const card = requiredId(command, data, 'cardId', 'card_not_found');
      return card.ok
        ? { kind: 'command', command: { type: command, cardId: card.id } }
        : card.intent;
    }
    case 'openMission':
    case 'closeMission': {
      const mission = requiredId(command, data, 'missionId', 'mission_not_found');
      return mission.ok
        ? { kind: 'command', command: { type: command, missionId: mission.id } }
        : mission.intent;
    }
    case 'removeStatusNote': {
      const note = requiredId(command, data, 'noteId', 'note_not_found');
      return note.ok
        ? { kind: 'command', command: { type: command, noteId: note.id } }
        : note.intent;
    }
    case 'removePlanItem': {
      const item = requiredId(command, data, 'itemId', 'plan_item_not_found');
      return item.ok
        ? { kind: 'command', command: { type: command, itemId: item.id } }
        : item.intent;
    }
    case 'setScope': {
      // The scope form's ChoiceSet (`scope`), or a button's `value`: 'all' or an area id.
      const scope = first(data, 'scope', 'value').trim() || 'all';
      if (tooLong(scope)) return invalid(command, 'area_not_found');
      return {
        kind: 'command',
        command: {
          type: 'setScope',
          scope: scope === 'all' ? { kind: 'all' } : { kind: 'area', areaId: scope },
        },
      };
    }
    case 'pause':
    case 'resume':
    case 'end':
      return { kind: 'command', command: { type: command } };
    default:
      return { kind: 'unknown', command };
  }
}

/** The command of a card action: `data.command` (our templates) or Action.Execute's verb. */
export function commandOf(data: unknown, verb?: string): string {
  const named = field(data, 'command');
  if (typeof named === 'string' && named !== '') return named.slice(0, MAX_ID_LENGTH);
  return (verb ?? '').slice(0, MAX_ID_LENGTH);
}
