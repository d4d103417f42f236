/**
 * Log redaction on the web channel: a whole round through the real HTTP
 * server (three phones with their cookies, the facilitator with the secret
 * from the link), with refusals, a store outage and the exports, every log
 * line captured at trace level. No line may hold a participant id (the
 * cookie), the facilitator secret, a voter key, the app secret, any text
 * typed into the round, or a field that ties a vote to a voter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/app/identity.ts';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import {
  type Browser,
  command,
  createRound,
  type ErrorReply,
  joinAll,
  type Running,
  SECRET,
  startServer,
} from '../web/harness.ts';
import { type CapturedLogs, captureLogs, expectCleanLogs, TYPED_TEXTS } from './log-capture.ts';

/** Free text typed into the round (more than TYPED_TEXTS on this channel). */
const TYPED = {
  ...TYPED_TEXTS,
  owner: 'Zebulon Quarkmann',
};

const FIRST = 'mentorordninger';

let s: Running;
let logs: CapturedLogs;
let store: FlakyStore;
beforeAll(async () => {
  logs = captureLogs();
  s = await startServer({ logger: logs.logger });
  store = flakyStore(s.app.store);
});
afterAll(async () => {
  store.up();
  await s.stop();
});

const pidOf = (b: Browser) => (b.cookie ?? '').replace(/^dr_pid=/, '');

describe('web: the logs of a whole round name nobody', () => {
  it('start, join, notes, votes, refusals, an outage, own initiative, priorities, plan, exports', async () => {
    const { roundId, facilitator: fac } = await createRound(s.url, { scope: 'udvikling' });
    const people = await joinAll(s.url, roundId, 3);
    const [a, b, c] = people as [Browser, Browser, Browser];
    const path = (p: string) => `/api/rounds/${roundId}/${p}`;

    await command(fac, roundId, { type: 'next', from: 'intro' });
    await command(fac, roundId, { type: 'next', from: 'scope' });
    expect((await a.post(path('notes'), { areaId: 'udvikling', text: TYPED.note })).status).toBe(
      201,
    );
    await command(fac, roundId, { type: 'next', from: 'status' });
    await command(fac, roundId, { type: 'openNextCard' });
    for (const [who, value] of [
      [a, 2],
      [b, 4],
      [c, 5],
    ] as const) {
      expect((await who.post(path('vote'), { cardId: FIRST, value })).status).toBe(200);
    }

    // Mistakes: a vote that is no rating, a participant steering the round.
    const bad = (await a.post(path('vote'), { cardId: FIRST, value: TYPED.badVote })) as ErrorReply;
    expect(bad.body.error.code).toBe('invalid_rating');
    const steering = (await b.post(path('command'), {
      type: 'closeCard',
      cardId: FIRST,
    })) as ErrorReply;
    expect(steering.status).toBe(403);

    // The store goes away for one vote: 503, and the failure is logged.
    store.down();
    try {
      expect((await c.post(path('vote'), { cardId: FIRST, value: 1 })).status).toBe(503);
    } finally {
      store.up();
    }

    await command(fac, roundId, { type: 'closeCard', cardId: FIRST });
    await command(fac, roundId, { type: 'next', from: 'rating' });
    const custom = await b.post<{ cardId: string }>(path('custom-cards'), {
      missionId: 'ledere',
      title: TYPED.customTitle,
      description: TYPED.customDescription,
    });
    expect(custom.status).toBe(201);
    await command(fac, roundId, { type: 'openCard', cardId: custom.body.cardId });
    for (const who of people) {
      await who.post(path('vote'), { cardId: custom.body.cardId, value: 3 });
    }
    await command(fac, roundId, { type: 'closeCard', cardId: custom.body.cardId });

    await command(fac, roundId, { type: 'next', from: 'custom' });
    for (const who of people) {
      expect((await who.post(path('priorities'), { cardIds: [custom.body.cardId] })).status).toBe(
        200,
      );
    }
    await command(fac, roundId, { type: 'next', from: 'priority' });
    const item = await fac.post<{ itemId: string }>(path('command'), {
      type: 'addPlanItem',
      what: TYPED.what,
      goal: TYPED.goal,
      actions: TYPED.actions,
      owner: { name: TYPED.owner },
      due: '2027-01-15',
      link: { kind: 'card', id: FIRST },
    });
    expect(item.status).toBe(201);
    expect((await a.post(path(`plan/${item.body.itemId}`), { action: 'done' })).status).toBe(403);
    await fac.post(path(`plan/${item.body.itemId}`), { action: 'done' });
    await command(fac, roundId, { type: 'next', from: 'summary' });

    // Everything typed reached the round: the minutes carry it.
    const minutes = await (await fetch(`${s.url}${path('minutes.md')}`)).text();
    for (const text of [TYPED.customTitle, TYPED.what, TYPED.owner]) {
      expect(minutes).toContain(text);
    }
    expect((await s.app.store.load(roundId))?.state.statusNotes[0]?.text).toBe(TYPED.note);

    // The logs: something was captured, the outage among it, and nothing personal.
    const identities: Identity[] = [
      ...people.map((p) => ({ platform: 'web' as const, tenant: 'local', userId: pidOf(p) })),
      { platform: 'web', tenant: 'local', userId: `facilitator:${fac.secret ?? ''}` },
    ];
    const forbidden: Record<string, string> = {
      'app secret': SECRET,
      'facilitator secret': fac.secret ?? '',
    };
    for (const [i, who] of identities.entries()) {
      forbidden[`participant id ${i}`] = who.userId;
      forbidden[`voter key ${i}`] = s.app.service.keyOf(roundId, who);
    }
    expectCleanLogs(logs.lines, {
      logged: ['round started', 'web request failed'],
      forbidden,
      typed: TYPED,
    });
  });
});
