import { Router } from 'express';
import { newId } from '../../app/identity.ts';
import type { Scope } from '../../core/model.ts';
import type { CreateRoundResponse } from './api-types.ts';
import type { WebContext } from './context.ts';
import { route, sendRefusal } from './errors.ts';
import {
  ensureParticipant,
  facilitatorIdentity,
  facilitatorOf,
  participantOf,
} from './identity.ts';
import { jsonBody, rateLimit } from './limits.ts';
import { openRound, openSnapshot, parseBody } from './request.ts';
import { createRoundSchema } from './schemas.ts';
import { buildState } from './state.ts';

/** Links for a round, from the public base URL (relative when there is none). */
export function roundUrls(ctx: WebContext, roundId: string) {
  const base = ctx.publicUrl();
  return {
    joinUrl: `${base}/r/${roundId}`,
    screenUrl: `${base}/screen/${roundId}`,
    summaryUrl: `${base}/s/${roundId}`,
  };
}

/** Decks, creating a round, a caller's state, joining. */
export function roundRoutes(ctx: WebContext): Router {
  const router = Router();

  router.get(
    '/api/decks',
    route(ctx, 'decks', async (_req, res) => {
      res.json(
        ctx.decks.list().map((deck) => ({
          id: deck.id,
          title: deck.title,
          areas: deck.areas.map((a) => ({ id: a.id, title: a.title })),
        })),
      );
    }),
  );

  router.post(
    '/api/rounds',
    rateLimit(ctx.limits.create),
    jsonBody,
    route(ctx, 'create', async (req, res) => {
      const lang = ctx.defaults.lang;
      const body = parseBody(createRoundSchema, req, res, lang);
      if (!body) return;
      const scope: Scope | undefined =
        body.scope === undefined || body.scope === 'all'
          ? undefined
          : { kind: 'area', areaId: body.scope };
      const secret = newId();
      const started = await ctx.service().start(facilitatorIdentity(secret), {
        conversation: { platform: 'web', tenant: 'local', conversationId: newId() },
        ...(body.deckId !== undefined && { deckId: body.deckId }),
        ...(body.lang !== undefined && { lang: body.lang }),
        ...(body.mode !== undefined && { mode: body.mode }),
        ...(scope !== undefined && { scope }),
        ...(body.k !== undefined && { k: body.k }),
        ...(body.maxPriorities !== undefined && { maxPriorities: body.maxPriorities }),
        ...(body.timeZone !== undefined && { timeZone: body.timeZone }),
        // The secret is a key, not a person: it must not count as someone who can vote.
        starterJoins: false,
      });
      if (!started.ok) {
        sendRefusal(res, body.lang ?? lang, started.error);
        return;
      }
      // The creator's browser may vote too, from the participant page.
      ensureParticipant(req, res);
      const { roundId } = started.value;
      const response: CreateRoundResponse = {
        ok: true,
        roundId,
        // In the fragment: browsers never send it, so it stays out of logs and referrers.
        facilitatorUrl: `${ctx.publicUrl()}/f/${roundId}#${secret}`,
        ...roundUrls(ctx, roundId),
      };
      res.status(201).json(response);
    }),
  );

  router.get(
    '/api/rounds/:id/state',
    route(ctx, 'state', async (req, res) => {
      const opened = await openSnapshot(ctx, req, res);
      if (!opened) return;
      const { snap } = opened;
      const who = { participant: participantOf(req), facilitator: facilitatorOf(req) };
      res.set('Cache-Control', 'no-store');
      res.json(await buildState(ctx.service(), snap, who, ctx.reminders));
    }),
  );

  router.post(
    '/api/rounds/:id/join',
    rateLimit(ctx.limits.join),
    route(ctx, 'join', async (req, res) => {
      const round = await openRound(ctx, req, res);
      if (!round) return;
      const joined = await ctx.service().join(round.roundId, ensureParticipant(req, res));
      if (!joined.ok) {
        sendRefusal(res, round.lang, joined.error);
        return;
      }
      ctx.hub.publish(round.roundId);
      res.json({ ok: true, participants: joined.value.participants });
    }),
  );

  return router;
}
