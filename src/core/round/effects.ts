import type { StepId } from '../model.ts';
import type { Job } from '../ports.ts';

/** Which message to (re)render. The app builds the view model from the saved state. */
export type ViewRequest =
  /** A step's message to the group (intro, scope, status, …, summary). */
  | { kind: 'step'; step: StepId }
  /** The facilitator's script and controls for the current step. */
  | { kind: 'facilitator' }
  /** A card: its vote form while open, its result once closed. */
  | { kind: 'card'; cardId: string }
  /** The follow-up plan (opfølgningsskema). */
  | { kind: 'plan' }
  /** A follow-up reminder for one plan item. */
  | { kind: 'reminder'; itemId: string; daysBefore: number }
  /** The round was paused, resumed or ended. */
  | { kind: 'roundStatus' };

/** Data the app executes through ports after the new state is saved. */
export type Effect =
  | { type: 'show'; view: ViewRequest; audience: 'group' | 'facilitator' }
  | { type: 'schedule'; job: Job }
  | { type: 'cancel'; jobId: string };

export const show = (view: ViewRequest, audience: 'group' | 'facilitator' = 'group'): Effect => ({
  type: 'show',
  view,
  audience,
});

export const deadlineJobId = (roundId: string, step: string) => `deadline:${roundId}:${step}`;
export const reminderJobId = (roundId: string, itemId: string, daysBefore: number) =>
  `reminder:${roundId}:${itemId}:${daysBefore}`;
export const nudgeJobId = (roundId: string, step: string) => `nudge:${roundId}:${step}`;
