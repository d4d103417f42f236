import { findMission } from '../deck/lookup.ts';
import { fail } from '../errors.ts';
import type { PlanItem, PlanStatus, RoundState } from '../model.ts';
import { ok } from '../result.ts';
import { addDays, epochToZonedDate, isIsoDate, reminderTimes } from '../time.ts';
import { hasCard } from './boxes.ts';
import type { Actor, Command, PlanInput } from './commands.ts';
import { LIMITS } from './commands.ts';
import { cleanText } from './content.ts';
import type { Ctx, TransitionResult } from './context.ts';
import { type Effect, reminderJobId, show } from './effects.ts';

type Add = Extract<Command, { type: 'addPlanItem' }>;
type Edit = Extract<Command, { type: 'editPlanItem' }>;

/** The plan is agreed in the summary step and kept up to date after the round. */
const planOpen = (state: RoundState) => state.step === 'summary' || state.status === 'ended';

const today = (state: RoundState, now: number) => epochToZonedDate(now, state.settings.timeZone);

function checkInput(state: RoundState, input: PlanInput, ctx: Ctx, dueChanged: boolean) {
  const max = LIMITS.planTextLength;
  const what = cleanText(input.what, max, true);
  if (!what.ok) return what;
  const goal = cleanText(input.goal, max, false);
  if (!goal.ok) return goal;
  const actions = cleanText(input.actions, max, false);
  if (!actions.ok) return actions;
  const ownerName = cleanText(input.owner.name, LIMITS.ownerLength, true);
  if (!ownerName.ok) return ownerName;
  if (!isIsoDate(input.due)) return fail('invalid_date', { date: input.due });
  if (dueChanged && input.due < today(state, ctx.now)) return fail('due_in_past');
  const link = input.link;
  if (link?.kind === 'mission' && !findMission(ctx.deck, link.id)) {
    return fail('mission_not_found', { mission: link.id });
  }
  if (link?.kind === 'card' && !hasCard(state, link.id)) {
    return fail('card_not_found', { card: link.id });
  }
  return ok({
    ...input,
    what: what.value,
    goal: goal.value,
    actions: actions.value,
    owner: { ...input.owner, name: ownerName.value },
  });
}

/** Cancels an item's reminders and, unless it is done, schedules those still ahead. */
export function reminderEffects(state: RoundState, item: PlanItem, now: number): Effect[] {
  const { reminderDaysBefore, reminderHour, timeZone } = state.settings;
  const kinds = new Set([0, reminderDaysBefore]);
  const effects: Effect[] = [...kinds].map((d) => ({
    type: 'cancel',
    jobId: reminderJobId(state.id, item.id, d),
  }));
  if (item.status === 'done') return effects;
  for (const r of reminderTimes(item.due, reminderDaysBefore, reminderHour, timeZone)) {
    if (r.at <= now) continue;
    effects.push({
      type: 'schedule',
      job: {
        id: reminderJobId(state.id, item.id, r.daysBefore),
        roundId: state.id,
        runAt: r.at,
        type: 'reminder',
        itemId: item.id,
        due: item.due,
        daysBefore: r.daysBefore,
      },
    });
  }
  return effects;
}

function withItem(state: RoundState, item: PlanItem, now: number): TransitionResult {
  const exists = state.plan.some((p) => p.id === item.id);
  const plan = exists
    ? state.plan.map((p) => (p.id === item.id ? item : p))
    : [...state.plan, item];
  const next = { ...state, plan };
  return ok({
    state: next,
    effects: [...reminderEffects(next, item, now), show({ kind: 'plan' })],
  });
}

export function addPlanItem(state: RoundState, command: Add, ctx: Ctx): TransitionResult {
  if (!planOpen(state)) return fail('wrong_step', { step: state.step });
  if (state.plan.length >= LIMITS.planItems) return fail('plan_limit', { max: LIMITS.planItems });
  // Ids come from the app's generator; a collision is a bug, not a user mistake.
  if (state.plan.some((p) => p.id === command.itemId)) throw new Error('plan item id reused');
  const input = checkInput(state, command.input, ctx, true);
  if (!input.ok) return input;
  const item: PlanItem = {
    id: command.itemId,
    ...input.value,
    status: 'open',
    postponed: 0,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  return withItem(state, item, ctx.now);
}

export function editPlanItem(state: RoundState, command: Edit, ctx: Ctx): TransitionResult {
  if (!planOpen(state)) return fail('wrong_step', { step: state.step });
  const current = state.plan.find((p) => p.id === command.itemId);
  if (!current) return fail('plan_item_not_found');
  const input = checkInput(state, command.input, ctx, command.input.due !== current.due);
  if (!input.ok) return input;
  return withItem(state, { ...current, ...input.value, updatedAt: ctx.now }, ctx.now);
}

export function removePlanItem(state: RoundState, itemId: string, ctx: Ctx): TransitionResult {
  const current = state.plan.find((p) => p.id === itemId);
  if (!current) return fail('plan_item_not_found');
  const next = { ...state, plan: state.plan.filter((p) => p.id !== itemId) };
  const cancels = reminderEffects(next, { ...current, status: 'done' }, ctx.now);
  return ok({ state: next, effects: [...cancels, show({ kind: 'plan' })] });
}

/** The facilitator and the item's owner may report progress (Done / Postpone / Blocked). */
function mayUpdate(state: RoundState, item: PlanItem, actor: Actor): boolean {
  if (actor.kind !== 'user') return false;
  return actor.key === state.facilitatorKey || actor.key === item.owner.key;
}

export function setPlanStatus(
  state: RoundState,
  itemId: string,
  status: PlanStatus,
  ctx: Ctx,
): TransitionResult {
  const current = state.plan.find((p) => p.id === itemId);
  if (!current) return fail('plan_item_not_found');
  if (!mayUpdate(state, current, ctx.actor)) return fail('not_plan_owner');
  return withItem(state, { ...current, status, updatedAt: ctx.now }, ctx.now);
}

export function postponePlanItem(
  state: RoundState,
  itemId: string,
  days: number,
  ctx: Ctx,
): TransitionResult {
  const current = state.plan.find((p) => p.id === itemId);
  if (!current) return fail('plan_item_not_found');
  if (!mayUpdate(state, current, ctx.actor)) return fail('not_plan_owner');
  if (!Number.isInteger(days) || days < 1 || days > 365) return fail('invalid_date');
  // Postponing an overdue item counts from today, so it lands in the future.
  const from = [current.due, today(state, ctx.now)].sort()[1] ?? current.due;
  const item: PlanItem = {
    ...current,
    due: addDays(from, days),
    status: 'open',
    postponed: current.postponed + 1,
    updatedAt: ctx.now,
  };
  return withItem(state, item, ctx.now);
}
