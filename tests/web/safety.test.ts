import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundStateResponse } from '../../src/channels/web/api-types.ts';
import {
  Browser,
  command,
  createRound,
  type ErrorReply,
  joinAll,
  type Running,
  startServer,
} from './harness.ts';

let s: Running;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.stop());

const CARD = 'mentorordninger';

/** A round in the rating step with the first card open, and one joined participant. */
async function openCardRound() {
  const round = await createRound(s.url, { scope: 'udvikling' });
  for (let i = 0; i < 3; i++) await command(round.facilitator, round.roundId, { type: 'next' });
  await command(round.facilitator, round.roundId, { type: 'openNextCard' });
  const [voter] = await joinAll(s.url, round.roundId, 1);
  if (!voter) throw new Error('a voter');
  return { ...round, voter };
}

describe('facilitator controls', () => {
  it('refuses commands without or with a wrong secret, and nothing changes', async () => {
    const { roundId, facilitator } = await createRound(s.url);
    const before = (await facilitator.state(roundId)).body;
    const stranger = new Browser(s.url);
    await stranger.post(`/api/rounds/${roundId}/join`);
    const attempts: [Record<string, string>, Record<string, unknown>][] = [
      [{}, { type: 'next' }],
      [{ 'x-facilitator-secret': 'wrong-secret-wrong-secret-00' }, { type: 'next' }],
      [{ 'x-facilitator-secret': 'x' }, { type: 'end' }],
      // The secret in the body is not a credential.
      [{}, { type: 'next', secret: facilitator.secret }],
      [{}, { type: 'end', userId: `facilitator:${facilitator.secret}` }],
    ];
    for (const [headers, body] of attempts) {
      const reply = (await stranger.post(
        `/api/rounds/${roundId}/command`,
        body,
        headers,
      )) as ErrorReply;
      expect(reply.status).toBe(403);
      expect(reply.body.error.code).toBe('not_facilitator');
      expect(reply.body.error.message).toBe('Det er kun mødelederen, der kan gøre det.');
    }
    const planAttempt = (await stranger.post(`/api/rounds/${roundId}/plan/some-item`, {
      action: 'done',
    })) as ErrorReply;
    expect(planAttempt.status).toBe(403);
    const after = (await facilitator.state(roundId)).body;
    expect(after.step).toBe('intro');
    expect(after.status).toBe('active');
    expect(after.version).toBe(before.version + 1); // the stranger's join, nothing else
  });

  it('shows the facilitator view only with the right secret', async () => {
    const { roundId, facilitator } = await createRound(s.url);
    const wrong = new Browser(s.url);
    wrong.secret = 'a'.repeat(22);
    expect((await wrong.state(roundId)).body.facilitator).toBeUndefined();
    expect((await new Browser(s.url).state(roundId)).body.facilitator).toBeUndefined();
    expect((await facilitator.state(roundId)).body.facilitator?.script.length).toBeGreaterThan(0);
  });

  it('validates commands against the list of known ones', async () => {
    const { roundId, facilitator } = await createRound(s.url);
    for (const body of [
      { type: 'start' },
      { type: 'deadlineReached', step: 'intro', deadline: 0 },
      { type: 'handOver' },
      { type: 'openCard' },
      { type: 'next', extra: 1 },
      { nothing: true },
    ]) {
      const reply = (await facilitator.post(`/api/rounds/${roundId}/command`, body)) as ErrorReply;
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.body.error.code).toBe('bad_request');
    }
    const wrongStep = (await facilitator.post(`/api/rounds/${roundId}/command`, {
      type: 'openNextCard',
    })) as ErrorReply;
    expect(wrongStep.status).toBe(409);
    expect(wrongStep.body.error.code).toBe('wrong_step');
  });
});

