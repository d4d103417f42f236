import { fail } from '../errors.ts';
import { type RoundState, STEPS } from '../model.ts';
import { ok } from '../result.ts';
import { closeCard, closeMission, openCard, openMission, openNextCard } from './cards.ts';
import { type Command, type CommandType, FACILITATOR_COMMANDS } from './commands.ts';
import { addCustomCard, addStatusNote, removeCustomCard, removeStatusNote } from './content.ts';
import type { Ctx, TransitionResult } from './context.ts';
import { deadlineJobId, show } from './effects.ts';
import { cancelNudge, resumeNudge } from './nudges.ts';
import {
  addPlanItem,
  editPlanItem,
  postponePlanItem,
  removePlanItem,
  setPlanStatus,
} from './plan.ts';
import { cardsFor, checkScope, start } from './start.ts';
import { endRound, moveTo, stepIndex } from './steps.ts';

/** Commands that still work after the round has ended: keeping the plan up to date. */
const AFTER_END: ReadonlySet<CommandType> = new Set<CommandType>([
  'addPlanItem',
  'editPlanItem',
  'removePlanItem',
  'setPlanStatus',
  'postponePlanItem',
]);

/** Commands that work while the round is paused. */
const WHILE_PAUSED: ReadonlySet<CommandType> = new Set<CommandType>([
  'resume',
  'end',
  'handOver',
  'setPlanStatus',
  'postponePlanItem',
  'deadlineReached',
]);

function refuse(state: RoundState, command: Command, ctx: Ctx): TransitionResult | undefined {
  if (state.status === 'ended' && !AFTER_END.has(command.type)) return fail('round_ended');
  const isFacilitator = ctx.actor.kind === 'user' && ctx.actor.key === state.facilitatorKey;
  if (FACILITATOR_COMMANDS.has(command.type) && !isFacilitator) return fail('not_facilitator');
  if (command.type === 'deadlineReached' && ctx.actor.kind !== 'system') {
    return fail('not_facilitator');
  }
  if (command.type !== 'deadlineReached' && ctx.actor.kind === 'system') {
    return fail('not_facilitator');
  }
  if (state.status === 'paused' && !WHILE_PAUSED.has(command.type)) return fail('round_paused');
  return undefined;
}

/**
 * The round state machine: `(state, command, ctx) → { state, effects } | error`.
 * Pure: time, ids and the deck come in; nothing is read or written here.
 */
export function transition(
  state: RoundState | undefined,
  command: Command,
  ctx: Ctx,
): TransitionResult {
  if (command.type === 'start') return start(state, command, ctx);
  if (!state) return fail('round_not_found');
  const refused = refuse(state, command, ctx);
  if (refused) return refused;
  const result = apply(state, command, ctx);
  if (!result.ok) return result;
  return ok({ ...result.value, state: { ...result.value.state, updatedAt: ctx.now } });
}

/** A press made on a screen that is out of date (a double click) changes nothing. */
function outdated(state: RoundState, command: Command): boolean {
  if ((command.type === 'next' || command.type === 'back') && command.from !== undefined) {
    return command.from !== state.step;
  }
  if (command.type === 'openNextCard' && command.from !== undefined) {
    const open = Object.keys(state.cards).filter((id) => state.cards[id] === 'open');
    return command.from === '' ? open.length > 0 : !open.includes(command.from);
  }
  return false;
}

