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
    for (const issue of duplicateIds(deck)) ctx.addIssue({ code: 'custom', ...issue });
  });

type Tree = { id?: unknown; missions?: unknown; cards?: unknown };
const list = (value: unknown): Tree[] =>
  Array.isArray(value) ? value.filter((v): v is Tree => typeof v === 'object' && v !== null) : [];

/**
 * Area, mission and card ids share one namespace. Works on unvalidated data
 * too, so duplicates are reported alongside other problems.
 */
export function duplicateIds(data: unknown): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Map<string, string>();
  const claim = (id: unknown, path: (string | number)[]) => {
    if (typeof id !== 'string') return;
    const earlier = seen.get(id);
    if (earlier) issues.push({ path, message: `id "${id}" is already used at ${earlier}` });
    else seen.set(id, formatPath(path));
  };
  const areas = list((data as { areas?: unknown } | null)?.areas);
  areas.forEach((area, a) => {
    claim(area.id, ['areas', a, 'id']);
    list(area.missions).forEach((mission, m) => {
      claim(mission.id, ['areas', a, 'missions', m, 'id']);
      list(mission.cards).forEach((card, c) => {
        claim(card.id, ['areas', a, 'missions', m, 'cards', c, 'id']);
      });
    });
  });
  return issues;
}

/** `areas[0].missions[1].cards[2].title.en` */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      return i === 0 ? String(part) : `.${String(part)}`;
    })
    .join('');
}

export type Deck = z.infer<typeof deckSchema>;
export type DeckArea = Deck['areas'][number];
export type DeckMission = DeckArea['missions'][number];
export type DeckCard = DeckMission['cards'][number];
export type DeckStep = Deck['steps'][keyof Deck['steps']];
