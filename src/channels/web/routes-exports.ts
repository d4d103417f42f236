import { type Request, type Response, Router } from 'express';
import { maaloversigtView } from '../../core/views/summary.ts';
import type { WebContext } from './context.ts';
import { route } from './errors.ts';
import {
  maaloversigtSvg,
  minutesMarkdown,
  planIcs,
  qrSvg,
  summaryCsv,
  svgToPng,
} from './exports/index.ts';
import { rateLimit } from './limits.ts';
import { openSnapshot } from './request.ts';
import type { Snapshot } from './state.ts';

type Producer = (
  snap: Snapshot,
  ctx: WebContext,
  req: Request,
) => Promise<string | Buffer> | string | Buffer;

interface ExportSpec {
  type: string;
  /** Set for files people save (Content-Disposition: attachment). */
  filename?: string;
  produce: Producer;
}

/**
 * Pictures and files of a round. Whoever has the round's link may fetch
 * them; they hold only what the pages show (results below k are withheld by
 * the core's views, which the exporters use).
 */
const EXPORTS: Record<string, ExportSpec> = {
  'maaloversigt.svg': {
    type: 'image/svg+xml; charset=utf-8',
    produce: (snap) => maaloversigtSvg(maaloversigtView(snap)),
  },
  'maaloversigt.png': {
    type: 'image/png',
    produce: (snap) => svgToPng(maaloversigtSvg(maaloversigtView(snap))),
  },
  'summary.csv': {
    type: 'text/csv; charset=utf-8',
    filename: 'opsummering.csv',
    produce: (snap) => summaryCsv(snap),
  },
  'minutes.md': {
    type: 'text/markdown; charset=utf-8',
    filename: 'referat.md',
    produce: (snap) => minutesMarkdown(snap),
  },
  'plan.ics': {
    type: 'text/calendar; charset=utf-8',
    filename: 'opfoelgning.ics',
    produce: (snap, ctx) => planIcs(snap, ctx.publicUrl()),
  },
  'qr.svg': {
    type: 'image/svg+xml; charset=utf-8',
    produce: (snap, ctx, req) => qrSvg(`${baseUrl(ctx, req)}/r/${snap.state.id}`),
  },
};

/** A QR code needs a whole URL: the public one, else the address this page was opened on. */
const baseUrl = (ctx: WebContext, req: Request) =>
  ctx.publicUrl() || `${req.protocol}://${req.get('host') ?? 'localhost'}`;

export function exportRoutes(ctx: WebContext): Router {
  const router = Router();
  // Rendering a PNG costs real CPU time: the same budget as votes.
  const limited = rateLimit(ctx.limits.ballot);

  for (const [name, spec] of Object.entries(EXPORTS)) {
    const handler = route(ctx, `export:${name}`, async (req: Request, res: Response) => {
      const opened = await openSnapshot(ctx, req, res);
      if (!opened) return;
      const { round, snap } = opened;
      const body = await spec.produce(snap, ctx, req);
      res.set({ 'Content-Type': spec.type, 'Cache-Control': 'no-store' });
      if (spec.filename) {
        const file = `dialogrunde-${round.roundId}-${spec.filename}`;
        res.set('Content-Disposition', `attachment; filename="${file}"`);
      }
      res.send(body);
    });
    const path = `/api/rounds/:id/${name}`;
    if (name.endsWith('.png')) router.get(path, limited, handler);
    else router.get(path, handler);
  }

  return router;
}
