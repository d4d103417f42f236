import type { RoundState } from '../model.ts';

/** How long an ended round is kept by default: 400 days (DESIGN.md §4, issue 8). */
export const DEFAULT_RETENTION_DAYS = 400;

/**
 * Until when (epoch ms) a store must keep this round, or null while it must
 * be kept with no end: the round still runs, or its follow-up plan has items
 * that are not done (their reminders and status buttons need the round). The
 * period runs from the last change, so marking the last item done restarts it.
 */
export function keepUntil(state: RoundState, retentionMs: number): number | null {
  if (state.status !== 'ended') return null;
  if (state.plan.some((item) => item.status !== 'done')) return null;
  return state.updatedAt + retentionMs;
}
