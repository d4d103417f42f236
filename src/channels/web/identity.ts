import { timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { type Identity, newId } from '../../app/identity.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { RoundState } from '../../core/model.ts';
import { FACILITATOR_HEADER, PARTICIPANT_COOKIE } from './api-types.ts';

/**
 * Who is asking, on the web: a random participant id in an HttpOnly cookie
 * (no account, no name), and the facilitator by the secret from the
 * facilitator link, sent as a header. Never from the request body.
 */

const ONE_YEAR_S = 365 * 24 * 60 * 60;
/** Ids and secrets are `newId()`: 22 URL-safe characters. Allow a little slack, nothing odd. */
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

const webIdentity = (userId: string): Identity => ({ platform: 'web', tenant: 'local', userId });

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The participant id from the cookie, if it is one we could have issued. */
export function participantId(req: Request): string | undefined {
  const value = readCookie(req, PARTICIPANT_COOKIE);
  return value !== undefined && TOKEN.test(value) ? value : undefined;
}

/** The caller as a participant, or undefined when the browser has no cookie yet. */
export function participantOf(req: Request): Identity | undefined {
  const pid = participantId(req);
  return pid === undefined ? undefined : webIdentity(pid);
}

/** The caller as a participant; a browser without a cookie gets one now (first visit). */
export function ensureParticipant(req: Request, res: Response): Identity {
  const existing = participantId(req);
  if (existing !== undefined) return webIdentity(existing);
  const pid = newId();
  const secure = req.secure ? '; Secure' : '';
  res.append(
    'Set-Cookie',
    `${PARTICIPANT_COOKIE}=${pid}; Max-Age=${ONE_YEAR_S}; Path=/; HttpOnly; SameSite=Lax${secure}`,
  );
  return webIdentity(pid);
}

/** The facilitator identity named by the header, or undefined when there is no usable secret. */
export function facilitatorOf(req: Request): Identity | undefined {
  const secret = req.get(FACILITATOR_HEADER);
  if (secret === undefined || !TOKEN.test(secret)) return undefined;
  return facilitatorIdentity(secret);
}

export const facilitatorIdentity = (secret: string): Identity =>
  webIdentity(`facilitator:${secret}`);

/** Whether the caller holds this round's facilitator secret; compared in constant time. */
export function isFacilitator(
  service: RoundService,
  state: RoundState,
  who: Identity | undefined,
): boolean {
  if (!who) return false;
  const key = Buffer.from(service.keyOf(state.id, who));
  const expected = Buffer.from(state.facilitatorKey);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
