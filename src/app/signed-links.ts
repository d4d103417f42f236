import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/ports.ts';

/**
 * Signed, expiring links to a round's exports, for people who have no web
 * round link (Teams, later Slack): `${base}/x/<roundId>/<file>?exp=<epoch s>&sig=<b64url>`.
 *
 * The signature is HMAC-SHA256 over (round id, file name, expiry) with a key
 * derived from the app secret for this purpose only, so a link signature can
 * never be confused with a voter key. A link names no person: it is the same
 * for everybody in the conversation.
 */

/** The files a signed link may name: what the summary offers outside the web page. */
export const SIGNED_FILES = ['maaloversigt.png', 'summary.csv', 'minutes.md', 'plan.ics'] as const;
export type SignedFile = (typeof SIGNED_FILES)[number];

/** Path prefix of the signed links. */
export const SIGNED_PATH = '/x';
/** How long a link works unless configured otherwise (`EXPORT_LINK_DAYS`). */
export const DEFAULT_EXPORT_LINK_DAYS = 30;
export const MIN_EXPORT_LINK_DAYS = 1;
export const MAX_EXPORT_LINK_DAYS = 365;

/** The four links of one round, all with the same expiry. */
export interface ExportLinkSet {
  png: string;
  csv: string;
  md: string;
  ics: string;
}

/** `ok`; `invalid` (any part wrong or tampered: deliberately not which); `expired` (genuine but old). */
export type LinkCheck = 'ok' | 'invalid' | 'expired';

const DAY_S = 86_400;
/** Round ids are ours (`newId()`), the same shape the web channel accepts. */
const ROUND_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Epoch seconds, canonical (no sign, no leading zero): enough digits for any real date. */
const EXPIRY = /^[1-9][0-9]{0,11}$/;
/** 32 bytes, base64url without padding. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export const isSignedFile = (value: string): value is SignedFile =>
  (SIGNED_FILES as readonly string[]).includes(value);

export interface ExportLinkOptions {
  clock: Clock;
  /** Lifetime of a new link in days, 1–365; default 30. */
  days?: number;
}

export class ExportLinks {
  readonly #key: Buffer;
  readonly #clock: Clock;
  readonly #lifetimeS: number;

  constructor(secret: string, options: ExportLinkOptions) {
    if (secret.length < 32)
      throw new Error('the export link secret must be at least 32 characters');
    const days = options.days ?? DEFAULT_EXPORT_LINK_DAYS;
    if (!Number.isInteger(days) || days < MIN_EXPORT_LINK_DAYS || days > MAX_EXPORT_LINK_DAYS) {
      throw new RangeError(
        `export links live ${MIN_EXPORT_LINK_DAYS}–${MAX_EXPORT_LINK_DAYS} days, not ${days}`,
      );
    }
    // A key of its own: voter keys are HMAC(secret, platform\0tenant\0user\0round),
    // which never equals this label, and link signatures use only the derived key.
    this.#key = createHmac('sha256', Buffer.from(secret, 'utf8')).update('export-links').digest();
    this.#clock = options.clock;
    this.#lifetimeS = days * DAY_S;
  }

  /** Expiry (epoch seconds) of a link made now. */
  expiry(): number {
    return Math.floor(this.#clock.now() / 1000) + this.#lifetimeS;
  }

  /** `/x/<roundId>/<file>?exp=…&sig=…`; `exp` defaults to a link made now. */
  path(roundId: string, file: SignedFile, exp: number = this.expiry()): string {
    if (!ROUND_ID.test(roundId)) throw new Error('not a round id');
    if (!isSignedFile(file)) throw new Error('not a file a signed link may name');
    const expiry = String(exp);
    if (!EXPIRY.test(expiry)) throw new Error('not an expiry in epoch seconds');
    const sig = this.#mac(roundId, file, expiry).toString('base64url');
    return `${SIGNED_PATH}/${roundId}/${file}?exp=${expiry}&sig=${sig}`;
  }

  /** The whole URL on `base` (e.g. PUBLIC_URL). */
  url(base: string, roundId: string, file: SignedFile, exp?: number): string {
    return `${base.replace(/\/+$/, '')}${this.path(roundId, file, exp)}`;
  }

  /** The links to all four exports of a round, made now. */
  links(base: string, roundId: string): ExportLinkSet {
    const exp = this.expiry();
    return {
      png: this.url(base, roundId, 'maaloversigt.png', exp),
      csv: this.url(base, roundId, 'summary.csv', exp),
      md: this.url(base, roundId, 'minutes.md', exp),
      ics: this.url(base, roundId, 'plan.ics', exp),
    };
  }

  /**
   * Checks a link's parts as they arrived (route params and query values, so
   * anything: arrays, undefined, junk). Never throws. The signature is checked
   * before the expiry, so only a genuine link is ever told it has expired.
   */
  verify(roundId: unknown, file: unknown, exp: unknown, sig: unknown): LinkCheck {
    if (typeof roundId !== 'string' || !ROUND_ID.test(roundId)) return 'invalid';
    if (typeof file !== 'string' || !isSignedFile(file)) return 'invalid';
    if (typeof exp !== 'string' || !EXPIRY.test(exp)) return 'invalid';
    if (typeof sig !== 'string' || !SIGNATURE.test(sig)) return 'invalid';
    const given = Buffer.from(sig, 'base64url');
    // Only the canonical spelling: the last character's unused bits must be zero.
    if (given.length !== 32 || given.toString('base64url') !== sig) return 'invalid';
    if (!timingSafeEqual(given, this.#mac(roundId, file, exp))) return 'invalid';
    // Valid through the second `exp`; expired from the next one.
    return this.#clock.now() > Number(exp) * 1000 ? 'expired' : 'ok';
  }

  #mac(roundId: string, file: string, exp: string): Buffer {
    // NUL separators keep ("a","bc") and ("ab","c") apart.
    return createHmac('sha256', this.#key).update(`${roundId}\u0000${file}\u0000${exp}`).digest();
  }
}
