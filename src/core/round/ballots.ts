import { fail } from '../errors.ts';
import { type BoxId, cardBox, PRIORITY_BOX, type Rating, type RoundState } from '../model.ts';
import { ok } from '../result.ts';
import { hasCard, phaseOf } from './boxes.ts';

/**
 * Ratings and priority ballots are not state transitions: they go straight to
 * the store, which checks atomically that the box is still open. These checks
 * run first so a bad ballot never reaches the store.
 */

function canVote(state: RoundState) {
  if (state.status === 'ended') return fail('round_ended');
  if (state.status === 'paused') return fail('round_paused');
  return undefined;
}

/** Accepts exactly 1, 2, 3, 4, 5 (integers) or 'na'. Anything else is refused. */
export function parseRating(value: unknown): Rating | undefined {
  if (value === 'na') return 'na';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5) {
    return value as Rating;
  }
  return undefined;
}

export function checkRating(state: RoundState, cardId: string, value: unknown) {
  const refused = canVote(state);
  if (refused) return refused;
  const phase = phaseOf(state, cardId);
  if (phase === undefined) return fail('card_not_found', { card: cardId });
  if (phase === 'pending') return fail('card_not_open');
  if (phase === 'closed') return fail('card_closed');
  const rating = parseRating(value);
  if (rating === undefined) return fail('invalid_rating');
  return ok<{ box: BoxId; value: Rating }>({ box: cardBox(cardId), value: rating });
}

/** A priority ballot: 1…maxPriorities distinct cards of the round. */
export function checkPriorities(state: RoundState, value: unknown) {
  const refused = canVote(state);
  if (refused) return refused;
  if (state.priority !== 'open') return fail('priority_not_open');
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    return fail('no_priorities');
  }
  if (value.length === 0) return fail('no_priorities');
  const max = state.settings.maxPriorities;
  if (value.length > max) return fail('too_many_priorities', { max });
  if (new Set(value).size !== value.length) return fail('duplicate_priority');
  const unknown = value.find((id) => !hasCard(state, id));
  if (unknown !== undefined) return fail('card_not_found', { card: unknown });
  return ok<{ box: BoxId; value: string[] }>({ box: PRIORITY_BOX, value: [...value] });
}
