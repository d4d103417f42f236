import { type Request, type Response, Router } from 'express';
import type { WebContext } from './context.ts';
import { route } from './errors.ts';
import { EXPORT_NAMES, sendExport } from './export-files.ts';
import { rateLimit } from './limits.ts';
import { openSnapshot } from './request.ts';

/**
 * Pictures and files of a round (see `export-files.ts`). Whoever has the
 * round's link may fetch them.
 */
export function exportRoutes(ctx: WebContext): Router {
  const router = Router();
  // Rendering a PNG costs real CPU time: the same budget as votes.
  const limited = rateLimit(ctx.limits.ballot);

  for (const name of EXPORT_NAMES) {
    const handler = route(ctx, `export:${name}`, async (req: Request, res: Response) => {
      const opened = await openSnapshot(ctx, req, res);
      if (!opened) return;
      res.set('Cache-Control', 'no-store');
      await sendExport(ctx, req, res, name, opened.snap);
    });
    const path = `/api/rounds/:id/${name}`;
    if (name.endsWith('.png')) router.get(path, limited, handler);
    else router.get(path, handler);
  }

  return router;
}
