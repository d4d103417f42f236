import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoundStateResponse } from '../../src/channels/web/api-types.ts';
import type { CardResultView, CardVoteView } from '../../src/core/views/types.ts';
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

const cardOf = (state: RoundStateResponse, cardId: string) =>
  state.cards.find((c) => c.cardId === cardId);

/** The page as everyone sees it: without what is personal (own vote, own picks). */
function shared(state: RoundStateResponse): unknown {
  return JSON.parse(JSON.stringify(state), (key, value) =>
    key === 'yourVote' || key === 'yours' ? undefined : value,
  );
}

describe('creating and joining', () => {
  it('answers with the links and gives the creator a participant cookie', async () => {
    const creator = new Browser(s.url);
    const reply = await creator.post<{
      roundId: string;
      facilitatorUrl: string;
      joinUrl: string;
      screenUrl: string;
    }>('/api/rounds', {
      lang: 'da',
      mode: 'sync',
      scope: 'udvikling',
      k: 3,
      timeZone: 'Europe/Copenhagen',
    });
    expect(reply.status).toBe(201);
    const { roundId, facilitatorUrl, joinUrl, screenUrl } = reply.body;
    expect(roundId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(joinUrl).toBe(`${s.url}/r/${roundId}`);
    expect(screenUrl).toBe(`${s.url}/screen/${roundId}`);
    expect(facilitatorUrl).toMatch(new RegExp(`^${s.url}/f/${roundId}#[A-Za-z0-9_-]{22}$`));
    expect(creator.cookie).toMatch(/^dr_pid=/);
    // The secret is a key, not a voter: nobody has joined yet.
    const state = await creator.state(roundId);
    expect(state.body.participants).toBe(0);
    expect(state.body.joined).toBe(false);
    expect(state.body.step).toBe('intro');
  });

  it('joining sets an HttpOnly SameSite=Lax cookie for a year and counts the person once', async () => {
    const { roundId } = await createRound(s.url);
    const res = await fetch(`${s.url}/api/rounds/${roundId}/join`, { method: 'POST' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(res.status).toBe(200);
    expect(cookie).toMatch(/^dr_pid=[A-Za-z0-9_-]{22};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Max-Age=31536000');
    expect(cookie).not.toContain('Secure');
    expect(await res.json()).toEqual({ ok: true, participants: 1 });

    const again = new Browser(s.url);
    again.cookie = cookie.split(';')[0];
    expect((await again.post(`/api/rounds/${roundId}/join`)).body).toEqual({
      ok: true,
      participants: 1,
    });
    expect((await again.state(roundId)).body.joined).toBe(true);
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    const { roundId } = await createRound(s.url);
    const res = await fetch(`${s.url}/api/rounds/${roundId}/join`, {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(res.headers.get('set-cookie')).toContain('Secure');
  });

  it('lists the decks with their areas', async () => {
    const reply = await new Browser(s.url).get<{ id: string; areas: { id: string }[] }[]>(
      '/api/decks',
    );
    expect(reply.status).toBe(200);
    const deck = reply.body.find((d) => d.id === 'baeredygtigt-arbejdsmiljoe');
    expect(deck?.areas.map((a) => a.id)).toEqual(['udvikling', 'rummelighed', 'fastholdelse']);
  });

  it('refuses bad settings with a message in the chosen language', async () => {
    const b = new Browser(s.url);
    const cases: [Record<string, unknown>, string][] = [
      [{ k: 2 }, 'threshold_too_low'],
      [{ timeZone: 'Mars/Olympus' }, 'invalid_time_zone'],
      [{ scope: 'nowhere' }, 'area_not_found'],
      [{ deckId: 'no-such-deck' }, 'deck_not_found'],
      [{ lang: 'fr' }, 'bad_request'],
      [{ k: 3, userId: 'someone' }, 'bad_request'],
    ];
    for (const [body, code] of cases) {
      const reply = (await b.post('/api/rounds', body)) as ErrorReply;
      expect(reply.status, code).toBe(400);
      expect(reply.body.error.code).toBe(code);
      expect(reply.body.error.message.length).toBeGreaterThan(5);
    }
    const english = (await b.post('/api/rounds', { lang: 'en', k: 2 })) as ErrorReply;
    expect(english.body.error.message).toMatch(/at least 3/);
  });
});

describe('a whole round', () => {
  it('runs all seven steps; results stay hidden while open and below k', async () => {
    const { roundId, facilitator: fac } = await createRound(s.url, { scope: 'udvikling' });
    const [a, b, c] = await joinAll(s.url, roundId, 3);
    if (!a || !b || !c) throw new Error('three participants');
    const stateOf = async (who: Browser) => (await who.state(roundId)).body;

    expect((await stateOf(a)).participants).toBe(3);
    expect((await stateOf(a)).facilitator).toBeUndefined();
    expect((await stateOf(fac)).facilitator?.kind).toBe('facilitator');

    await command(fac, roundId, { type: 'next' });
    await command(fac, roundId, { type: 'next' });
    expect((await stateOf(a)).step).toBe('status');
    const note = await a.post(`/api/rounds/${roundId}/notes`, {
      areaId: 'udvikling',
      text: 'Vi har prøvet mentorordning',
    });
    expect(note.status).toBe(201);
    expect(JSON.stringify((await stateOf(b)).stepView)).toContain('Vi har prøvet mentorordning');

    await command(fac, roundId, { type: 'next', from: 'status' });
    await command(fac, roundId, { type: 'openNextCard' });
    const first = 'mentorordninger';
    const votes: [Browser, number][] = [
      [a, 2],
      [b, 4],
      [c, 5],
    ];
    for (const [who, value] of votes) {
      const reply = await who.post<{ ok: true; outcome: string; view: CardVoteView }>(
        `/api/rounds/${roundId}/vote`,
        { cardId: first, value },
      );
      expect(reply.status).toBe(200);
      expect(reply.body.outcome).toBe('recorded');
      expect(reply.body.view.yourVote).toContain(String(value));
    }
    // While open: counts only, never a distribution, and each sees only their own vote.
    const [sa, sb, sf] = [await stateOf(a), await stateOf(b), await stateOf(fac)];
    const open = cardOf(sa, first) as CardVoteView;
    expect(open.kind).toBe('cardVote');
    expect(open.progress.done).toBe(3);
    expect(open.yourVote).toMatch(/\b2\b/);
    expect((cardOf(sb, first) as CardVoteView).yourVote).toMatch(/\b4\b/);
    expect((cardOf(sf, first) as CardVoteView).yourVote).toBeUndefined();
    for (const state of [sa, sb, sf]) expect(JSON.stringify(state)).not.toContain('distribution');
    expect(shared(sa)).toEqual(shared(sb));
    expect(sf.facilitator?.progress?.done).toBe(3);

    // Closing releases it (n = 3 ≥ k); the next card gets only two votes.
    await command(fac, roundId, { type: 'openNextCard' });
    const released = cardOf(await stateOf(c), first) as CardResultView;
    expect(released.kind).toBe('cardResult');
    expect(released.released).toBe(true);
    expect(released.text).toContain('3,7');
    expect(released.distribution?.map((d) => d.count)).toEqual([0, 1, 0, 1, 1]);
    const second = 'kompetenceudvikling-for-ledere';
    await a.post(`/api/rounds/${roundId}/vote`, { cardId: second, value: 1 });
    await b.post(`/api/rounds/${roundId}/vote`, { cardId: second, value: 'na' });
    await command(fac, roundId, { type: 'closeCard', cardId: second });
    const withheld = cardOf(await stateOf(a), second) as CardResultView;
    expect(withheld.released).toBe(false);
    expect(withheld.distribution).toBeUndefined();
    expect(withheld.text).toMatch(/færre end 3/);
    const late = (await c.post(`/api/rounds/${roundId}/vote`, {
      cardId: second,
      value: 3,
    })) as ErrorReply;
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('card_closed');

    const mission = (await stateOf(a)).maaloversigt.areas[0]?.missions[0];
    expect(mission?.cards.map((card) => [card.id, card.score])).toEqual([
      [first, '3,7'],
      [second, null],
    ]);

    // Step 5: an own initiative, rated like the others.
    await command(fac, roundId, { type: 'next' });
    const custom = await b.post<{ cardId: string }>(`/api/rounds/${roundId}/custom-cards`, {
      missionId: 'ledere',
      title: 'Fredagsfrokost med ledelsen',
    });
    expect(custom.status).toBe(201);
    const customId = custom.body.cardId;
    await command(fac, roundId, { type: 'openCard', cardId: customId });
    for (const who of [a, b, c]) {
      await who.post(`/api/rounds/${roundId}/vote`, { cardId: customId, value: 4 });
    }
    await command(fac, roundId, { type: 'closeCard', cardId: customId });
    expect((cardOf(await stateOf(a), customId) as CardResultView).released).toBe(true);

    // Step 6: priorities, each sees their own picks only.
    await command(fac, roundId, { type: 'next' });
    const picks = await a.post(`/api/rounds/${roundId}/priorities`, {
      cardIds: [first, customId],
    });
    expect(picks.status).toBe(200);
    expect((await stateOf(a)).priority).toMatchObject({ kind: 'priority' });
    expect(JSON.stringify((await stateOf(a)).priority)).toContain('Dine valg');
    expect(JSON.stringify((await stateOf(b)).priority)).not.toContain('Dine valg');
    const tooMany = (await b.post(`/api/rounds/${roundId}/priorities`, {
      cardIds: [first, second, customId, 'interne-lederfora'],
    })) as ErrorReply;
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('too_many_priorities');
    await b.post(`/api/rounds/${roundId}/priorities`, { cardIds: [first] });
    await c.post(`/api/rounds/${roundId}/priorities`, { cardIds: [first, customId] });

    // Step 7: the summary and the follow-up plan.
    await command(fac, roundId, { type: 'next' });
    const summary = await stateOf(a);
    expect(summary.step).toBe('summary');
    expect(summary.priority).toBeUndefined();
    const item = await fac.post<{ itemId: string }>(`/api/rounds/${roundId}/command`, {
      type: 'addPlanItem',
      what: 'Mentorordning for nye ledere',
      goal: 'Alle nye ledere har en mentor',
      actions: 'Find tre mentorer',
      owner: { name: 'Mette' },
      due: '2027-01-15',
      link: { kind: 'card', id: first },
    });
    expect(item.status).toBe(201);
    const itemId = item.body.itemId;
    expect((await stateOf(b)).plan.items.map((i) => [i.what, i.owner, i.dueIso])).toEqual([
      ['Mentorordning for nye ledere', 'Mette', '2027-01-15'],
    ]);
    const byParticipant = (await a.post(`/api/rounds/${roundId}/plan/${itemId}`, {
      action: 'done',
    })) as ErrorReply;
    expect(byParticipant.status).toBe(403);
    expect(
      (await fac.post(`/api/rounds/${roundId}/plan/${itemId}`, { action: 'postpone' })).status,
    ).toBe(200);
    expect((await stateOf(a)).plan.items[0]?.dueIso).toBe('2027-01-22');
    await fac.post(`/api/rounds/${roundId}/plan/${itemId}`, { action: 'done' });
    expect((await stateOf(a)).plan.items[0]?.status).toBe('done');

    await command(fac, roundId, { type: 'next' });
    expect((await stateOf(a)).status).toBe('ended');

    // The outputs of step 7.
    const csv = await fetch(`${s.url}/api/rounds/${roundId}/summary.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.csv"$/);
    expect(await csv.text()).toContain('Mentorordninger');
    const png = await fetch(`${s.url}/api/rounds/${roundId}/maaloversigt.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const kinds: [string, string][] = [
      ['maaloversigt.svg', 'image/svg+xml'],
      ['minutes.md', 'text/markdown'],
      ['plan.ics', 'text/calendar'],
      ['qr.svg', 'image/svg+xml'],
    ];
    for (const [file, type] of kinds) {
      const res = await fetch(`${s.url}/api/rounds/${roundId}/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toContain(type);
      expect((await res.text()).length, file).toBeGreaterThan(20);
    }
  });
});
