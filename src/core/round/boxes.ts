import { type BoxId, type CardPhase, cardBox, PRIORITY_BOX, type RoundState } from '../model.ts';

/**
 * The ballot boxes that are open in this state. The store keeps exactly these
 * open: a save that drops a box from this list seals it.
 */
export function openBoxIds(state: RoundState): BoxId[] {
  if (state.status === 'ended') return [];
  const boxes: BoxId[] = [];
  for (const [cardId, phase] of Object.entries(state.cards)) {
    if (phase === 'open') boxes.push(cardBox(cardId));
  }
  if (state.priority === 'open') boxes.push(PRIORITY_BOX);
  return boxes;
}

/**
 * A card's phase, or undefined when the round has no such card. Card ids come
 * from users, so only own keys count ("constructor" is not a card).
 */
export function phaseOf(state: RoundState, cardId: string): CardPhase | undefined {
  return Object.hasOwn(state.cards, cardId) ? state.cards[cardId] : undefined;
}

export const hasCard = (state: RoundState, cardId: string): boolean =>
  phaseOf(state, cardId) !== undefined;
