import { z } from 'zod';
import { newId } from '../../app/identity.ts';
import type { ServiceCommand } from '../../app/round-service.ts';
import { LANGS, STEPS } from '../../core/model.ts';
import type { PlanInput } from '../../core/round/commands.ts';

/**
 * Request bodies. Objects are strict: a field we do not know (say `userId`)
 * is refused, not ignored, so nobody can believe it did something. Texts are
 * only typed here; their lengths and contents are the core's to judge (it
 * answers with a message in the round's language).
 */

const id = z.string().min(1).max(100);

export const createRoundSchema = z.strictObject({
  deckId: id.optional(),
  lang: z.enum(LANGS).optional(),
  mode: z.enum(['sync', 'async']).optional(),
  /** 'all' or an area id. */
  scope: id.optional(),
  k: z.number().optional(),
  maxPriorities: z.number().optional(),
  timeZone: z.string().max(100).optional(),
});

/** The value goes to the core as sent: "3", 3.5 or null are its to refuse (invalid_rating). */
export const voteSchema = z.strictObject({ cardId: id, value: z.unknown().optional() });

export const prioritiesSchema = z.strictObject({ cardIds: z.unknown().optional() });

export const noteSchema = z.strictObject({
  areaId: id.nullable().optional(),
  text: z.string(),
});

export const customCardSchema = z.strictObject({
  missionId: id,
  title: z.string(),
  description: z.string().optional(),
});

export const planActionSchema = z.strictObject({
  action: z.enum(['done', 'postpone', 'blocked', 'open']),
});

const planFields = {
  what: z.string(),
  goal: z.string(),
  actions: z.string(),
  /** A typed name: owners on the web are not platform users. */
  owner: z.strictObject({ name: z.string() }),
  /** YYYY-MM-DD; the core checks it is a real date, not in the past. */
  due: z.string().max(40),
  link: z
    .strictObject({ kind: z.enum(['mission', 'card']), id })
    .nullable()
    .optional(),
};

const bare = <T extends string>(type: T) => z.strictObject({ type: z.literal(type) });

export const commandSchema = z.discriminatedUnion('type', [
  /** `from`: the step the facilitator's page showed, so a double click cannot skip a step. */
  z.strictObject({ type: z.literal('next'), from: z.enum(STEPS).optional() }),
  z.strictObject({ type: z.literal('back'), from: z.enum(STEPS).optional() }),
  bare('pause'),
  bare('resume'),
  bare('end'),
  /** `from`: the card open when pressed ('' for none). */
  z.strictObject({ type: z.literal('openNextCard'), from: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal('openCard'), cardId: id }),
  z.strictObject({ type: z.literal('closeCard'), cardId: id }),
  z.strictObject({ type: z.literal('openMission'), missionId: id }),
  z.strictObject({ type: z.literal('closeMission'), missionId: id }),
  /** 'all' or an area id. */
  z.strictObject({ type: z.literal('setScope'), scope: id }),
  z.strictObject({ type: z.literal('removeStatusNote'), noteId: id }),
  z.strictObject({ type: z.literal('removeCustomCard'), cardId: id }),
  z.strictObject({ type: z.literal('addPlanItem'), ...planFields }),
  z.strictObject({ type: z.literal('editPlanItem'), itemId: id, ...planFields }),
  z.strictObject({ type: z.literal('removePlanItem'), itemId: id }),
]);

export type CommandBody = z.infer<typeof commandSchema>;

function planInput(body: Extract<CommandBody, { type: 'addPlanItem' | 'editPlanItem' }>) {
  const input: PlanInput = {
    what: body.what,
    goal: body.goal,
    actions: body.actions,
    owner: { name: body.owner.name },
    due: body.due,
    link: body.link ?? null,
  };
  return input;
}

/** The facilitator's command as the service takes it; new things get their ids here. */
export function toServiceCommand(body: CommandBody): ServiceCommand {
  switch (body.type) {
    case 'setScope':
      return {
        type: 'setScope',
        scope: body.scope === 'all' ? { kind: 'all' } : { kind: 'area', areaId: body.scope },
      };
    case 'addPlanItem':
      return { type: 'addPlanItem', itemId: newId(), input: planInput(body) };
    case 'editPlanItem':
      return { type: 'editPlanItem', itemId: body.itemId, input: planInput(body) };
    default:
      return body;
  }
}
