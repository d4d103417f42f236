import type { RequestHandler } from 'express';

/*
 * What Bolt's ExpressReceiver (5.1) leaves out of Slack's signature rules,
 * checked before it runs: it refuses only timestamps more than five minutes
 * in the past (a future one passes), and it hashes whatever scheme the
 * signature names (`v1=…` over `v1:ts:body` passes). Slack signs with v0 and
 * asks for the timestamp to be within five minutes of now either way. Only
 * the headers are read here; Bolt still checks the HMAC over the raw body.
 */

/** Slack's window for `X-Slack-Request-Timestamp`, in seconds, either way. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

/** 401 unless the signature is a v0 one and its timestamp within five minutes of `now`. */
export function slackSignatureGuard(now: () => number = Date.now): RequestHandler {
  return (req, res, next) => {
    const signature = req.get('x-slack-signature') ?? '';
    const timestamp = Number(req.get('x-slack-request-timestamp') ?? Number.NaN);
    const skew = Math.abs(Math.floor(now() / 1000) - timestamp);
    // A missing header fails here too (NaN), before Bolt reads the body.
    if (
      !signature.startsWith('v0=') ||
      !Number.isInteger(timestamp) ||
      !(skew <= MAX_CLOCK_SKEW_S)
    ) {
      res.status(401).send();
      return;
    }
    next();
  };
}
