import { Router } from 'express';
import type { WebContext } from './context.ts';
import { route, sendRefusal } from './errors.ts';
import { openSnapshot } from './request.ts';
import { webVersion } from './state.ts';

/** GET /api/rounds/:id/events: "version N" whenever the round changes (see hub.ts). */
export function eventRoutes(ctx: WebContext): Router {
  const router = Router();

  router.get(
    '/api/rounds/:id/events',
    route(ctx, 'events', async (req, res) => {
      const opened = await openSnapshot(ctx, req, res);
      if (!opened) return;
      const { round, snap } = opened;
      if (!ctx.hub.subscribe(round.roundId, res, webVersion(snap))) {
        // Shutting down, or too many open streams: the browser retries on its own.
        res.set('Retry-After', '2');
        sendRefusal(res, round.lang, { code: 'busy' }, 503);
      }
    }),
  );

  return router;
}