describe('ballots', () => {
  it('refuses every value that is not 1–5 or na, and writes nothing', async () => {
    const { roundId, voter } = await openCardRound();
    for (const value of [0, 6, '3', 3.5, null, -1, true, [3], { value: 3 }, 'NA']) {
      const reply = (await voter.post(`/api/rounds/${roundId}/vote`, {
        cardId: CARD,
        value,
      })) as ErrorReply;
      expect(reply.status, JSON.stringify(value)).toBe(400);
      expect(reply.body.error.code).toBe('invalid_rating');
      expect(reply.body.error.message).toContain('1 til 5');
    }
    const missing = (await voter.post(`/api/rounds/${roundId}/vote`, {
      cardId: CARD,
    })) as ErrorReply;
    expect(missing.body.error.code).toBe('invalid_rating');
    expect(await s.ballots(roundId, CARD)).toBe(0);
  });

  it('refuses extra fields, identities in the body, bad JSON and big bodies', async () => {
    const { roundId, voter } = await openCardRound();
    const other = new Browser(s.url);
    await other.post(`/api/rounds/${roundId}/join`);
    const otherPid = other.cookie?.split('=')[1] ?? '';
    const bodies = [
      { cardId: CARD, value: 3, userId: otherPid },
      { cardId: CARD, value: 3, voterKey: 'someone-else' },
      { cardId: CARD, value: 3, extra: true },
    ];
    for (const body of bodies) {
      const reply = (await voter.post(`/api/rounds/${roundId}/vote`, body)) as ErrorReply;
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('bad_request');
      expect(reply.body.error.message).toMatch(/Ukendt felt/);
    }
    const badJson = (await voter.post(`/api/rounds/${roundId}/vote`, '{"cardId":')) as ErrorReply;
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('bad_request');
    const big = (await voter.post(`/api/rounds/${roundId}/vote`, {
      cardId: CARD,
      value: 3,
      padding: 'x'.repeat(20_000),
    })) as ErrorReply;
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('too_large');
    expect(big.body.error.message.length).toBeGreaterThan(5);
    const asForm = await voter.post(`/api/rounds/${roundId}/vote`, 'cardId=x&value=3', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(asForm.status).toBe(400);
    expect(await s.ballots(roundId, CARD)).toBe(0);

    // The cookie decides who votes: one ballot each, whatever the body says.
    await voter.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 2 });
    await other.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 5 });
    await voter.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 3 });
    expect(await s.ballots(roundId, CARD)).toBe(2);
    const mine = (await voter.state(roundId)).body.cards[0];
    expect(mine && 'yourVote' in mine && mine.yourVote).toMatch(/\b3\b/);
  });

  it('takes the participant from the cookie, never from a join body', async () => {
    const { roundId } = await createRound(s.url);
    const [first] = await joinAll(s.url, roundId, 1);
    const firstPid = first?.cookie?.split('=')[1];
    const second = new Browser(s.url);
    const reply = await second.post<{ participants: number }>(`/api/rounds/${roundId}/join`, {
      userId: firstPid,
      voterKey: 'x',
    });
    expect(reply.body.participants).toBe(2);
    expect(second.cookie).toBeDefined();
    expect(second.cookie).not.toBe(first?.cookie);
  });

  it('answers 404 for rounds that do not exist, 409 for cards not open', async () => {
    const b = new Browser(s.url);
    for (const id of ['nope-nope-nope-nope-00', '..%2F..', 'x'.repeat(80)]) {
      const reply = (await b.get(`/api/rounds/${id}/state`)) as ErrorReply;
      expect(reply.status).toBe(404);
      expect(reply.body.error.code).toBe('round_not_found');
    }
    const vote = (await b.post('/api/rounds/nope-nope-nope-nope-00/vote', {
      cardId: CARD,
      value: 3,
    })) as ErrorReply;
    expect(vote.status).toBe(404);
    const { roundId, voter } = await openCardRound();
    const pending = (await voter.post(`/api/rounds/${roundId}/vote`, {
      cardId: 'interne-lederfora',
      value: 3,
    })) as ErrorReply;
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('card_not_open');
    const unknown = (await b.get('/api/nothing-here')) as ErrorReply;
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it('applies a repeated Idempotency-Key once', async () => {
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    for (let i = 0; i < 4; i++) await command(facilitator, roundId, { type: 'next' });
    const [p] = await joinAll(s.url, roundId, 1);
    if (!p) throw new Error('a participant');
    const body = { missionId: 'ledere', title: 'Walk and talk' };
    const headers = { 'idempotency-key': 'click-123' };
    const first = await p.post(`/api/rounds/${roundId}/custom-cards`, body, headers);
    const second = await p.post(`/api/rounds/${roundId}/custom-cards`, body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ ok: true, duplicate: true });
    const state = (await p.state(roundId)).body;
    expect(state.stepView.kind === 'custom' && state.stepView.cards.length).toBe(1);
    const tooLong = (await p.post(`/api/rounds/${roundId}/custom-cards`, body, {
      'idempotency-key': 'k'.repeat(101),
    })) as ErrorReply;
    expect(tooLong.status).toBe(400);
    // Without a key a second click is a second card (the core then says it is a duplicate title).
    const again = (await p.post(`/api/rounds/${roundId}/custom-cards`, body)) as ErrorReply;
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('duplicate_custom_card');
  });

  it('maps text refusals to 400 with the message in the round language', async () => {
    const { roundId, facilitator } = await createRound(s.url, { lang: 'en' });
    await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'next' });
    const [p] = await joinAll(s.url, roundId, 1);
    if (!p) throw new Error('a participant');
    const empty = (await p.post(`/api/rounds/${roundId}/notes`, {
      areaId: null,
      text: '   ',
    })) as ErrorReply;
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('text_required');
    expect(empty.body.error.message).toMatch(/text/i);
    const long = (await p.post(`/api/rounds/${roundId}/notes`, {
      areaId: null,
      text: 'x'.repeat(501),
    })) as ErrorReply;
    expect(long.body.error.code).toBe('text_too_long');
    const missing = (await p.post(`/api/rounds/${roundId}/notes`, { areaId: null })) as ErrorReply;
    expect(missing.body.error.message).toMatch(/field «text»/);
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once a client has used its budget', async () => {
    const limited = await startServer({
      rateLimits: { join: { capacity: 3, windowMs: 60_000 } },
    });
    try {
      const { roundId } = await createRound(limited.url);
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await fetch(`${limited.url}/api/rounds/${roundId}/join`, { method: 'POST' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await last?.json()) as ErrorReply['body'];
      expect(body.error.code).toBe('rate_limited');
      expect(body.error.message).toMatch(/Vent et øjeblik.*wait a moment/);
      // Time refills the bucket.
      limited.clock.advance(60_000);
      const later = await fetch(`${limited.url}/api/rounds/${roundId}/join`, { method: 'POST' });
      expect(later.status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('pages and assets', () => {
  it('serves the pages with strict security headers', async () => {
    const { roundId } = await createRound(s.url);
    for (const path of [
      '/',
      `/r/${roundId}`,
      `/f/${roundId}`,
      `/screen/${roundId}`,
      `/s/${roundId}`,
    ]) {
      const res = await fetch(s.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toMatch(/<!doctype html>/i);
    }
    const participant = await fetch(`${s.url}/r/${roundId}`);
    expect(participant.headers.get('set-cookie')).toMatch(/^dr_pid=.*HttpOnly/);
  });

  it('answers a missing round with a 404 page in Danish and English', async () => {
    for (const path of ['/r/', '/f/', '/screen/', '/s/']) {
      const res = await fetch(`${s.url}${path}nope-nope-nope-nope-00`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain('Runden findes ikke');
      expect(html).toContain('Round not found');
    }
  });

  it('serves assets, card templates and vendor scripts, without listings', async () => {
    const js = await fetch(`${s.url}/assets/common.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${s.url}/assets/`)).status).toBe(404);
    expect((await fetch(`${s.url}/assets/../index.ts`)).status).toBe(404);
    expect((await fetch(`${s.url}/assets/%2e%2e/index.ts`)).status).toBe(404);
    const template = await fetch(`${s.url}/cards/card-vote.json`);
    expect(template.status).toBe(200);
    expect(template.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await template.json()) as { type: string }).type).toBe('AdaptiveCard');
    expect((await fetch(`${s.url}/cards/README.md`)).status).toBe(404);
    expect((await fetch(`${s.url}/cards/`)).status).toBe(404);
    for (const file of [
      'adaptivecards.min.js',
      'adaptivecards-templating.min.js',
      'adaptive-expressions.js',
    ]) {
      const res = await fetch(`${s.url}/vendor/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
    }
    expect((await fetch(`${s.url}/vendor/other.js`)).status).toBe(404);
  });
});

describe('the state a participant sees', () => {
  it('never holds another participant’s vote or an open card’s distribution', async () => {
    const { roundId, voter, facilitator } = await openCardRound();
    const [other] = await joinAll(s.url, roundId, 1);
    if (!other) throw new Error('another');
    await voter.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 1 });
    await other.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 5 });
    const seen = async (b: Browser) =>
      JSON.stringify((await b.get<RoundStateResponse>(`/api/rounds/${roundId}/state`)).body);
    const mine = await seen(voter);
    expect(mine).toContain('Din stemme: 1.');
    expect(mine).not.toContain('Din stemme: 5');
    expect(await seen(other)).not.toContain('Din stemme: 1');
    for (const text of [mine, await seen(other), await seen(facilitator)]) {
      expect(text).not.toContain('distribution');
    }
  });
});

describe('rounds of other channels', () => {
  it('a Teams round is not served by the web pages or API, even to someone who knows its id', async () => {
    // Its id travels in signed export links; holding one must not open the
    // round's pages, results, live events or joining and voting on the web.
    const started = await s.app.service.start(
      { platform: 'teams', tenant: 't1', userId: 'aad-fac' },
      { conversation: { platform: 'teams', tenant: 't1', conversationId: '19:abc@thread.tacv2' } },
    );
    if (!started.ok) throw new Error('start');
    const { roundId } = started.value;
    const stranger = new Browser(s.url);
    for (const page of [`/r/${roundId}`, `/s/${roundId}`, `/screen/${roundId}`, `/f/${roundId}`]) {
      expect((await stranger.get(page)).status, page).toBe(404);
    }
    for (const path of ['state', 'events', 'maaloversigt.png', 'summary.csv', 'plan.ics']) {
      expect((await stranger.get(`/api/rounds/${roundId}/${path}`)).status, path).toBe(404);
    }
    expect((await stranger.post(`/api/rounds/${roundId}/join`)).status).toBe(404);
    expect(
      (await stranger.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 3 })).status,
    ).toBe(404);
    expect((await s.app.store.counts(roundId)).participants).toBe(1);
    // The same id signed for an export is served there (that is what the link is for).
    const link = s.exportLinks.url(s.url, roundId, 'summary.csv');
    expect((await stranger.get(link.slice(s.url.length))).status).toBe(200);
  });
});
