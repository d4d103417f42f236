import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Platform } from '../core/model.ts';

/** Who someone is, as the platform's authenticated envelope says. Never from card data. */
export interface Identity {
  platform: Platform;
  tenant: string;
  userId: string;
}

/**
 * Voter keys: HMAC-SHA256 over (platform, tenant, user, round) with a secret
 * from config. The same person gets unrelated keys in different rounds, and
 * without the secret a roster cannot be hashed to find someone's key.
 */
export class VoterKeys {
  readonly #secret: KeyObject;
  /**
   * Keys computed lately, by message: the same person clicks many times in a
   * round, and the HMAC was ~3 % of a vote's CPU. Process memory only.
   */
  readonly #recent = new Map<string, string>();

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the voter key secret must be at least 32 characters');
    this.#secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  of(roundId: string, who: Identity): string {
    // A NUL separator keeps ("a","bc") and ("ab","c") apart.
    const message = [who.platform, who.tenant, who.userId, roundId].join('\u0000');
    const known = this.#recent.get(message);
    if (known !== undefined) return known;
    const key = createHmac('sha256', this.#secret).update(message).digest('base64url');
    if (this.#recent.size >= RECENT_KEYS) {
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
    this.#recent.set(message, key);
    return key;
  }
}

/** How many voter keys VoterKeys remembers (a few hundred bytes each). */
const RECENT_KEYS = 4096;

/** Random, unguessable ids (128 bits, URL-safe). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** A fresh secret for `DIALOGRUNDE_SECRET`. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}
