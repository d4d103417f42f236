import { describe, expect, it } from 'vitest';
import { deriveKey, SecretBox, SecretBoxError } from '../../src/app/secret-box.ts';

const SECRET = 'a-secret-for-the-secret-box-tests-0123456789';

describe('SecretBox (AES-256-GCM, key derived from the app secret)', () => {
  const box = new SecretBox(SECRET, 'slack-installations');

  it('opens what it sealed, and never shows the plaintext in the sealed text', () => {
    const token = 'xoxb-1234-5678-abcdefæøå';
    const sealed = box.seal(token, 'slack\u0000T1');
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain('xoxb');
    expect(box.open(sealed, 'slack\u0000T1')).toBe(token);
    // A fresh IV each time: equal plaintexts do not give equal sealed texts.
    expect(box.seal(token, 'slack\u0000T1')).not.toBe(sealed);
  });

  it('refuses a sealed value moved to another context (row)', () => {
    const sealed = box.seal('xoxb-t1', 'slack\u0000T1');
    expect(() => box.open(sealed, 'slack\u0000T2')).toThrow(SecretBoxError);
  });

  it('refuses an altered value, one sealed with another secret or purpose, and junk', () => {
    const sealed = box.seal('xoxb-t1', 'ctx');
    const [v, iv, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([v, iv, flipped.toString('base64url'), tag].join('.'), 'ctx')).toThrow(
      SecretBoxError,
    );
    const other = new SecretBox(`${SECRET}-other`, 'slack-installations');
    expect(() => other.open(sealed, 'ctx')).toThrow(SecretBoxError);
    const otherPurpose = new SecretBox(SECRET, 'something-else');
    expect(() => otherPurpose.open(sealed, 'ctx')).toThrow(SecretBoxError);
    for (const junk of ['', 'v1', 'v2.a.b.c', 'xoxb-plain-token', `${sealed}.extra`]) {
      expect(() => box.open(junk, 'ctx')).toThrow(SecretBoxError);
    }
  });

  it('derives stable, purpose-bound keys', () => {
    expect(deriveKey(SECRET, 'a').equals(deriveKey(SECRET, 'a'))).toBe(true);
    expect(deriveKey(SECRET, 'a').equals(deriveKey(SECRET, 'b'))).toBe(false);
    expect(deriveKey(SECRET, 'a', 16)).toHaveLength(16);
    expect(() => deriveKey('short', 'a')).toThrow();
  });
});
