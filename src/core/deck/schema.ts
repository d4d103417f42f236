import { z } from 'zod';
import { STEPS } from '../model.ts';

/**
 * The deck file format. A deck is data, validated on load; the procedure's
 * step texts live in the deck too, so other decks can phrase them their way.
 */

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase slug like "mental-sundhed"');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const localized = (max: number) => z.strictObject({ da: text(max), en: text(max) });

const cardSchema = z.strictObject({
  id: slug,
  title: localized(80),
  description: localized(400),
});

const missionSchema = z.strictObject({
  id: slug,
  title: localized(80),
  cards: z.array(cardSchema).min(1, 'a mission needs at least one card'),
});

const areaSchema = z.strictObject({
  id: slug,
  title: localized(60),
  description: localized(400),
  /** Colour on the måloversigt, #rrggbb. */
  color: z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a colour like #1f7a5c'),
  missions: z.array(missionSchema).min(1, 'an area needs at least one mission'),
});

const stepSchema = z.strictObject({
  title: localized(80),
  /** What the group sees when the step starts. */
  text: localized(1200),
  /** What the facilitator says and asks; shown only to the facilitator. */
  script: z.array(localized(400)).min(1, 'a step needs a facilitator script'),
});

const stepsShape = Object.fromEntries(STEPS.map((s) => [s, stepSchema])) as Record<
  (typeof STEPS)[number],
  typeof stepSchema
>;

export const deckSchema = z
  .strictObject({
    id: slug,
    version: z.number().int().positive(),
    title: localized(120),
    description: localized(800),
    /** The guiding questions asked about every card. */
    questions: z.array(localized(200)).min(1).max(8),
    steps: z.strictObject(stepsShape),
    areas: z.array(areaSchema).min(1, 'a deck needs at least one area'),
  })
  .superRefine((deck, ctx) => {
    const seen = new Map<string, string>();
    const claim = (id: string, path: (string | number)[]) => {
      const where = path.join('.');
      const earlier = seen.get(id);
      if (earlier) {
        ctx.addIssue({ code: 'custom', path, message: `id "${id}" is already used at ${earlier}` });
      } else {
        seen.set(id, where);
      }
    };
    deck.areas.forEach((area, a) => {
      claim(area.id, ['areas', a, 'id']);
      area.missions.forEach((mission, m) => {
        claim(mission.id, ['areas', a, 'missions', m, 'id']);
        mission.cards.forEach((card, c) => {
          claim(card.id, ['areas', a, 'missions', m, 'cards', c, 'id']);
        });
      });
    });
  });

export type Deck = z.infer<typeof deckSchema>;
export type DeckArea = Deck['areas'][number];
export type DeckMission = DeckArea['missions'][number];
export type DeckCard = DeckMission['cards'][number];
export type DeckStep = Deck['steps'][keyof Deck['steps']];
