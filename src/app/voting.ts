import { findRoundCard } from '../core/deck/lookup.ts';
import { type DomainError, fail } from '../core/errors.ts';
import { type BoxId, PRIORITY_BOX, type Rating } from '../core/model.ts';
import type { CastResult, RoundRecord } from '../core/ports.ts';
import { ok, type Result } from '../core/result.ts';
import { checkPriorities, checkRating } from '../core/round/ballots.ts';
import { cardVoteView, withYourVote } from '../core/views/cards.ts';
import { priorityView, withYourPicks } from '../core/views/steps.ts';
import type { CardVoteView, PriorityView } from '../core/views/types.ts';
import type { Identity } from './identity.ts';
import { revisionOf } from './revision.ts';
import type { RoundService } from './round-service.ts';

type Cast = Extract<CastResult, { ok: true }>['outcome'];
type Snapshot = NonNullable<Awaited<ReturnType<RoundService['snapshot']>>>;
type Recorded = Extract<CastResult, { ok: true }>;

/**
 * Votes skip the round's compare-and-set: the store records them atomically,
 * checking inside the same write that the box is still open, so 40 votes in a
 * second never conflict with each other.
 *
 * `loaded` is the round as the caller just read it (a channel that had to
 * load it anyway): it saves a read. The cast reports the version it saw; if
 * that differs, the round changed meanwhile and is read again.
 */
export async function vote(
  service: RoundService,
  roundId: string,
  who: Identity,
  cardId: string,
  value: unknown,
  loaded?: RoundRecord,
): Promise<Result<{ outcome: Cast; view: CardVoteView }, DomainError>> {
  const record = loaded ?? (await service.deps.store.load(roundId));
  if (!record) return fail('round_not_found');
  const checked = checkRating(record.state, cardId, value);
  if (!checked.ok) return checked;
  const cast = await castChecked(service, roundId, who, checked.value.box, checked.value.value);
  if (!cast.ok) return cast;
  const snap = await snapshotAfter(service, record, cast.value);
  if (!snap) return fail('round_not_found');
  const card = findRoundCard(snap.deck, snap.state, cardId);
  if (!card) return fail('card_not_found', { card: cardId });
  // The ballot is in. If the card closed meanwhile, the ballot is part of its
  // tally: still say ok (not card_closed), and do not post a vote form over
  // the card's result.
  const view = cardVoteView(snap, card);
  if (view.phase === 'open') await announce(service, snap, view, cast.value.outcome);
  return ok({ outcome: cast.value.outcome, view: withYourVote(snap, view, checked.value.value) });
}

/** A priority ballot: up to maxPriorities cards; changeable until the step closes. */
export async function prioritize(
  service: RoundService,
  roundId: string,
  who: Identity,
  cardIds: unknown,
  loaded?: RoundRecord,
): Promise<Result<{ outcome: Cast; view: PriorityView }, DomainError>> {
  const record = loaded ?? (await service.deps.store.load(roundId));
  if (!record) return fail('round_not_found');
  const checked = checkPriorities(record.state, cardIds);
  if (!checked.ok) return checked;
  const cast = await castChecked(service, roundId, who, PRIORITY_BOX, checked.value.value);
  if (!cast.ok) return cast;
  const snap = await snapshotAfter(service, record, cast.value);
  if (!snap) return fail('round_not_found');
  const view = priorityView(snap);
  await announce(service, snap, view, cast.value.outcome);
  return ok({ outcome: cast.value.outcome, view: withYourPicks(snap, view, checked.value.value) });
}

async function castChecked(
  service: RoundService,
  roundId: string,
  who: Identity,
  box: BoxId,
  value: Rating | string[],
): Promise<Result<Recorded, DomainError>> {
  const { store, clock } = service.deps;
  const key = service.keyOf(roundId, who);
  const cast = await store.castBallot(roundId, box, key, value, clock.now());
  if (cast.ok) return ok(cast);
  if (cast.reason === 'round_not_found') return fail('round_not_found');
  // The box closed between our check and the write: say which way it went.
  const now = await store.load(roundId);
  if (box === PRIORITY_BOX) return fail('priority_not_open');
  const phase = now?.state.cards[box.slice('card:'.length)];
  return fail(phase === 'closed' ? 'card_closed' : 'card_not_open');
}

/**
 * The round as the voter's answer should show it: the state read before the
 * cast when the cast saw that same version (nothing saved in between), with
 * the counts the cast returned; otherwise a fresh read.
 */
async function snapshotAfter(
  service: RoundService,
  record: RoundRecord,
  cast: Recorded,
): Promise<Snapshot | undefined> {
  if (cast.version !== record.version) return service.snapshot(record.state.id);
  return service.snapshotOf(record, cast.counts);
}

/** A changed ballot moves "n of m"; the channel coalesces these updates. */
async function announce(
  service: RoundService,
  snap: Snapshot,
  view: CardVoteView | PriorityView,
  outcome: Cast,
): Promise<void> {
  if (outcome === 'unchanged') return;
  const conversation = snap.state.conversation;
  // Version and counts of the snapshot the view was built from: orders this
  // rendering against the others of the same message (see MessageRevision).
  const revision = revisionOf(snap.version, snap.counts);
  try {
    await service.deps.output.send({ conversation, audience: 'group', view, revision });
  } catch (error) {
    service.deps.logger.error({ err: error, view: view.kind }, 'progress update failed');
  }
}
