import { type RequestHandler, type Response, Router } from 'express';
import { type ExportLinks, SIGNED_PATH, type SignedFile } from '../../app/signed-links.ts';
import type { WebContext } from './context.ts';
import { route } from './errors.ts';
import { sendExport } from './export-files.ts';
import { rateLimit } from './limits.ts';

/** On every answer: the link is a secret, nobody caches or indexes it, no referrer leaks it. */
const PRIVATE_HEADERS = {
  'Cache-Control': 'private, no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
};

const page = (title: string, body: string) => `<!doctype html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
${body}
</body></html>
`;

/** Wrong signature, round, file or expiry, or a round that is gone: one answer, no hint which. */
export const LINK_NOT_FOUND_PAGE = page(
  'Linket virker ikke · This link does not work',
  `<h1>Linket virker ikke</h1>
<p>Linket er forkert eller ufuldstændigt, eller runden findes ikke længere.
Bed botten om et nyt link, for eksempel ved at skrive <code>@dialogrunde status</code> i kanalen, hvor runden blev holdt.</p>
<h2 lang="en">This link does not work</h2>
<p lang="en">The link is wrong or incomplete, or the round no longer exists.
Ask the bot for a fresh link, for example by writing <code>@dialogrunde status</code> in the channel where the round was held.</p>`,
);

/** A genuine link past its expiry. */
export const LINK_EXPIRED_PAGE = page(
  'Linket er udløbet · This link has expired',
  `<h1>Linket er udløbet</h1>
<p>Links til rundens filer virker kun en tid, så de ikke kan bruges af andre senere.
Bed botten om et nyt link: skriv <code>@dialogrunde status</code> i kanalen, hvor runden blev holdt.</p>
<h2 lang="en">This link has expired</h2>
<p lang="en">Links to a round's files only work for a while, so that nobody else can use them later.
Ask the bot for a fresh link: write <code>@dialogrunde status</code> in the channel where the round was held.</p>`,
);

const privateHeaders: RequestHandler = (_req, res, next) => {
  res.set(PRIVATE_HEADERS);
  next();
};

function sendPage(res: Response, status: 404 | 410, html: string): void {
  res.status(status).type('html').send(html);
}

/**
 * `GET /x/:id/:file?exp=…&sig=…`: a round's exports for people without the
 * web round link (the Teams summary card). The link carries no identity; it
 * works for whoever holds it until it expires (see `app/signed-links.ts`).
 */
export function signedRoutes(ctx: WebContext, links: ExportLinks): Router {
  const router = Router();
  // Rendering costs CPU and a guessed link costs a check: the PNG export's budget.
  const limited = rateLimit(ctx.limits.ballot);
  router.get(
    `${SIGNED_PATH}/:id/:file`,
    privateHeaders,
    limited,
    route(ctx, 'signed-export', async (req, res) => {
      const { id, file } = req.params;
      const check = links.verify(id, file, req.query.exp, req.query.sig);
      if (check === 'expired') {
        sendPage(res, 410, LINK_EXPIRED_PAGE);
        return;
      }
      const snap = check === 'ok' ? await ctx.service().snapshot(String(id)) : undefined;
      if (!snap) {
        sendPage(res, 404, LINK_NOT_FOUND_PAGE);
        return;
      }
      // verify() accepted the file name: it is one of the signed files.
      await sendExport(ctx, req, res, file as SignedFile, snap);
    }),
  );
  return router;
}
