import type { Activity } from '@microsoft/agents-activity';
import { type Identity, newId } from '../../app/identity.ts';
import type { Logger } from '../../app/logger.ts';
import type { RoundService, ServiceCommand } from '../../app/round-service.ts';
import { prioritize, vote } from '../../app/voting.ts';
import { type DomainError, fail } from '../../core/errors.ts';
import type { PlanOwner, RoundState } from '../../core/model.ts';
import type { ChannelMemory } from '../../core/ports.ts';
import { ok, type Result } from '../../core/result.ts';
import type { ViewRequest } from '../../core/round/effects.ts';
import { buildView } from '../../core/views/build.ts';
import { reminderRequestNow } from '../../core/views/requests.ts';
import type { CardCommand, CardIntent } from '../cards/actions.ts';
import type { CardJson } from '../cards/bind.ts';
import { answerCard, errorCard } from './answers.ts';
import type { MemberLookup } from './members.ts';

/** Days "postpone" moves a plan item (the button says "a week"), as on the web. */
export const POSTPONE_DAYS = 7;
/** Longest activity id used in an idempotency key (Teams' ids are far shorter). */
const MAX_ACTIVITY_ID = 200;

export interface CardActionDeps {
  service: RoundService;
  memory: ChannelMemory;
  logger: Logger;
}

/** One card action in a round: who pressed, in which activity, and the round as it was. */
export interface ActionTurn {
  deps: CardActionDeps;
  activity: Activity;
  who: Identity;
  /** The round as loaded before the action. */
  state: RoundState;
  /** Its version then (lets a vote skip reading the round again). */
  version: number;
  members: MemberLookup;
  /**
   * The round came from the pressed card's data (the facilitator's card in
   * their 1:1 chat): the answer card names it again, so its buttons keep working.
   */
  roundInCard?: boolean;
}

/** Intents that act on the conversation's round (the rest need no round or their own). */
export type RoundIntent = Exclude<
  CardIntent,
  {
    kind:
      | 'start'
      | 'facilitatorControls'
      | 'deleteRound'
      | 'keepRound'
      | 'refresh'
      | 'invalid'
      | 'unknown';
  }
>;

/** What the answer card shows once a command went through. */
type AnswerWith = { kind: 'view'; request: ViewRequest } | { kind: 'reminder'; itemId: string };

const view = (request: ViewRequest): AnswerWith => ({ kind: 'view', request });

