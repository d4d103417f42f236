/**
 * Issue 8, item 8: votes racing the card's close. Every vote acknowledged as
 * counted is in the tally, with its value; no vote lands after the close.
 * tests/app/round-service.test.ts races them on one SQLite process; here:
 *
 * - votes whose check passed before the close but whose write reaches the
 *   store after it (held there on purpose), on three Redis instances and on
 *   the web channel (SQLite, HTTP): refused as card_closed, never counted,
 *   never lost silently;
 * - three instances on real Redis, 60 voters changing their votes while the close comes;
 * - the web channel over HTTP: 60 phones voting while the facilitator closes.
 *
 * The last two do not decide which votes win the race (no timing is
 * asserted); whatever the interleaving, acknowledged and counted must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vote } from '../../src/app/voting.ts';
import { cardBox, type Tally } from '../../src/core/model.ts';
import type { RoundStore } from '../../src/core/ports.ts';
import { describeWithRedis, redisReachable } from '../fixtures/redis.ts';
import {
  type Browser,
  command,
  createRound,
  type ErrorReply,
  joinAll,
  type Running,
  startServer,
} from '../web/harness.ts';
import { openCardRound, useInstances, webPerson } from './redis-apps.ts';

const ratingOf = (i: number) => (i % 5) + 1;

/** The tally the acknowledged votes make: one ballot each, by value. */
function tallyOf(values: readonly number[]): Tally {
  const counts: Record<string, number> = {};
  for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  return { ballots: values.length, counts };
}

/**
 * Starts `votes`, holds each one's write to the store until `close` has
 * finished (their checks already saw the card open), then lets them write.
 */
async function writtenAfterClose<T>(
  store: Pick<RoundStore, 'castBallot'>,
  votes: (() => Promise<T>)[],
  close: () => Promise<void>,
): Promise<T[]> {
  const castBallot = store.castBallot.bind(store);
  let release: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  store.castBallot = async (...args) => {
    held += 1;
    await closed;
    return castBallot(...args);
  };
  try {
    const started = votes.map((v) => v());
    while (held < votes.length) await new Promise((resolve) => setTimeout(resolve, 5));
    await close();
    release();
    return await Promise.all(started);
  } finally {
    store.castBallot = castBallot;
    release();
  }
}

const up = await redisReachable();

describeWithRedis('votes racing the close on three Redis instances', up, () => {
  const redis = useInstances(3);
  const at = (i: number) => redis().at(i);

  it('a vote checked before the close but written after it is refused, and not counted', async () => {
    const facilitator = webPerson(0);
    const { roundId, cardId } = await openCardRound(at(0), facilitator);
    // Before the race: five votes on instance B, acknowledged.
    for (let i = 1; i <= 5; i++) {
      expect((await vote(at(1).service, roundId, webPerson(i), cardId, 4)).ok).toBe(true);
    }
    // Instance A checks ten votes against the open card, then its writes wait for the close.
    const results = await writtenAfterClose(
      at(0).store,
      Array.from(
        { length: 10 },
        (_, i) => () =>
          vote(at(0).service, roundId, webPerson(100 + i), cardId, 1).then((r) =>
            r.ok ? 'ok' : r.error.code,
          ),
      ),
      async () => {
        const close = await at(2).service.command(roundId, facilitator, {
          type: 'closeCard',
          cardId,
        });
        expect(close.ok).toBe(true);
      },
    );
    expect(results).toEqual(results.map(() => 'card_closed'));
    const counts = await at(1).store.counts(roundId);
    expect(counts.tallies[cardBox(cardId)]).toEqual({ ballots: 5, counts: { '4': 5 } });
    expect(counts.ballots[cardBox(cardId)]).toBeUndefined();
  });

  it('60 voters changing their vote three times while the close comes: each one’s last acknowledged vote counts', async () => {
    const facilitator = webPerson(0);
    const { roundId, cardId } = await openCardRound(at(0), facilitator);
    const nthVote = (voter: number, n: number) => ((voter + n) % 5) + 1;
    let acknowledged = 0;
    let closing: Promise<unknown> | undefined;
    const lastCounted = await Promise.all(
      Array.from({ length: 60 }, async (_, voter) => {
        let last: number | undefined;
        // Each vote on the next instance; the close starts once a third of all votes are in.
        for (let n = 0; n < 3; n++) {
          const result = await vote(
            at(voter + n).service,
            roundId,
            webPerson(voter + 1),
            cardId,
            nthVote(voter, n),
          );
          acknowledged += 1;
          if (acknowledged === 60) {
            closing = at(2).service.command(roundId, facilitator, { type: 'closeCard', cardId });
          }
          if (result.ok) last = nthVote(voter, n);
          else expect(result.error.code).toBe('card_closed');
        }
        return last;
      }),
    );
    expect(await closing).toMatchObject({ ok: true });
    const counted = lastCounted.filter((v): v is number => v !== undefined);
    const tally = (await at(1).store.counts(roundId)).tallies[cardBox(cardId)];
    expect(tally).toEqual(tallyOf(counted));
    // After the close nothing lands.
    const after = await vote(at(0).service, roundId, webPerson(999), cardId, 5);
    expect(after.ok ? 'ok' : after.error.code).toBe('card_closed');
    expect((await at(2).store.counts(roundId)).tallies[cardBox(cardId)]).toEqual(tally);
  });
});

