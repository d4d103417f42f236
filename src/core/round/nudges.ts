import {
  type BoxId,
  cardBox,
  NUDGE_STEPS,
  type NudgeStep,
  PRIORITY_BOX,
  type RoundState,
  type StepId,
} from '../model.ts';
import { type Effect, nudgeJobId } from './effects.ts';

/*
 * Nudges of async rounds: when `nudgeAtPercent` of a voting step's time has
 * passed, a `nudge` job fires and the app sends each member of the
 * conversation who has not answered the step one private reminder. This file
 * decides when (the job, scheduled on entering the step, cancelled on leaving
 * or pausing it, moved on resume) and what counts as answering (the boxes);
 * who the members are and whether each has a ballot is the app's to find out.
 */

export const isNudgeStep = (step: StepId): step is NudgeStep =>
  (NUDGE_STEPS as readonly StepId[]).includes(step);

/** Milliseconds from entering `step` to its nudge; undefined when the step gets none. */
export function nudgeOffsetMs(state: RoundState, step: StepId): number | undefined {
  const { mode, nudgeAtPercent, stepMinutes } = state.settings;
  if (mode !== 'async' || !isNudgeStep(step)) return undefined;
  if (nudgeAtPercent === undefined || nudgeAtPercent <= 0) return undefined;
  return Math.round((stepMinutes[step] * 60_000 * nudgeAtPercent) / 100);
}

/** When the nudge of a step with this deadline fires: the same share of the step's time. */
export function nudgeTime(state: RoundState, step: StepId, deadline: number): number | undefined {
  const offset = nudgeOffsetMs(state, step);
  if (offset === undefined || !isNudgeStep(step)) return undefined;
  return deadline - state.settings.stepMinutes[step] * 60_000 + offset;
}

/** Schedules the nudge of `step` (whose deadline is `deadline`), when it gets one. */
export function scheduleNudge(state: RoundState, step: StepId, deadline: number): Effect[] {
  const runAt = nudgeTime(state, step, deadline);
  if (runAt === undefined) return [];
  return [
    {
      type: 'schedule',
      job: {
        id: nudgeJobId(state.id, step),
        roundId: state.id,
        runAt,
        type: 'nudge',
        step,
        deadline,
      },
    },
  ];
}

/** Cancels the current step's nudge (leaving or pausing it); a nudge that fired stays sent. */
export function cancelNudge(state: RoundState): Effect[] {
  if (state.deadline === null || nudgeOffsetMs(state, state.step) === undefined) return [];
  return [{ type: 'cancel', jobId: nudgeJobId(state.id, state.step) }];
}

/**
 * On resume: the nudge moves with the deadline, if it had not fired when the
 * round was paused (else the step has had its nudge).
 */
export function resumeNudge(paused: RoundState, deadline: number): Effect[] {
  if (paused.deadline === null || paused.pausedAt === null) return [];
  const planned = nudgeTime(paused, paused.step, paused.deadline);
  if (planned === undefined || planned <= paused.pausedAt) return [];
  return scheduleNudge(paused, paused.step, deadline);
}

/**
 * The boxes the current step asks everyone to answer: every open card in
 * the rating and custom steps (a person has answered when they rated all of
 * them, "ved ikke" included), the priority box in the priority step. Empty
 * when there is nothing to answer (no own initiatives were added).
 */
export function nudgeBoxes(state: RoundState): BoxId[] {
  if (state.status !== 'active') return [];
  if (state.step === 'priority') return state.priority === 'open' ? [PRIORITY_BOX] : [];
  if (state.step !== 'rating' && state.step !== 'custom') return [];
  return Object.keys(state.cards)
    .filter((id) => state.cards[id] === 'open')
    .map(cardBox);
}

/** Whether a nudge job still applies: same step, same deadline, round running. */
export function nudgeApplies(state: RoundState, job: { step: StepId; deadline: number }): boolean {
  return (
    state.status === 'active' &&
    state.settings.mode === 'async' &&
    state.step === job.step &&
    state.deadline === job.deadline &&
    nudgeOffsetMs(state, job.step) !== undefined
  );
}
