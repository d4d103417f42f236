import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/clock.ts';
import { newId, VoterKeys } from '../../src/app/identity.ts';
import {
  DEFAULT_EXPORT_LINK_DAYS,
  ExportLinks,
  SIGNED_FILES,
  type SignedFile,
} from '../../src/app/signed-links.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

const SECRET = 'signed-links-test-secret-0123456789-abcdefgh';
const BASE = 'https://dialog.example.dk';
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const DAY_MS = 86_400_000;

/** The parts of a signed URL as the route sees them. */
function partsOf(url: string) {
  const parsed = new URL(url);
  const [, x, roundId, file, ...rest] = parsed.pathname.split('/');
  expect(x).toBe('x');
  expect(rest).toEqual([]);
  return {
    roundId: roundId ?? '',
    file: file ?? '',
    exp: parsed.searchParams.get('exp') ?? '',
    sig: parsed.searchParams.get('sig') ?? '',
  };
}

function setup(days?: number) {
  const clock = new ManualClock(T0);
  const links = new ExportLinks(SECRET, { clock, ...(days !== undefined && { days }) });
  const check = (p: { roundId: unknown; file: unknown; exp: unknown; sig: unknown }) =>
    links.verify(p.roundId, p.file, p.exp, p.sig);
  return { clock, links, check };
}

/** Changes one character of a base64url string to another valid one. */
const flip = (s: string, at: number) =>
  s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);

