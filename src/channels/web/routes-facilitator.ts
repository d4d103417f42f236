import { type Request, type Response, Router } from 'express';
import type { Identity } from '../../app/identity.ts';
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

/** Controls only the facilitator link can use: step commands and the follow-up plan. */
export function facilitatorRoutes(ctx: WebContext): Router {
  const router = Router();

  router.post(
    '/api/rounds/:id/command',
    jsonBody,
    route(ctx, 'command', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const who = round && requireFacilitator(req, res, round);
      const body = round && who && parseBody(commandSchema, req, res, round.lang);
      if (!round || !who || !body) return;
      const command = toServiceCommand(body);
      const done = await runCommand(ctx, req, res, round, who, command);
      if (!done) return;
      if (command.type === 'addPlanItem')
        sendCreated(res, done.duplicate, { itemId: command.itemId });
      else res.json({ ok: true, duplicate: done.duplicate });
    }),
  );

  router.post(
    '/api/rounds/:id/plan/:itemId',
    jsonBody,
    route(ctx, 'plan', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const who = round && requireFacilitator(req, res, round);
      const body = round && who && parseBody(planActionSchema, req, res, round.lang);
      if (!round || !who || !body) return;
      const itemId = String(req.params.itemId);
      const command: ServiceCommand =
        body.action === 'postpone'
          ? { type: 'postponePlanItem', itemId, days: POSTPONE_DAYS }
          : { type: 'setPlanStatus', itemId, status: body.action };
      const done = await runCommand(ctx, req, res, round, who, command);
      if (done) res.json({ ok: true, duplicate: done.duplicate });
    }),
  );

  return router;
}
