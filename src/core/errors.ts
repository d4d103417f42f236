import { err } from './result.ts';

/**
 * Every way a user's request can be refused. Each code has a message in both
 * languages in the i18n catalogs under `error.<code>`.
 */
export const ERROR_CODES = [
  'round_not_found',
  'round_exists',
  'round_running',
  'round_paused',
  'round_ended',
  'not_paused',
  'not_facilitator',
  'wrong_step',
  'no_previous_step',
  'scope_locked',
  'area_not_found',
  'mission_not_found',
  'card_not_found',
  'card_not_open',
  'card_closed',
  'card_already_open',
  'another_card_open',
  'card_not_pending',
  'no_pending_cards',
  'invalid_rating',
  'priority_not_open',
  'too_many_priorities',
  'duplicate_priority',
  'no_priorities',
  'custom_card_limit',
  'duplicate_custom_card',
  'too_many_notes',
  'note_not_found',
  'text_required',
  'text_too_long',
  'plan_item_not_found',
  'plan_limit',
  'invalid_date',
  'due_in_past',
  'not_plan_owner',
  'member_not_found',
  'invalid_settings',
  'invalid_time_zone',
  'threshold_too_low',
  'deck_not_found',
  'stale_deadline',
  'already_moved_on',
  'same_facilitator',
  'busy',
  'unknown_command',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A refusal: a code plus optional values for the message template. */
export interface DomainError {
  code: ErrorCode;
  params?: Record<string, string | number>;
}

export const fail = (code: ErrorCode, params?: DomainError['params']) =>
  err<DomainError>(params ? { code, params } : { code });
