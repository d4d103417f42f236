import { Router } from 'express';
import { newId } from '../../app/identity.ts';
import { prioritize, vote } from '../../app/voting.ts';
import type { WebContext } from './context.ts';
import { route, sendRefusal } from './errors.ts';
import { ensureParticipant } from './identity.ts';
import { jsonBody, rateLimit } from './limits.ts';
import { openRound, parseBody, runCommand, sendCreated } from './request.ts';
import { customCardSchema, noteSchema, prioritiesSchema, voteSchema } from './schemas.ts';

/** What every participant does: rate cards, pick priorities, add notes and own initiatives. */
export function ballotRoutes(ctx: WebContext): Router {
  const router = Router();
  const limited = [rateLimit(ctx.limits.ballot), jsonBody];

  router.post(
    '/api/rounds/:id/vote',
    ...limited,
    route(ctx, 'vote', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const body = round && parseBody(voteSchema, req, res, round.lang);
      if (!round || !body) return;
      const who = ensureParticipant(req, res);
      const result = await vote(ctx.service(), round.roundId, who, body.cardId, body.value);
      if (!result.ok) {
        sendRefusal(res, round.lang, result.error);
        return;
      }
      ctx.hub.publish(round.roundId);
      res.json({ ok: true, outcome: result.value.outcome, view: result.value.view });
    }),
  );

  router.post(
    '/api/rounds/:id/priorities',
    ...limited,
    route(ctx, 'priorities', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const body = round && parseBody(prioritiesSchema, req, res, round.lang);
      if (!round || !body) return;
      const who = ensureParticipant(req, res);
      const result = await prioritize(ctx.service(), round.roundId, who, body.cardIds);
      if (!result.ok) {
        sendRefusal(res, round.lang, result.error);
        return;
      }
      ctx.hub.publish(round.roundId);
      res.json({ ok: true, outcome: result.value.outcome, view: result.value.view });
    }),
  );

  router.post(
    '/api/rounds/:id/notes',
    ...limited,
    route(ctx, 'notes', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const body = round && parseBody(noteSchema, req, res, round.lang);
      if (!round || !body) return;
      const noteId = newId();
      const done = await runCommand(ctx, req, res, round, ensureParticipant(req, res), {
        type: 'addStatusNote',
        noteId,
        areaId: body.areaId ?? null,
        text: body.text,
      });
      if (done) sendCreated(res, done.duplicate, { noteId });
    }),
  );

  router.post(
    '/api/rounds/:id/custom-cards',
    ...limited,
    route(ctx, 'custom-cards', async (req, res) => {
      const round = await openRound(ctx, req, res);
      const body = round && parseBody(customCardSchema, req, res, round.lang);
      if (!round || !body) return;
      const cardId = newId();
      const done = await runCommand(ctx, req, res, round, ensureParticipant(req, res), {
        type: 'addCustomCard',
        cardId,
        missionId: body.missionId,
        title: body.title,
        description: body.description ?? '',
      });
      if (done) sendCreated(res, done.duplicate, { cardId });
    }),
  );

  return router;
}
