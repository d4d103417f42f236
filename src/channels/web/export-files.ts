import type { Request, Response } from 'express';
import type { SignedFile } from '../../app/signed-links.ts';
import { maaloversigtView } from '../../core/views/summary.ts';
import type { WebContext } from './context.ts';
import {
  maaloversigtSvg,
  minutesMarkdown,
  planIcs,
  qrSvg,
  summaryCsv,
  svgToPng,
} from './exports/index.ts';
import type { Snapshot } from './state.ts';

type Producer = (
  snap: Snapshot,
  ctx: WebContext,
  req: Request,
) => Promise<string | Buffer> | string | Buffer;

export interface ExportSpec {
  type: string;
  /** Set for files people save (Content-Disposition: attachment). */
  filename?: string;
  produce: Producer;
}

/** Every export's file name: the signed links name a subset (`SIGNED_FILES`). */
export type ExportName = SignedFile | 'maaloversigt.svg' | 'qr.svg';

/** A whole URL needs a base: the public one, else the address this request came to. */
export const baseUrl = (ctx: WebContext, req: Request): string =>
  ctx.publicUrl() || `${req.protocol}://${req.get('host') ?? 'localhost'}`;

/**
 * Pictures and files of a round, the one list both the round-link routes
 * (`/api/rounds/:id/<name>`) and the signed links (`/x/:id/<name>`) serve.
 * They hold only what the pages show (results below k are withheld by the
 * core's views, which the exporters use).
 */
export const EXPORTS: Readonly<Record<ExportName, ExportSpec>> = {
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
    // Events link to the round's web summary page, which only a web round's people use.
    produce: (snap, ctx, req) =>
      planIcs(snap, snap.state.conversation.platform === 'web' ? baseUrl(ctx, req) : null),
  },
  'qr.svg': {
    type: 'image/svg+xml; charset=utf-8',
    produce: (snap, ctx, req) => qrSvg(`${baseUrl(ctx, req)}/r/${snap.state.id}`),
  },
};

export const EXPORT_NAMES = Object.keys(EXPORTS) as ExportName[];

/** Renders an export and answers with it (the caller sets its own caching headers first). */
export async function sendExport(
  ctx: WebContext,
  req: Request,
  res: Response,
  name: ExportName,
  snap: Snapshot,
): Promise<void> {
  const spec = EXPORTS[name];
  const body = await spec.produce(snap, ctx, req);
  res.set('Content-Type', spec.type);
  if (spec.filename) {
    const file = `dialogrunde-${snap.state.id}-${spec.filename}`;
    res.set('Content-Disposition', `attachment; filename="${file}"`);
  }
  res.send(body);
}