describe('ExportLinks', () => {
  it('round-trips every export file: the URL verifies, with exactly exp and sig as query', () => {
    const { links, check } = setup();
    const roundId = newId();
    for (const file of SIGNED_FILES) {
      const url = links.url(`${BASE}/`, roundId, file);
      expect(url).toMatch(
        new RegExp(`^${BASE}/x/${roundId}/${file.replace('.', '\\.')}\\?exp=\\d+&sig=[\\w-]{43}$`),
      );
      expect([...new URL(url).searchParams.keys()]).toEqual(['exp', 'sig']);
      expect(check(partsOf(url))).toBe('ok');
    }
    const set = links.links(BASE, roundId);
    expect(Object.keys(set).sort()).toEqual(['csv', 'ics', 'md', 'png']);
    expect(partsOf(set.png).file).toBe('maaloversigt.png');
    expect(partsOf(set.csv).file).toBe('summary.csv');
    expect(partsOf(set.md).file).toBe('minutes.md');
    expect(partsOf(set.ics).file).toBe('plan.ics');
    for (const url of Object.values(set)) expect(check(partsOf(url))).toBe('ok');
    // One expiry for the set.
    expect(new Set(Object.values(set).map((u) => partsOf(u).exp)).size).toBe(1);
  });

  it('lives 30 days by default, or the configured number of days', () => {
    const { links } = setup();
    expect(DEFAULT_EXPORT_LINK_DAYS).toBe(30);
    expect(Number(partsOf(links.url(BASE, 'r1', 'summary.csv')).exp)).toBe(T0 / 1000 + 30 * 86_400);
    const week = setup(7).links;
    expect(Number(partsOf(week.url(BASE, 'r1', 'summary.csv')).exp)).toBe(T0 / 1000 + 7 * 86_400);
    for (const bad of [0, 366, 1.5, Number.NaN]) {
      expect(() => new ExportLinks(SECRET, { clock: new ManualClock(), days: bad })).toThrow(
        RangeError,
      );
    }
    expect(() => new ExportLinks('short', { clock: new ManualClock() })).toThrow(/32/);
  });

  it('refuses a tampered signature, another round, another file and another expiry', () => {
    const { links, check } = setup();
    const good = partsOf(links.url(BASE, 'round-a', 'summary.csv'));
    expect(check(good)).toBe('ok');
    for (const at of [0, 10, 41])
      expect(check({ ...good, sig: flip(good.sig, at) })).toBe('invalid');
    expect(check({ ...good, roundId: 'round-b' })).toBe('invalid');
    expect(check({ ...good, roundId: 'round-A' })).toBe('invalid');
    for (const file of SIGNED_FILES.filter((f) => f !== 'summary.csv')) {
      expect(check({ ...good, file })).toBe('invalid');
    }
    // A later expiry (or an earlier one) is not the signed one.
    expect(check({ ...good, exp: String(Number(good.exp) + 86_400) })).toBe('invalid');
    expect(check({ ...good, exp: String(Number(good.exp) - 1) })).toBe('invalid');
    // Another secret's link.
    const other = new ExportLinks(`${SECRET}-other`, { clock: new ManualClock(T0) });
    expect(check(partsOf(other.url(BASE, 'round-a', 'summary.csv')))).toBe('invalid');
  });

  it('expires one second after its expiry, and says so only for a genuine link', () => {
    const { clock, links, check } = setup(1);
    const good = partsOf(links.url(BASE, 'round-a', 'maaloversigt.png'));
    const expMs = Number(good.exp) * 1000;
    expect(expMs).toBe(T0 + DAY_MS);
    clock.set(expMs - 1000);
    expect(check(good)).toBe('ok');
    clock.set(expMs);
    expect(check(good)).toBe('ok');
    clock.set(expMs + 1000);
    expect(check(good)).toBe('expired');
    // A tampered old link is just wrong: no hint that it once was a link.
    expect(check({ ...good, sig: flip(good.sig, 5) })).toBe('invalid');
    expect(check({ ...good, roundId: 'round-b' })).toBe('invalid');
  });

  it('uses a key of its own: neither the raw secret nor a voter key signs a link', () => {
    const { links, check } = setup();
    const good = partsOf(links.url(BASE, 'round-a', 'summary.csv'));
    const message = `round-a\u0000summary.csv\u0000${good.exp}`;
    const raw = createHmac('sha256', SECRET).update(message).digest('base64url');
    expect(raw).not.toBe(good.sig);
    expect(check({ ...good, sig: raw })).toBe('invalid');
    // A voter key has the signature's shape, and is never a valid signature.
    const voter = new VoterKeys(SECRET).of('round-a', {
      platform: 'teams',
      tenant: 'summary.csv',
      userId: good.exp,
    });
    expect(voter).toMatch(/^[\w-]{43}$/);
    expect(check({ ...good, sig: voter })).toBe('invalid');
  });

  it('never throws on malformed parts, and accepts none of them', () => {
    const { links, check } = setup();
    const good = partsOf(links.url(BASE, 'round-a', 'plan.ics'));
    const junk: unknown[] = [
      undefined,
      null,
      '',
      0,
      12,
      [],
      [good.sig],
      {},
      { toString: () => good.sig },
      'A'.repeat(10_000),
      '../../etc/passwd',
      'round a',
      'rø',
      '\u0000',
    ];
    for (const value of junk) {
      for (const part of ['roundId', 'file', 'exp', 'sig'] as const) {
        expect(check({ ...good, [part]: value })).toBe('invalid');
      }
    }
    // Near misses of the right shape.
    for (const exp of [`0${good.exp}`, `+${good.exp}`, `${good.exp}.0`, `-${good.exp}`, '1e10']) {
      expect(check({ ...good, exp })).toBe('invalid');
    }
    for (const sig of [
      `${good.sig}=`,
      good.sig.slice(1),
      `${good.sig}A`,
      good.sig.replace(/^./, '+'),
      Buffer.from(good.sig, 'base64url').toString('base64'),
    ]) {
      expect(check({ ...good, sig })).toBe('invalid');
    }
    // Last character with non-zero unused bits: same bytes, not the canonical spelling.
    const last = good.sig.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    expect(check({ ...good, sig: good.sig.slice(0, -1) + sibling })).toBe('invalid');
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), fc.anything(), (a, b, c, d) => {
        expect(links.verify(a, b, c, d)).toBe('invalid');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const result = check({ ...good, sig: s });
        expect(result).toBe(s === good.sig ? 'ok' : 'invalid');
      }),
    );
  });

  it('refuses to sign what it would not accept', () => {
    const { links } = setup();
    expect(() => links.path('a/b', 'summary.csv')).toThrow();
    expect(() => links.path('round-a', 'qr.svg' as SignedFile)).toThrow();
    expect(() => links.path('round-a', 'summary.csv', -5)).toThrow();
  });
});

describe('EXPORT_LINK_DAYS', () => {
  const withDir = <T>(fn: (dir: string) => T): T => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-links-'));
    try {
      return fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('defaults to 30 and reads 1–365', () => {
    withDir((dir) => {
      expect(loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET }).exportLinkDays).toBe(30);
      expect(
        loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET, EXPORT_LINK_DAYS: '365' })
          .exportLinkDays,
      ).toBe(365);
      expect(
        loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET, EXPORT_LINK_DAYS: '' })
          .exportLinkDays,
      ).toBe(30);
    });
  });

  it('names EXPORT_LINK_DAYS when it is out of range, with the other problems', () => {
    withDir((dir) => {
      for (const value of ['0', '366', 'a month', '2.5']) {
        let error: unknown;
        try {
          loadConfig({
            DATA_DIR: dir,
            DIALOGRUNDE_SECRET: SECRET,
            EXPORT_LINK_DAYS: value,
            ANONYMITY_K: '1',
          });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const problems = (error as ConfigError).problems;
        expect(problems.some((p) => p.startsWith('EXPORT_LINK_DAYS:'))).toBe(true);
        expect(problems.some((p) => p.startsWith('ANONYMITY_K:'))).toBe(true);
      }
    });
  });
});
