import { describe, expect, it } from 'vitest';
import { type Identity, newId, newSecret, VoterKeys } from '../../src/app/identity.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const alice: Identity = { platform: 'teams', tenant: 'tenant-1', userId: 'user-alice' };

describe('VoterKeys', () => {
  const keys = new VoterKeys(SECRET);

  it('is deterministic for the same platform, tenant, user and round', () => {
    expect(keys.of('round-1', alice)).toBe(keys.of('round-1', { ...alice }));
    expect(new VoterKeys(SECRET).of('round-1', alice)).toBe(keys.of('round-1', alice));
  });

  it('differs across rounds, tenants, platforms and users', () => {
    const base = keys.of('round-1', alice);
    const variants = [
      keys.of('round-2', alice),
      keys.of('round-1', { ...alice, tenant: 'tenant-2' }),
      keys.of('round-1', { ...alice, platform: 'slack' }),
      keys.of('round-1', { ...alice, userId: 'user-bob' }),
    ];
    for (const v of variants) expect(v).not.toBe(base);
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it('keeps ("a","bc") apart from ("ab","c") in every pair of neighbouring fields', () => {
    expect(keys.of('r', { platform: 'web', tenant: 'a', userId: 'bc' })).not.toBe(
      keys.of('r', { platform: 'web', tenant: 'ab', userId: 'c' }),
    );
    expect(keys.of('bc', { platform: 'web', tenant: 't', userId: 'a' })).not.toBe(
      keys.of('c', { platform: 'web', tenant: 't', userId: 'ab' }),
    );
  });

  it('gives different keys under a different secret, so a roster cannot be hashed without it', () => {
    const other = new VoterKeys('another-secret-that-is-also-long-enough-987');
    expect(other.of('round-1', alice)).not.toBe(keys.of('round-1', alice));
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new VoterKeys('x'.repeat(31))).toThrow(/32/);
    expect(() => new VoterKeys('')).toThrow();
    expect(() => new VoterKeys('x'.repeat(32))).not.toThrow();
  });

  it('produces URL-safe base64 of 32 bytes', () => {
    for (let i = 0; i < 50; i++) {
      const key = keys.of(`round-${i}`, { ...alice, userId: `user-${i}` });
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    }
  });
});

describe('newId and newSecret', () => {
  it('newId is unique over 10,000 draws, URL-safe and at least 22 characters', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = newId();
      expect(id.length).toBeGreaterThanOrEqual(22);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });

  it('newSecret is long enough for VoterKeys', () => {
    const secret = newSecret();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(() => new VoterKeys(secret)).not.toThrow();
    expect(newSecret()).not.toBe(secret);
  });
});
