import type { Deck } from '../deck/schema.ts';
import {
  DEADLINE_STEPS,
  type DeadlineStep,
  type RoundState,
  STEPS,
  type StepId,
} from '../model.ts';
import { hasCard } from './boxes.ts';
import type { Transitioned } from './context.ts';
import { deadlineJobId, type Effect, show } from './effects.ts';
import { cancelNudge, scheduleNudge } from './nudges.ts';

export const stepIndex = (step: StepId): number => STEPS.indexOf(step);

export const isDeadlineStep = (step: StepId): step is DeadlineStep =>
  (DEADLINE_STEPS as readonly StepId[]).includes(step);

/** Cards whose voting the step itself opens in async mode. */
function cardsOpenedOnEntry(state: RoundState, step: StepId): string[] {
  if (state.settings.mode !== 'async') return [];
  const custom = new Set(state.customCards.map((c) => c.id));
  const pending = Object.keys(state.cards).filter((id) => state.cards[id] === 'pending');
  if (step === 'rating') return pending.filter((id) => !custom.has(id));
  if (step === 'custom') return pending.filter((id) => custom.has(id));
  return [];
}

/** Closes whatever is open: every open card and the priority box. */
export function closeEverything(state: RoundState): Transitioned {
  const effects: Effect[] = [];
  const cards = { ...state.cards };
  for (const [id, phase] of Object.entries(cards)) {
    if (phase === 'open') {
      cards[id] = 'closed';
      effects.push(show({ kind: 'card', cardId: id }));
    }
  }
  const priority = state.priority === 'open' ? 'closed' : state.priority;
  // The priority form closes: its message now shows the sealed count, no form.
  if (state.priority === 'open') effects.push(show({ kind: 'step', step: 'priority' }));
  return { state: { ...state, cards, priority }, effects };
}

/** Leaves the current step: closes what is open and drops its deadline. */
export function leaveStep(state: RoundState): Transitioned {
  const closed = closeEverything(state);
  const effects = [...closed.effects];
  if (state.deadline !== null) {
    effects.push({ type: 'cancel', jobId: deadlineJobId(state.id, state.step) });
  }
  effects.push(...cancelNudge(state));
  return { state: { ...closed.state, deadline: null }, effects };
}

/** Enters a step: opens what the step opens, sets its deadline (async), announces it. */
export function enterStep(state: RoundState, step: StepId, now: number): Transitioned {
  const effects: Effect[] = [];
  const cards = { ...state.cards };
  const opened = cardsOpenedOnEntry(state, step);
  for (const id of opened) cards[id] = 'open';
  const priority = step === 'priority' && state.priority === 'pending' ? 'open' : state.priority;
  let deadline: number | null = null;
  if (state.settings.mode === 'async' && isDeadlineStep(step)) {
    deadline = now + state.settings.stepMinutes[step] * 60_000;
    effects.push({
      type: 'schedule',
      job: {
        id: deadlineJobId(state.id, step),
        roundId: state.id,
        runAt: deadline,
        type: 'deadline',
        step,
        deadline,
      },
    });
  }
  const next: RoundState = { ...state, step, cards, priority, deadline };
  if (deadline !== null) effects.push(...scheduleNudge(next, step, deadline));
  effects.push(show({ kind: 'step', step }), show({ kind: 'facilitator' }, 'facilitator'));
  for (const id of opened) effects.push(show({ kind: 'card', cardId: id }));
  // Step 7 is where the group agrees its follow-up plan: the plan form comes with it.
  if (step === 'summary') effects.push(show({ kind: 'plan' }));
  return { state: next, effects };
}

/** Steps in which the scope may still change (mirrors the scope view's rule). */
const SCOPE_STEPS: readonly StepId[] = ['intro', 'scope', 'status'];

/**
 * Messages already posted that change because the step changed: the step
 * left behind (its form closes: status notes, own initiatives, priorities,
 * the rating overview) and the scope, whose form locks once the round moves
 * past the status step (and unlocks when it moves back).
 */
function restaled(from: StepId, to: StepId): Effect[] {
  const effects: Effect[] = [];
  if (from !== 'intro' && from !== to) effects.push(show({ kind: 'step', step: from }));
  const scopeChanges = SCOPE_STEPS.includes(from) !== SCOPE_STEPS.includes(to);
  if (scopeChanges && from !== 'scope' && to !== 'scope') {
    effects.push(show({ kind: 'step', step: 'scope' }));
  }
  return effects;
}

/** The same effect twice (a card closed and re-shown) is rendered once. */
export function unique(effects: Effect[]): Effect[] {
  const seen = new Set<string>();
  return effects.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Moves from the current step to `step`. */
export function moveTo(state: RoundState, step: StepId, now: number): Transitioned {
  const left = leaveStep(state);
  const entered = enterStep(left.state, step, now);
  return {
    state: entered.state,
    effects: unique([...left.effects, ...restaled(state.step, step), ...entered.effects]),
  };
}

/** Ends the round: nothing stays open, reminders of the plan stay scheduled. */
export function endRound(state: RoundState, early: boolean): Transitioned {
  const left = leaveStep(state);
  return {
    state: { ...left.state, status: 'ended', endedEarly: early, pausedAt: null },
    effects: [
      ...left.effects,
      // The current step's form closes with the round.
      ...(state.step !== 'summary' && state.step !== 'intro'
        ? [show({ kind: 'step', step: state.step })]
        : []),
      show({ kind: 'roundStatus' }),
      show(early ? { kind: 'step', step: 'summary' } : { kind: 'plan' }),
      show({ kind: 'facilitator' }, 'facilitator'),
    ],
  };
}

/** Which cards belong to a mission, in the round. */
export function missionCardIds(deck: Deck, state: RoundState, missionId: string): string[] {
  const printed =
    deck.areas
      .flatMap((a) => a.missions)
      .find((m) => m.id === missionId)
      ?.cards.map((c) => c.id) ?? [];
  const custom = state.customCards.filter((c) => c.missionId === missionId).map((c) => c.id);
  return [...printed, ...custom].filter((id) => hasCard(state, id));
}
