import { deckCardsInScope, findMission } from '../deck/lookup.ts';
import { fail } from '../errors.ts';
import type { RoundState } from '../model.ts';
import { ok } from '../result.ts';
import { phaseOf } from './boxes.ts';
import type { Ctx, TransitionResult } from './context.ts';
import { type Effect, show } from './effects.ts';
import { closeEverything, missionCardIds, unique } from './steps.ts';

/** Steps in which cards are voted on. */
const VOTING_STEPS = new Set(['rating', 'custom']);

const openIds = (state: RoundState) =>
  Object.keys(state.cards).filter((id) => state.cards[id] === 'open');

/** Sync mode shows one card (or one mission) at a time; async opens everything at once. */
const oneAtATime = (state: RoundState) => state.settings.mode === 'sync';

function setPhases(state: RoundState, ids: string[], phase: 'open' | 'closed'): TransitionResult {
  const cards = { ...state.cards };
  for (const id of ids) cards[id] = phase;
  const effects: Effect[] = ids.map((cardId) => show({ kind: 'card', cardId }));
  // The step's overview marks which cards are open and closed.
  effects.push(
    show({ kind: 'step', step: state.step }),
    show({ kind: 'facilitator' }, 'facilitator'),
  );
  return ok({ state: { ...state, cards }, effects });
}

export function openCard(state: RoundState, cardId: string): TransitionResult {
  if (!VOTING_STEPS.has(state.step)) return fail('wrong_step', { step: state.step });
  const phase = phaseOf(state, cardId);
  if (phase === undefined) return fail('card_not_found', { card: cardId });
  if (phase === 'open') return fail('card_already_open');
  if (phase === 'closed') return fail('card_closed');
  if (oneAtATime(state) && openIds(state).length > 0) return fail('another_card_open');
  return setPhases(state, [cardId], 'open');
}

export function closeCard(state: RoundState, cardId: string): TransitionResult {
  const phase = phaseOf(state, cardId);
  if (phase === undefined) return fail('card_not_found', { card: cardId });
  if (phase === 'pending') return fail('card_not_open');
  if (phase === 'closed') return fail('card_closed');
  return setPhases(state, [cardId], 'closed');
}

export function openMission(state: RoundState, missionId: string, ctx: Ctx): TransitionResult {
  if (!VOTING_STEPS.has(state.step)) return fail('wrong_step', { step: state.step });
  if (!findMission(ctx.deck, missionId)) return fail('mission_not_found', { mission: missionId });
  const ids = missionCardIds(ctx.deck, state, missionId);
  if (oneAtATime(state) && openIds(state).some((id) => !ids.includes(id))) {
    return fail('another_card_open');
  }
  const pending = ids.filter((id) => state.cards[id] === 'pending');
  if (pending.length === 0) return fail('no_pending_cards');
  return setPhases(state, pending, 'open');
}

export function closeMission(state: RoundState, missionId: string, ctx: Ctx): TransitionResult {
  if (!findMission(ctx.deck, missionId)) return fail('mission_not_found', { mission: missionId });
  const open = missionCardIds(ctx.deck, state, missionId).filter(
    (id) => state.cards[id] === 'open',
  );
  if (open.length === 0) return fail('card_not_open');
  return setPhases(state, open, 'closed');
}

/**
 * "Next card": closes what is open and opens the next pending card of the
 * step (printed cards in the rating step, own initiatives in the custom step).
 */
export function openNextCard(state: RoundState, ctx: Ctx): TransitionResult {
  if (!VOTING_STEPS.has(state.step)) return fail('wrong_step', { step: state.step });
  const custom = state.customCards.map((c) => c.id);
  const candidates =
    state.step === 'rating' ? deckCardsInScope(ctx.deck, state.scope).map((c) => c.id) : custom;
  const closed = closeEverything({ ...state, priority: state.priority });
  const nextId = candidates.find((id) => closed.state.cards[id] === 'pending');
  if (nextId === undefined) {
    if (closed.effects.length === 0) return fail('no_pending_cards');
    return ok({
      state: closed.state,
      effects: [...closed.effects, show({ kind: 'facilitator' }, 'facilitator')],
    });
  }
  const opened = setPhases(closed.state, [nextId], 'open');
  if (!opened.ok) return opened;
  return ok({
    state: opened.value.state,
    effects: unique([...closed.effects, ...opened.value.effects]),
  });
}
