import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../app/logger.ts';

/**
 * Refuses (401) an authenticated activity whose `serviceUrl` is on another
 * host than its token's `serviceurl` claim: a token issued for one Bot
 * Connector must not make the bot answer to another. The SDK would refuse it
 * later too, but with a 400, as if the request were malformed rather than
 * unauthorised. Runs after the JWT check, which leaves the claims on
 * `req.user`; anonymous development requests carry none and pass.
 */
export function sameServiceUrl(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const claim = (req as Request & { user?: { serviceurl?: unknown } }).user?.serviceurl;
    const url = (req.body as { serviceUrl?: unknown }).serviceUrl;
    if (typeof claim !== 'string' || typeof url !== 'string' || sameHost(claim, url)) {
      next();
      return;
    }
    logger.warn('teams: activity serviceUrl differs from its token; refused');
    res.status(401).end();
  };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function sameHost(a: string, b: string): boolean {
  const host = hostOf(a);
  return host !== undefined && host === hostOf(b);
}
