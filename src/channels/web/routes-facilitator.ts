import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Identity } from '../../app/identity.ts';
import { askToDelete, deleteAsFacilitator } from '../../app/privacy-facilitator.ts';
import type { ServiceCommand } from '../../app/round-service.ts';
import type { WebContext } from './context.ts';
import { route, sendRefusal } from './errors.ts';
import { facilitatorOf } from './identity.ts';
import { jsonBody } from './limits.ts';
import { openRound, parseBody, type RoundRef, runCommand, sendCreated } from './request.ts';
import { commandSchema, planActionSchema, toServiceCommand } from './schemas.ts';

/** Days "postpone" moves a plan item (the reminder's button says "a week"). */
const POSTPONE_DAYS = 7;

/**
 * The facilitator identity from the secret header. Without one the answer is
 * 403 before the body is read; a wrong one is the core's not_facilitator.
 */
function requireFacilitator(req: Request, res: Response, round: RoundRef): Identity | undefined {
  const who = facilitatorOf(req);
  if (!who) sendRefusal(res, round.lang, { code: 'not_facilitator' });
  return who;
}

/** Deleting the round: without `confirm` only the question; with `confirm: true` the deletion. */
const deleteSchema = z.strictObject({ confirm: z.literal(true).optional() });

/** What a facilitator route does once its round, facilitator and body are known. */
type FacilitatorHandler<T> = (
  req: Request,
  res: Response,
  round: RoundRef,
  who: Identity,
  body: T,
) => Promise<void>;

/** Controls only the facilitator link can use: step commands, the follow-up plan, deleting. */
export function facilitatorRoutes(ctx: WebContext): Router {
  const router = Router();

  /** Every route here reads the round, then the facilitator, then the body, refusing in that order. */
  function post<S extends z.ZodType>(
    path: string,
    name: string,
    schema: S,
    handle: FacilitatorHandler<z.infer<S>>,
  ): void {
    router.post(
      path,
      jsonBody,
      route(ctx, name, async (req, res) => {
        const round = await openRound(ctx, req, res);
        const who = round && requireFacilitator(req, res, round);
        const body = round && who && parseBody(schema, req, res, round.lang);
        if (!round || !who || !body) return;
        await handle(req, res, round, who, body);
      }),
    );
  }

  post('/api/rounds/:id/command', 'command', commandSchema, async (req, res, round, who, body) => {
    const command = toServiceCommand(body);
    const done = await runCommand(ctx, req, res, round, who, command);
    if (!done) return;
    if (command.type === 'addPlanItem')
      sendCreated(res, done.duplicate, { itemId: command.itemId });
    else res.json({ ok: true, duplicate: done.duplicate });
  });

  post(
    '/api/rounds/:id/plan/:itemId',
    'plan',
    planActionSchema,
    async (req, res, round, who, body) => {
      const itemId = String(req.params.itemId);
      const command: ServiceCommand =
        body.action === 'postpone'
          ? { type: 'postponePlanItem', itemId, days: POSTPONE_DAYS }
          : { type: 'setPlanStatus', itemId, status: body.action };
      const done = await runCommand(ctx, req, res, round, who, command);
      if (done) res.json({ ok: true, duplicate: done.duplicate });
    },
  );

  post('/api/rounds/:id/delete', 'delete', deleteSchema, async (_req, res, round, who, body) => {
    if (!body.confirm) {
      const asked = await askToDelete(ctx.service(), round.roundId, who);
      if (asked.ok) res.json({ ok: true, deleted: false, view: asked.value });
      else sendRefusal(res, round.lang, asked.error);
      return;
    }
    const deleted = await deleteAsFacilitator(ctx.service(), round.roundId, who);
    if (!deleted.ok) {
      sendRefusal(res, round.lang, deleted.error);
      return;
    }
    // The other pages of the round refetch and learn that it no longer exists.
    ctx.hub.publish(round.roundId);
    res.json({ ok: true, deleted: true, view: deleted.value.view });
  });

  return router;
}
