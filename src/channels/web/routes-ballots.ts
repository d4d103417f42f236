import { Router } from 'express';
import type { z } from 'zod';
import { type Identity, newId } from '../../app/identity.ts';
import { prioritize, vote } from '../../app/voting.ts';
import type { DomainError } from '../../core/errors.ts';
import type { Result } from '../../core/result.ts';
import type { WebContext } from './context.ts';
import { route, sendRefusal } from './errors.ts';
import { ensureParticipant } from './identity.ts';
import { jsonBody, rateLimit } from './limits.ts';
import { openRound, parseBody, runCommand, sendCreated } from './request.ts';
import { customCardSchema, noteSchema, prioritiesSchema, voteSchema } from './schemas.ts';

interface BallotReply {
  outcome: string;
  view: unknown;
}

/** What every participant does: rate cards, pick priorities, add notes and own initiatives. */
export function ballotRoutes(ctx: WebContext): Router {
  const router = Router();
  const limited = [rateLimit(ctx.limits.ballot), jsonBody];

  /** A ballot goes straight to the store (see app/voting.ts); the reply has the voter's own view. */
  const ballot = <S extends z.ZodType>(
    path: string,
    name: string,
    schema: S,
    cast: (
      roundId: string,
      who: Identity,
      body: z.infer<S>,
    ) => Promise<Result<BallotReply, DomainError>>,
  ) =>
    router.post(
      path,
      ...limited,
      route(ctx, name, async (req, res) => {
        const round = await openRound(ctx, req, res);
        const body = round && parseBody(schema, req, res, round.lang);
        if (!round || !body) return;
        const result = await cast(round.roundId, ensureParticipant(req, res), body);
        if (!result.ok) {
          sendRefusal(res, round.lang, result.error);
          return;
        }
        ctx.hub.publish(round.roundId);
        res.json({ ok: true, outcome: result.value.outcome, view: result.value.view });
      }),
    );

  ballot('/api/rounds/:id/vote', 'vote', voteSchema, (roundId, who, body) =>
    vote(ctx.service(), roundId, who, body.cardId, body.value),
  );
  ballot('/api/rounds/:id/priorities', 'priorities', prioritiesSchema, (roundId, who, body) =>
    prioritize(ctx.service(), roundId, who, body.cardIds),
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
