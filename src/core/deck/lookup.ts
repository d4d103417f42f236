import type { CustomCard, Localized, RoundState, Scope } from '../model.ts';
import { hasCard } from '../round/boxes.ts';
import type { Deck, DeckArea, DeckMission } from './schema.ts';

/** A card placed in the deck's tree: a printed card or a group's own. */
export interface PlacedCard {
  id: string;
  title: Localized;
  description: Localized;
  custom: boolean;
  mission: DeckMission;
  area: DeckArea;
}

export function findArea(deck: Deck, areaId: string): DeckArea | undefined {
  return deck.areas.find((a) => a.id === areaId);
}

export function findMission(
  deck: Deck,
  missionId: string,
): { mission: DeckMission; area: DeckArea } | undefined {
  for (const area of deck.areas) {
    const mission = area.missions.find((m) => m.id === missionId);
    if (mission) return { mission, area };
  }
  return undefined;
}

/** Areas a scope covers, in deck order. */
export function areasInScope(deck: Deck, scope: Scope): DeckArea[] {
  return scope.kind === 'all' ? deck.areas : deck.areas.filter((a) => a.id === scope.areaId);
}

/** Printed cards a scope covers, in deck order. */
export function deckCardsInScope(deck: Deck, scope: Scope): PlacedCard[] {
  return areasInScope(deck, scope).flatMap((area) =>
    area.missions.flatMap((mission) =>
      mission.cards.map((card) => ({ ...card, custom: false, mission, area })),
    ),
  );
}

function placeCustom(deck: Deck, card: CustomCard): PlacedCard | undefined {
  const found = findMission(deck, card.missionId);
  if (!found) return undefined;
  const same = { da: card.title, en: card.title };
  return {
    id: card.id,
    title: same,
    description: { da: card.description, en: card.description },
    custom: true,
    mission: found.mission,
    area: found.area,
  };
}

/** Every card of the round (printed cards in scope, then own initiatives), in deck order. */
export function roundCards(deck: Deck, state: RoundState): PlacedCard[] {
  const custom = state.customCards
    .map((c) => placeCustom(deck, c))
    .filter((c): c is PlacedCard => c !== undefined);
  return [...deckCardsInScope(deck, state.scope), ...custom];
}

export function findRoundCard(
  deck: Deck,
  state: RoundState,
  cardId: string,
): PlacedCard | undefined {
  if (!hasCard(state, cardId)) return undefined;
  return roundCards(deck, state).find((c) => c.id === cardId);
}