function apply(state: RoundState, command: Exclude<Command, { type: 'start' }>, ctx: Ctx) {
  if (outdated(state, command)) return fail('already_moved_on');
  switch (command.type) {
    case 'next':
      return next(state, ctx);
    case 'back': {
      const index = stepIndex(state.step);
      const previous = STEPS[index - 1];
      if (previous === undefined) return fail('no_previous_step');
      return ok(moveTo(state, previous, ctx.now));
    }
    case 'pause':
      return pause(state, ctx);
    case 'resume':
      return resume(state, ctx);
    case 'end':
      return ok(endRound(state, state.step !== 'summary'));
    case 'handOver':
      if (command.toKey === state.facilitatorKey) return fail('same_facilitator');
      return ok({
        state: { ...state, facilitatorKey: command.toKey },
        effects: [show({ kind: 'facilitator' }, 'facilitator')],
      });
    case 'setScope':
      return setScope(state, command.scope, ctx);
    case 'addStatusNote':
      return addStatusNote(state, command, ctx);
    case 'removeStatusNote':
      return removeStatusNote(state, command.noteId);
    case 'openCard':
      return openCard(state, command.cardId);
    case 'closeCard':
      return closeCard(state, command.cardId);
    case 'openMission':
      return openMission(state, command.missionId, ctx);
    case 'closeMission':
      return closeMission(state, command.missionId, ctx);
    case 'openNextCard':
      return openNextCard(state, ctx);
    case 'addCustomCard':
      return addCustomCard(state, command, ctx);
    case 'removeCustomCard':
      return removeCustomCard(state, command.cardId);
    case 'addPlanItem':
      return addPlanItem(state, command, ctx);
    case 'editPlanItem':
      return editPlanItem(state, command, ctx);
    case 'removePlanItem':
      return removePlanItem(state, command.itemId, ctx);
    case 'setPlanStatus':
      return setPlanStatus(state, command.itemId, command.status, ctx);
    case 'postponePlanItem':
      return postponePlanItem(state, command.itemId, command.days, ctx);
    case 'deadlineReached':
      if (state.status !== 'active') return fail('stale_deadline');
      if (state.step !== command.step || state.deadline !== command.deadline) {
        return fail('stale_deadline');
      }
      return next(state, ctx);
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

function next(state: RoundState, ctx: Ctx): TransitionResult {
  const following = STEPS[stepIndex(state.step) + 1];
  if (following === undefined) return ok(endRound(state, false));
  return ok(moveTo(state, following, ctx.now));
}

function pause(state: RoundState, ctx: Ctx): TransitionResult {
  if (state.status === 'paused') return fail('round_paused');
  const effects = [show({ kind: 'roundStatus' }), show({ kind: 'facilitator' }, 'facilitator')];
  if (state.deadline !== null) {
    effects.unshift({ type: 'cancel', jobId: deadlineJobId(state.id, state.step) });
  }
  effects.push(...cancelNudge(state));
  return ok({ state: { ...state, status: 'paused', pausedAt: ctx.now }, effects });
}

/** Resuming an async round moves its deadline by the time it was paused. */
function resume(state: RoundState, ctx: Ctx): TransitionResult {
  if (state.status !== 'paused') return fail('not_paused');
  const pausedFor = ctx.now - (state.pausedAt ?? ctx.now);
  const deadline = state.deadline === null ? null : state.deadline + pausedFor;
  const effects = [show({ kind: 'roundStatus' }), show({ kind: 'facilitator' }, 'facilitator')];
  if (deadline !== null) {
    effects.unshift({
      type: 'schedule',
      job: {
        id: deadlineJobId(state.id, state.step),
        roundId: state.id,
        runAt: deadline,
        type: 'deadline',
        step: state.step,
        deadline,
      },
    });
    effects.push(...resumeNudge(state, deadline));
  }
  return ok({ state: { ...state, status: 'active', pausedAt: null, deadline }, effects });
}

/** The scope can change until the first card has been opened. */
function setScope(state: RoundState, scope: RoundState['scope'], ctx: Ctx): TransitionResult {
  if (!['intro', 'scope', 'status'].includes(state.step)) return fail('scope_locked');
  const started = Object.values(state.cards).some((p) => p !== 'pending');
  if (started || state.customCards.length > 0) return fail('scope_locked');
  const checked = checkScope(ctx, scope);
  if (!checked.ok) return checked;
  // Status notes about areas that fall out of scope go with them.
  const areas = new Set(scope.kind === 'all' ? ctx.deck.areas.map((a) => a.id) : [scope.areaId]);
  const statusNotes = state.statusNotes.filter((n) => n.areaId === null || areas.has(n.areaId));
  return ok({
    state: { ...state, scope, cards: cardsFor(ctx, scope), statusNotes },
    effects: [
      show({ kind: 'step', step: state.step }),
      show({ kind: 'facilitator' }, 'facilitator'),
    ],
  });
}
