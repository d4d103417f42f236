import {
  type Band,
  bandOf,
  type CardResult,
  cardResult,
  meanOf,
  type PriorityResult,
  priorityResult,
} from './aggregate.ts';
import { areasInScope, type PlacedCard, roundCards } from './deck/lookup.ts';
import type { Deck, DeckArea, DeckMission } from './deck/schema.ts';
import { cardBox, PRIORITY_BOX, type RoundCounts, type RoundState } from './model.ts';

export interface CardSummary {
  card: PlacedCard;
  result: CardResult;
}

export interface MissionSummary {
  mission: DeckMission;
  area: DeckArea;
  /** Mean of the released card means; null when no card has a result. */
  score: number | null;
  band: Band;
  cards: CardSummary[];
}

export interface AreaSummary {
  area: DeckArea;
  inScope: boolean;
  /** Mean of the scored missions; null when none is scored. */
  score: number | null;
  band: Band;
  missions: MissionSummary[];
}

export interface RoundSummary {
  /** The måloversigt: every area and mission of the deck, in deck order. */
  areas: AreaSummary[];
  lowestAreas: AreaSummary[];
  lowestMissions: MissionSummary[];
  /** Released cards, lowest mean first. */
  lowestCards: CardSummary[];
  /** Released cards with a mean of 4 or more, highest first. */
  strongCards: CardSummary[];
  /** Released cards where people disagree (wide spread). */
  disagreements: CardSummary[];
  /** Closed cards whose result is withheld because fewer than k rated them. */
  withheld: CardSummary[];
  priorities: PriorityResult;
  participants: number;
}

const released = (c: CardSummary): c is CardSummary & { result: { released: true } } =>
  c.result.released;

const meanOfCard = (c: CardSummary) => (c.result.released ? c.result.mean : 0);

function byScore<T extends { score: number | null }>(items: T[]): T[] {
  return items.filter((i) => i.score !== null).sort((a, b) => (a.score ?? 0) - (b.score ?? 0));
}

/** Everything the summary and the måloversigt show, computed from sealed tallies only. */
export function summarize(deck: Deck, state: RoundState, counts: RoundCounts): RoundSummary {
  const k = state.settings.k;
  const cards: CardSummary[] = roundCards(deck, state).map((card) => ({
    card,
    result: cardResult(state.cards[card.id] ?? 'pending', counts.tallies[cardBox(card.id)], k),
  }));
  const scoped = new Set(areasInScope(deck, state.scope).map((a) => a.id));
  const areas: AreaSummary[] = deck.areas.map((area) => {
    const missions: MissionSummary[] = area.missions.map((mission) => {
      const own = cards.filter((c) => c.card.mission.id === mission.id);
      const score = meanOf(own.filter(released).map(meanOfCard));
      return { mission, area, score, band: bandOf(score), cards: own };
    });
    const score = meanOf(missions.map((m) => m.score));
    return { area, inScope: scoped.has(area.id), score, band: bandOf(score), missions };
  });
  const rated = cards.filter(released);
  return {
    areas,
    lowestAreas: byScore(areas),
    lowestMissions: byScore(areas.flatMap((a) => a.missions)),
    lowestCards: [...rated].sort((a, b) => meanOfCard(a) - meanOfCard(b)),
    strongCards: rated
      .filter((c) => meanOfCard(c) >= 4)
      .sort((a, b) => meanOfCard(b) - meanOfCard(a)),
    disagreements: rated.filter((c) => c.result.released && c.result.disagreement),
    withheld: cards.filter((c) => !c.result.released && c.result.reason === 'below_threshold'),
    priorities: priorityResult(
      state.priority,
      counts.tallies[PRIORITY_BOX],
      k,
      cards.map((c) => c.card.id),
    ),
    participants: counts.participants,
  };
}
