/**
 * The store goes away (as Redis does when it is down: node-redis without an
 * offline queue rejects at once, our store wraps that as a StoreError) while
 * people use a web round, through the real server. Each request is answered
 * at once with 503, `Retry-After` and the polite "not saved, try again"
 * message; nothing changes; once the store is back, the same request works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n/index.ts';
import type { CardVoteView } from '../../src/core/views/types.ts';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import {
  type Browser,
  command,
  createRound,
  type ErrorReply,
  joinAll,
  type Running,
  startServer,
} from './harness.ts';

/** Both languages: the web answer does not know the round's language when the store is down. */
const UNAVAILABLE = `${t('da', 'error.unavailable')} / ${t('en', 'error.unavailable')}`;
const CARD = 'mentorordninger';

/** The 503 of an unreachable store: Retry-After, code and the message in both languages. */
function expectUnavailable(reply: ErrorReply): void {
  expect(reply.status).toBe(503);
  expect(reply.headers.get('retry-after')).toBe('5');
  expect(reply.body.error.message).toContain('Dialogrunde kan ikke nå sine data lige nu');
  expect(reply.body).toEqual({
    ok: false,
    error: { code: 'unavailable', message: UNAVAILABLE },
  });
}

let s: Running;
let store: FlakyStore;
beforeAll(async () => {
  s = await startServer();
  store = flakyStore(s.app.store);
});
afterAll(async () => {
  store.up();
  await s.stop();
});

describe('web while the store cannot be reached', () => {
  let roundId: string;
  let fac: Browser;
  let voter: Browser;
  let version: number | undefined;

  beforeAll(async () => {
    ({ roundId, facilitator: fac } = await createRound(s.url, { scope: 'udvikling' }));
    [voter] = (await joinAll(s.url, roundId, 1)) as [Browser];
    for (const from of ['intro', 'scope', 'status'])
      await command(fac, roundId, { type: 'next', from });
    await command(fac, roundId, { type: 'openNextCard' });
    version = (await s.app.store.load(roundId))?.version;
  });

  it('a ballot: 503 with Retry-After and the polite message at once; no ballot stored', async () => {
    store.down();
    try {
      const started = Date.now();
      expectUnavailable(
        await voter.post(`/api/rounds/${roundId}/vote`, { cardId: CARD, value: 4 }),
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      store.up();
    }
    expect(await s.ballots(roundId, CARD)).toBe(0);
    expect((await s.app.store.counts(roundId)).participants).toBe(1);
  });

  it('a facilitator command and the state: 503 as well; the round did not move', async () => {
    store.down();
    try {
      expectUnavailable(
        await fac.post(`/api/rounds/${roundId}/command`, { type: 'closeCard', cardId: CARD }),
      );
      expectUnavailable(await voter.get(`/api/rounds/${roundId}/state`));
    } finally {
      store.up();
    }
    const saved = await s.app.store.load(roundId);
    expect(saved?.version).toBe(version);
    expect(saved?.state.cards[CARD]).toBe('open');
  });

  it('once the store is back, the same voter’s ballot counts, once', async () => {
    const reply = await voter.post<{ ok: true; outcome: string; view: CardVoteView }>(
      `/api/rounds/${roundId}/vote`,
      { cardId: CARD, value: 4 },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe('recorded');
    expect(reply.body.view.yourVote).toContain('4');
    expect(await s.ballots(roundId, CARD)).toBe(1);
    expect((await voter.state(roundId)).body.participants).toBe(1);
  });
});
