/**
 * The signed export links (`GET /x/:id/:file?exp=…&sig=…`) on the real server
 * of the web tests: the four files, the polite 404 and 410 pages, the headers,
 * and the rate limit shared with the PNG export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNED_FILES, type SignedFile } from '../../src/app/signed-links.ts';
import { PNG_SIGNATURE } from '../exports/png-decode.ts';
import { command, createRound, type Running, startServer } from './harness.ts';

let s: Running;
let roundId: string;
let otherRoundId: string;

beforeAll(async () => {
  s = await startServer();
  const created = await createRound(s.url, { lang: 'da', scope: 'udvikling' });
  roundId = created.roundId;
  for (let i = 0; i < 6; i++) await command(created.facilitator, roundId, { type: 'next' });
  await command(created.facilitator, roundId, {
    type: 'addPlanItem',
    what: 'Mentorordning for nye ledere',
    goal: 'Alle nye ledere har en mentor',
    actions: 'Find tre mentorer',
    owner: { name: 'Mette' },
    due: '2027-01-15',
  });
  otherRoundId = (await createRound(s.url)).roundId;
});
afterAll(() => s.stop());

/** The path part of a signed link, as a client would request it. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const link = (id: string, file: SignedFile) => pathOf(s.exportLinks.url(s.url, id, file));
const get = (path: string) => fetch(`${s.url}${path}`, { redirect: 'manual' });

function expectPrivate(res: Response): void {
  expect(res.headers.get('cache-control')).toBe('private, no-store');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-robots-tag')).toContain('noindex');
  expect(res.headers.get('set-cookie')).toBeNull();
}

const TYPES: Record<SignedFile, string> = {
  'maaloversigt.png': 'image/png',
  'summary.csv': 'text/csv; charset=utf-8',
  'minutes.md': 'text/markdown; charset=utf-8',
  'plan.ics': 'text/calendar; charset=utf-8',
};

describe('signed export links', () => {
  it('serve the four files with their content types, the same as the round-link exports', async () => {
    for (const file of SIGNED_FILES) {
      const res = await get(link(roundId, file));
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(TYPES[file]);
      expectPrivate(res);
      const body = Buffer.from(await res.arrayBuffer());
      const viaRoundLink = Buffer.from(
        await (await fetch(`${s.url}/api/rounds/${roundId}/${file}`)).arrayBuffer(),
      );
      expect(body.equals(viaRoundLink), file).toBe(true);
      if (file === 'maaloversigt.png') {
        expect(body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
        expect(res.headers.get('content-disposition')).toBeNull();
      } else {
        expect(res.headers.get('content-disposition')).toMatch(
          new RegExp(`^attachment; filename="dialogrunde-${roundId}-[a-z]+\\.(csv|md|ics)"$`),
        );
      }
    }
  });

  it('gives calendars an absolute link back to a web round, and events for the plan', async () => {
    const ics = await (await get(link(roundId, 'plan.ics'))).text();
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain('SUMMARY:Mentorordning for nye ledere');
    expect(ics.replace(/\r\n /g, '')).toContain(`URL:${s.url}/s/${roundId}`);
    const csv = await (await get(link(roundId, 'summary.csv'))).text();
    expect(csv).toContain('Mentorordninger');
    const md = await (await get(link(roundId, 'minutes.md'))).text();
    expect(md).toMatch(/^# /);
  });

  it('answers 404 with one polite page, whatever part is wrong', async () => {
    const good = new URL(s.exportLinks.url(s.url, roundId, 'summary.csv'));
    const exp = good.searchParams.get('exp') ?? '';
    const sig = good.searchParams.get('sig') ?? '';
    const tampered = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    const wrong = [
      `/x/${roundId}/summary.csv?exp=${exp}&sig=${tampered}`,
      `/x/${otherRoundId}/summary.csv?exp=${exp}&sig=${sig}`,
      `/x/${roundId}/minutes.md?exp=${exp}&sig=${sig}`,
      `/x/${roundId}/maaloversigt.svg?exp=${exp}&sig=${sig}`,
      `/x/${roundId}/summary.csv?exp=${Number(exp) + 1}&sig=${sig}`,
      `/x/${roundId}/summary.csv?exp=${exp}`,
      `/x/${roundId}/summary.csv?sig=${sig}`,
      `/x/${roundId}/summary.csv?exp=${exp}&sig=${sig}&sig=${sig}`,
      `/x/${roundId}/summary.csv`,
      `/x/${'z'.repeat(65)}/summary.csv?exp=${exp}&sig=${sig}`,
      // Genuine signature, but no such round (deleted, or never existed).
      link('no-such-round-0123456789', 'summary.csv'),
    ];
    const bodies = new Set<string>();
    for (const path of wrong) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expectPrivate(res);
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
    const [page] = [...bodies];
    expect(page).toContain('Linket virker ikke');
    expect(page).toContain('This link does not work');
    expect(page).toContain('@dialogrunde status');
    expect(page).not.toContain(roundId);
  });

  it('answers 410 once a genuine link has expired, asking for a fresh one in both languages', async () => {
    const path = link(roundId, 'maaloversigt.png');
    const exp = Number(new URL(`${s.url}${path}`).searchParams.get('exp'));
    const now = s.clock.now();
    try {
      s.clock.set(exp * 1000);
      expect((await get(path)).status).toBe(200);
      s.clock.set(exp * 1000 + 1000);
      const res = await get(path);
      expect(res.status).toBe(410);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expectPrivate(res);
      const page = await res.text();
      expect(page).toContain('Linket er udløbet');
      expect(page).toContain('This link has expired');
      expect(page).toContain('@dialogrunde status');
      // A fresh link made now works again.
      expect((await get(link(roundId, 'maaloversigt.png'))).status).toBe(200);
      // An expired link that was tampered with is just wrong.
      expect((await get(path.replace(roundId, otherRoundId))).status).toBe(404);
    } finally {
      s.clock.set(now);
    }
  });
});

describe('signed export links: rate limit', () => {
  let limited: Running;
  beforeAll(async () => {
    limited = await startServer({ rateLimits: { ballot: { capacity: 3, windowMs: 60_000 } } });
  });
  afterAll(() => limited.stop());

  it('shares the PNG export budget per client, wrong links included', async () => {
    const { roundId: id } = await createRound(limited.url);
    const ok = pathOf(limited.exportLinks.url(limited.url, id, 'summary.csv'));
    expect((await fetch(`${limited.url}${ok}`)).status).toBe(200);
    expect((await fetch(`${limited.url}/x/${id}/summary.csv?exp=1&sig=x`)).status).toBe(404);
    expect((await fetch(`${limited.url}/api/rounds/${id}/maaloversigt.png`)).status).toBe(200);
    const refused = await fetch(`${limited.url}${ok}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('cache-control')).toBe('private, no-store');
  });
});
