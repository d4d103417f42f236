import { timingSafeEqual } from 'node:crypto';
import { type DomainError, fail } from '../core/errors.ts';
import type { ConversationRef, RoundState } from '../core/model.ts';
import { ok, type Result } from '../core/result.ts';
import { deleteRoundView } from '../core/views/delete-round.ts';
import type { DeleteRoundView } from '../core/views/types.ts';
import type { Identity } from './identity.ts';
import { deleteRound } from './privacy.ts';
import type { RoundService } from './round-service.ts';

/*
 * The facilitator deletes their round, from any channel: a question first
 * (`askToDelete`), the deletion only on the explicit second press
 * (`deleteAsFacilitator`), or nothing (`keepRound`). Who may is decided
 * here, once for every channel: the round's facilitator, by the round key of
 * the identity from the platform's authenticated envelope. Channels only
 * render the view and post the notice.
 */

type Outcome<T> = Result<T, DomainError>;

/** The round, when `who` is its facilitator; else why not. */
async function asFacilitator(
  service: RoundService,
  roundId: string,
  who: Identity,
): Promise<Outcome<RoundState>> {
  const record = await service.deps.store.load(roundId);
  if (!record) return fail('round_not_found');
  const key = Buffer.from(service.keyOf(roundId, who));
  const expected = Buffer.from(record.state.facilitatorKey);
  // Constant time: the web facilitator's identity is a secret from a link.
  const same = key.length === expected.length && timingSafeEqual(key, expected);
  return same ? ok(record.state) : fail('not_facilitator');
}

/** The delete view in this phase, for the facilitator only; nothing changes. */
async function viewForFacilitator(
  service: RoundService,
  roundId: string,
  who: Identity,
  phase: 'confirm' | 'kept',
): Promise<Outcome<DeleteRoundView>> {
  const round = await asFacilitator(service, roundId, who);
  if (!round.ok) return round;
  return ok(deleteRoundView(round.value.settings.lang, roundId, phase));
}

/** "Delete the round?" with Delete / Keep, for the facilitator only. Nothing changes yet. */
export function askToDelete(
  service: RoundService,
  roundId: string,
  who: Identity,
): Promise<Outcome<DeleteRoundView>> {
  return viewForFacilitator(service, roundId, who, 'confirm');
}

/**
 * Deletes the round with everything stored about it (`deleteRound`), when
 * `who` is its facilitator. Answers the notice to show in the round's
 * conversation. A round already gone is `round_not_found` (a second press).
 */
export async function deleteAsFacilitator(
  service: RoundService,
  roundId: string,
  who: Identity,
): Promise<Outcome<{ view: DeleteRoundView; conversation: ConversationRef }>> {
  const round = await asFacilitator(service, roundId, who);
  if (!round.ok) return round;
  await deleteRound(service.deps, roundId);
  const { settings, conversation } = round.value;
  return ok({ view: deleteRoundView(settings.lang, roundId, 'deleted'), conversation });
}

/** The facilitator changed their mind: nothing is deleted. */
export function keepRound(
  service: RoundService,
  roundId: string,
  who: Identity,
): Promise<Outcome<DeleteRoundView>> {
  return viewForFacilitator(service, roundId, who, 'kept');
}
