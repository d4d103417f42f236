import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/*
 * Secrets at rest (Slack bot tokens of OAuth installations): AES-256-GCM with
 * a key derived from the app secret (DIALOGRUNDE_SECRET) for one purpose
 * only, so the key that seals tokens is unrelated to the voter-key and
 * link-signing keys made from the same secret. A database copy alone does
 * not reveal a token; the database and the secret together do.
 *
 * Sealed text: `v1.<iv>.<ciphertext>.<tag>` (base64url; 12-byte random IV,
 * 16-byte tag). The caller's `context` (e.g. platform and workspace id) is
 * authenticated with it, so a sealed value copied onto another row does not
 * open there. Changing the app secret makes sealed values unreadable: they
 * then count as absent (the workspace installs the app again).
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

/**
 * `bytes` of key material for `purpose`, derived from the app secret with
 * HKDF-SHA256. The same secret and purpose always give the same key.
 */
export function deriveKey(secret: string, purpose: string, bytes = 32): Buffer {
  if (secret.length < 32) throw new Error('the app secret must be at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secret, 'dialogrunde', purpose, bytes));
}

export class SecretBox {
  readonly #key: Buffer;

  constructor(secret: string, purpose: string) {
    this.#key = deriveKey(secret, `secret-box:${purpose}`);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext; throws SecretBoxError when the text was altered, sealed for another context or with another secret. */
  open(sealed: string, context: string): string {
    const [version, iv, body, tag, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || body === undefined || tag === undefined) {
      throw new SecretBoxError('not a sealed value');
    }
    if (rest.length > 0) throw new SecretBoxError('not a sealed value');
    const ivBytes = Buffer.from(iv, 'base64url');
    const tagBytes = Buffer.from(tag, 'base64url');
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
      throw new SecretBoxError('not a sealed value');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, ivBytes, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed value does not open: altered, moved, or another secret');
    }
  }
}