describe('votes racing the close on the web channel (HTTP)', () => {
  let s: Running;
  beforeAll(async () => {
    // 60 phones behind one test address: room in the per-client buckets.
    const room = { capacity: 1000, windowMs: 60_000 };
    s = await startServer({ rateLimits: { join: room, ballot: room } });
  });
  afterAll(() => s.stop());

  it('a vote checked before the close but written after it gets 409 card_closed and is not counted', async () => {
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    const phones = await joinAll(s.url, roundId, 8);
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const cardId = 'mentorordninger';
    for (const phone of phones.slice(0, 3)) {
      expect((await phone.post(`/api/rounds/${roundId}/vote`, { cardId, value: 2 })).status).toBe(
        200,
      );
    }
    const statuses = await writtenAfterClose(
      s.app.store,
      phones
        .slice(3)
        .map(
          (phone) => () =>
            phone.post(`/api/rounds/${roundId}/vote`, { cardId, value: 5 }).then((r) => r.status),
        ),
      async () => {
        await command(facilitator, roundId, { type: 'closeCard', cardId });
      },
    );
    expect(statuses).toEqual([409, 409, 409, 409, 409]);
    const counts = await s.app.store.counts(roundId);
    expect(counts.tallies[cardBox(cardId)]).toEqual({ ballots: 3, counts: { '2': 3 } });
  });

  it('every vote answered 200 is counted with its value; the rest get 409 card_closed', async () => {
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    const phones = await joinAll(s.url, roundId, 60);
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const cardId = 'mentorordninger';
    let answered = 0;
    let closing: Promise<unknown> | undefined;
    const replies = await Promise.all(
      phones.map(async (phone: Browser, i) => {
        const reply = await phone.post(`/api/rounds/${roundId}/vote`, {
          cardId,
          value: ratingOf(i),
        });
        answered += 1;
        if (answered === 20) {
          closing = command(facilitator, roundId, { type: 'closeCard', cardId });
        }
        return { i, reply };
      }),
    );
    await closing;
    const counted = replies.filter((r) => r.reply.status === 200).map((r) => ratingOf(r.i));
    for (const { reply } of replies.filter((r) => r.reply.status !== 200)) {
      expect(reply.status).toBe(409);
      expect((reply as ErrorReply).body.error.code).toBe('card_closed');
    }
    expect(counted.length).toBeGreaterThanOrEqual(20);
    const tally = (await s.app.store.counts(roundId)).tallies[cardBox(cardId)];
    expect(tally).toEqual(tallyOf(counted));
    // Nothing lands after the close, from anybody.
    const late = (await phones[0]?.post(`/api/rounds/${roundId}/vote`, { cardId, value: 5 })) as
      | ErrorReply
      | undefined;
    expect(late?.status).toBe(409);
    expect((await s.app.store.counts(roundId)).tallies[cardBox(cardId)]).toEqual(tally);
  });
});