/** The card a facilitator command answers with: the card its button is on. */
function answerFor(command: CardCommand): AnswerWith {
  switch (command.type) {
    case 'setScope':
      return view({ kind: 'step', step: 'scope' });
    case 'removeStatusNote':
      return view({ kind: 'step', step: 'status' });
    case 'removeCustomCard':
      return view({ kind: 'step', step: 'custom' });
    case 'removePlanItem':
      return view({ kind: 'plan' });
    case 'next':
    case 'back':
    case 'openNextCard':
    case 'openCard':
    case 'closeCard':
    case 'openMission':
    case 'closeMission':
    case 'pause':
    case 'resume':
    case 'end':
      return view({ kind: 'facilitator' });
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

/**
 * Whether pressing must record the presser as a participant (m in "n of m")
 * before it runs: what people present do in the meeting, i.e. add a note or an
 * own initiative. A vote or a priority pick records its voter itself, in the
 * same store write as the ballot (`castBallot`), so it needs no separate join.
 * Facilitator controls do not join: whether the facilitator counts is decided
 * when the round starts (`starterJoins`). Plan buttons do not either: they are
 * pressed after the meeting, by owners who need not have been there.
 */
export function joinsRound(intent: RoundIntent): boolean {
  switch (intent.kind) {
    case 'addNote':
    case 'addCustomCard':
      return true;
    case 'vote':
    case 'prioritize':
      return false;
    case 'planStatus':
    case 'addPlanItem':
    case 'command':
      return false;
    default: {
      const unknown: never = intent;
      return unknown;
    }
  }
}

/**
 * Runs one intent through the round service and answers with the card the
 * presser should see in place of the pressed one: their own vote card or
 * priority form, the refreshed group card that lists what they added, the
 * plan or reminder with the new status, the facilitator's controls, or a
 * refusal in the round's language.
 */
export async function runIntent(turn: ActionTurn, intent: RoundIntent): Promise<CardJson> {
  const { service } = turn.deps;
  const { state, who, activity } = turn;
  const lang = state.settings.lang;
  switch (intent.kind) {
    case 'vote': {
      const loaded = { state, version: turn.version };
      const result = await vote(service, state.id, who, intent.cardId, intent.value, loaded);
      return result.ok ? answerCard(result.value.view, activity) : errorCard(lang, result.error);
    }
    case 'prioritize': {
      const loaded = { state, version: turn.version };
      const result = await prioritize(service, state.id, who, intent.cardIds, loaded);
      return result.ok ? answerCard(result.value.view, activity) : errorCard(lang, result.error);
    }
    case 'addNote':
      return commandThen(
        turn,
        { type: 'addStatusNote', noteId: newId(), areaId: intent.areaId, text: intent.text },
        view({ kind: 'step', step: 'status' }),
      );
    case 'addCustomCard':
      return commandThen(
        turn,
        {
          type: 'addCustomCard',
          cardId: newId(),
          missionId: intent.missionId,
          title: intent.title,
          description: intent.description,
        },
        view({ kind: 'step', step: 'custom' }),
      );
    case 'planStatus': {
      const { itemId } = intent;
      const command: ServiceCommand =
        intent.action === 'postpone'
          ? { type: 'postponePlanItem', itemId, days: POSTPONE_DAYS }
          : { type: 'setPlanStatus', itemId, status: intent.action };
      const onReminder = await pressedOnReminder(turn, itemId);
      return commandThen(
        turn,
        command,
        onReminder ? { kind: 'reminder', itemId } : view({ kind: 'plan' }),
      );
    }
    case 'addPlanItem': {
      const owner = await ownerOf(turn, intent);
      if (!owner.ok) return errorCard(lang, owner.error);
      const input = {
        what: intent.what,
        goal: intent.goal,
        actions: intent.actions,
        owner: owner.value,
        due: intent.due,
        link: null,
      };
      return commandThen(
        turn,
        { type: 'addPlanItem', itemId: newId(), input },
        view({ kind: 'plan' }),
      );
    }
    case 'command':
      return commandThen(turn, intent.command, answerFor(intent.command));
    default: {
      const unknown: never = intent;
      return unknown;
    }
  }
}

/**
 * Applies a command once per activity: the idempotency key is the activity
 * id, which Teams keeps when it redelivers an activity (a lost answer, or a
 * turn that failed after saving and was given back by `admit`'s release).
 * A second press is a new activity and a second command, like a second click
 * on the web (which sends a fresh Idempotency-Key per click); next/back and
 * "open next card" carry what the card showed, so they cannot skip ahead.
 */
async function commandThen(
  turn: ActionTurn,
  command: ServiceCommand,
  answer: AnswerWith,
): Promise<CardJson> {
  const { service } = turn.deps;
  const { state, who, activity } = turn;
  const lang = state.settings.lang;
  const id = activity.id;
  const options =
    id && id.length <= MAX_ACTIVITY_ID ? { idempotencyKey: `teams:${state.id}:${id}` } : {};
  const result = await service.command(state.id, who, command, options);
  if (!result.ok) return errorCard(lang, result.error);
  const snap = await service.snapshot(state.id);
  if (!snap) return errorCard(lang, { code: 'round_not_found' });
  const request =
    answer.kind === 'view'
      ? answer.request
      : (reminderRequestNow(snap, answer.itemId) ?? { kind: 'plan' });
  const shown = buildView(request, snap);
  const extras = turn.roundInCard ? { roundId: state.id } : {};
  return shown ? answerCard(shown, activity, extras) : errorCard(lang, 'unexpected');
}

/**
 * The plan item's owner: the typed name, or a person picked in Teams' people
 * picker, looked up in the conversation (their display name stands in for an
 * empty typed name). A picked owner gets `user`, from which the service makes
 * the owner's round key, so they may press Done / Postpone / Blocked themselves.
 */
async function ownerOf(
  turn: ActionTurn,
  intent: Extract<CardIntent, { kind: 'addPlanItem' }>,
): Promise<Result<PlanOwner, DomainError>> {
  const typed: PlanOwner = { name: intent.ownerName };
  if (intent.ownerUser === undefined) return ok(typed);
  const { service } = turn.deps;
  // Only the facilitator adds items (the core refuses anybody else); nobody
  // else's press is worth a call to the connector.
  if (turn.state.facilitatorKey !== service.keyOf(turn.state.id, turn.who)) return ok(typed);
  const member = await turn.members(intent.ownerUser);
  if (!member) return fail('member_not_found');
  const name = intent.ownerName.trim() === '' ? member.name : intent.ownerName;
  return ok({ name, user: { platform: 'teams', userId: member.userId } });
}

/**
 * Whether a plan button was pressed on a reminder rather than on the plan:
 * both send `{ command, value: itemId }`, so the message it was pressed on
 * (`replyToId` of the invoke) tells. When the plan's message id is known,
 * any other message is a reminder (no other card has these buttons);
 * otherwise only a message known as one of the item's reminders is.
 */
async function pressedOnReminder(turn: ActionTurn, itemId: string): Promise<boolean> {
  const messageId = turn.activity.replyToId;
  if (!messageId) return false;
  const { memory } = turn.deps;
  const { state } = turn;
  const thread = state.conversation.conversationId;
  const plan = await memory.message('teams', thread, `${state.id}:plan`);
  if (plan !== undefined) return messageId !== plan;
  const item = state.plan.find((p) => p.id === itemId);
  if (!item) return false;
  for (const days of new Set([0, state.settings.reminderDaysBefore])) {
    const key = `${state.id}:reminder:${item.id}:${item.due}:${days}`;
    if ((await memory.message('teams', thread, key)) === messageId) return true;
  }
  return false;
}
