import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, Router } from 'express';
import type { WebContext } from './context.ts';
import { isRoundId } from './context.ts';
import { route } from './errors.ts';
import { ensureParticipant } from './identity.ts';
import { webRoundLang } from './request.ts';
import { vendorScript } from './vendor.ts';

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const CARDS_DIR = fileURLToPath(new URL('../../../cards/', import.meta.url));

/** Every page: only our own scripts, no framing, no referrer with round ids leaving the site. */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Content-Security-Policy': [
      "default-src 'self'",
      "img-src 'self' data:",
      // The adaptivecards renderer sets inline styles on the elements it builds.
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "object-src 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  next();
};

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Runden findes ikke · Round not found</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>Runden findes ikke</h1>
<p>Linket er forkert, eller runden er slettet. Spørg mødelederen om et nyt link.</p>
<h2 lang="en">Round not found</h2>
<p lang="en">The link is wrong, or the round was deleted. Ask the facilitator for a new link.</p>
<p><a href="/">Start en ny runde · Start a new round</a></p>
</body></html>
`;

/** The HTML shells: each page then loads its state from the API. */
const ROUND_PAGES = {
  '/r/:id': 'participant.html',
  '/f/:id': 'facilitator.html',
  '/screen/:id': 'screen.html',
  '/s/:id': 'summary.html',
} as const;

async function sendPage(res: express.Response, file: string): Promise<void> {
  const html = await readFile(`${PUBLIC_DIR}${file}`, 'utf8');
  res.set('Cache-Control', 'no-cache').type('html').send(html);
}

/** Pages, page assets, card templates and vendored scripts. */
export function pageRoutes(ctx: WebContext): Router {
  const router = Router();
  const staticOptions = { index: false, redirect: false, dotfiles: 'ignore' as const };

  router.get(
    '/',
    route(ctx, 'page', (_req, res) => sendPage(res, 'start.html')),
  );
  for (const [path, file] of Object.entries(ROUND_PAGES)) {
    router.get(
      path,
      route(ctx, 'page', async (req, res) => {
        const roundId = String(req.params.id);
        const exists = isRoundId(roundId) && (await webRoundLang(ctx, roundId));
        if (!exists) {
          res.status(404).set('Cache-Control', 'no-cache').type('html').send(NOT_FOUND_PAGE);
          return;
        }
        // First visit: the participant gets their anonymous id before any API call.
        if (file === 'participant.html') ensureParticipant(req, res);
        await sendPage(res, file);
      }),
    );
  }

  router.use('/assets', express.static(PUBLIC_DIR, staticOptions));
  // Only the templates: cards/ holds notes for people as well.
  router.use('/cards', (req, res, next) => {
    if (req.path.endsWith('.json')) next();
    else res.status(404).end();
  });
  router.use('/cards', express.static(CARDS_DIR, staticOptions));

  router.get(
    '/vendor/:file',
    route(ctx, 'vendor', async (req, res) => {
      const script = await vendorScript(String(req.params.file));
      if (script === undefined) {
        res.status(404).end();
        return;
      }
      res.set('Cache-Control', 'public, max-age=86400').type('js').send(script);
    }),
  );

  return router;
}
