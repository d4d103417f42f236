import type { Identity } from '../../app/identity.ts';
import type { RoundService } from '../../app/round-service.ts';
import { roundCards } from '../../core/deck/lookup.ts';
import { cardBox, PRIORITY_BOX } from '../../core/model.ts';
import { stepView } from '../../core/views/build.ts';
import { cardResultView, cardVoteView, withYourVote } from '../../core/views/cards.ts';
import { facilitatorView } from '../../core/views/facilitator.ts';
import type { ViewInput } from '../../core/views/input.ts';
import { planView, remindersDueToday } from '../../core/views/plan.ts';
import { priorityView, withYourPicks } from '../../core/views/steps.ts';
import { maaloversigtView } from '../../core/views/summary.ts';
import type { CardResultView, CardVoteView, ReminderView } from '../../core/views/types.ts';
import type { RoundStateResponse } from './api-types.ts';
import { isFacilitator } from './identity.ts';
import type { ReminderBoard } from './output.ts';

export type Snapshot = ViewInput & { version: number };

/**
 * The version pages compare. The round document's version alone misses
 * ballots and joins (they are not saves), so within one document version the
 * ballots in open boxes and the participants are added: both only grow until
 * the next save, and a save outweighs any drop when boxes seal or re-open.
 * Derived from stored data, it stays monotonic across restarts.
 */
export function webVersion(snap: Snapshot): number {
  let ballots = 0;
  for (const n of Object.values(snap.counts.ballots)) ballots += n ?? 0;
  return snap.version * 1_000_000 + snap.counts.participants + ballots;
}

/** Everything one caller's page shows. Only this caller's own ballots are looked up. */
export async function buildState(
  service: RoundService,
  snap: Snapshot,
  who: { participant?: Identity; facilitator?: Identity },
  board: ReminderBoard,
): Promise<RoundStateResponse> {
  const { state, deck, counts } = snap;
  const lang = state.settings.lang;
  const participant = who.participant;
  const cards: (CardVoteView | CardResultView)[] = [];
  for (const card of roundCards(deck, state)) {
    const phase = state.cards[card.id];
    if (phase === 'closed') cards.push(cardResultView(snap, card));
    if (phase !== 'open') continue;
    const view = cardVoteView(snap, card);
    const mine = participant && (await service.ballotOf(state.id, participant, cardBox(card.id)));
    cards.push(mine !== undefined && !Array.isArray(mine) ? withYourVote(snap, view, mine) : view);
  }
  const response: RoundStateResponse = {
    ok: true,
    roundId: state.id,
    version: webVersion(snap),
    lang,
    mode: state.settings.mode,
    step: state.step,
    status: state.status,
    deckTitle: deck.title[lang],
    participants: counts.participants,
    joined: participant
      ? await service.deps.store.hasJoined(state.id, service.keyOf(state.id, participant))
      : false,
    stepView: stepView(state.step, snap),
    cards,
    plan: planView(snap),
    maaloversigt: maaloversigtView(snap),
    notices: notices(snap, board),
  };
  if (state.priority === 'open') {
    const view = priorityView(snap);
    const picks = participant && (await service.ballotOf(state.id, participant, PRIORITY_BOX));
    response.priority = Array.isArray(picks) ? withYourPicks(snap, view, picks) : view;
  }
  if (isFacilitator(service, state, who.facilitator)) response.facilitator = facilitatorView(snap);
  return response;
}

const DAY_MS = 24 * 60 * 60_000;

/**
 * Reminders that apply today (see the core's `remindersDueToday`), plus those
 * the scheduler fired in the last day that still apply (e.g. fired late after
 * an outage). One per key.
 */
function notices(snap: Snapshot, board: ReminderBoard): ReminderView[] {
  const { state } = snap;
  const found = new Map(remindersDueToday(snap).map((view) => [view.key, view]));
  for (const fired of board.of(state.id, snap.now - DAY_MS)) {
    const item = state.plan.find((p) => p.id === fired.item.id);
    // Done, moved or removed since it fired: it no longer applies.
    if (!item || item.status === 'done' || item.due !== fired.item.dueIso) continue;
    if (!found.has(fired.key)) found.set(fired.key, fired);
  }
  return [...found.values()];
}
