/**
 * Issue 8, item 7: one voter clicking 100 times in parallel is counted once.
 * On the web (real HTTP, one participant cookie, SQLite) and on real Redis
 * with the 100 clicks spread over three instances. The clicks carry
 * different values: whichever lands last is the one ballot, and after the
 * close the tally holds exactly that one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vote } from '../../src/app/voting.ts';
import { cardBox } from '../../src/core/model.ts';
import { describeWithRedis, redisReachable } from '../fixtures/redis.ts';
import { command, createRound, joinAll, type Running, startServer } from '../web/harness.ts';
import { openCardRound, useInstances, webPerson } from './redis-apps.ts';

const CLICKS = 100;
const ratingOf = (i: number) => (i % 5) + 1;

describe('one web voter, 100 clicks at once', () => {
  let s: Running;
  beforeAll(async () => {
    // Room for all 100 in the client's ballot bucket: the store, not the rate limit, is under test.
    s = await startServer({ rateLimits: { ballot: { capacity: 1000, windowMs: 60_000 } } });
  });
  afterAll(() => s.stop());

  it('answers each click and keeps one ballot; the tally after the close is that one', async () => {
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const [voter] = await joinAll(s.url, roundId, 1);
    if (!voter) throw new Error('a voter');
    const cardId = 'mentorordninger';

    const replies = await Promise.all(
      Array.from({ length: CLICKS }, (_, i) =>
        voter.post(`/api/rounds/${roundId}/vote`, { cardId, value: ratingOf(i) }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect(await s.ballots(roundId, cardId)).toBe(1);
    const counts = await s.app.store.counts(roundId);
    expect(counts.participants).toBe(1);
    // The participant id is the cookie; the web channel's identity is ('web', 'local', id).
    const userId = voter.cookie?.split('=')[1] ?? '';
    const mine = await s.app.service.ballotOf(
      roundId,
      { platform: 'web', tenant: 'local', userId },
      cardBox(cardId),
    );
    expect([1, 2, 3, 4, 5]).toContain(mine);

    await command(facilitator, roundId, { type: 'closeCard', cardId });
    const tally = (await s.app.store.counts(roundId)).tallies[cardBox(cardId)];
    expect(tally).toEqual({ ballots: 1, counts: { [String(mine)]: 1 } });
  });
});

const up = await redisReachable();

describeWithRedis('one voter, 100 clicks at once over three instances on Redis', up, () => {
  const redis = useInstances(3);

  it('keeps one ballot and one participant; the sealed tally is that one ballot', async () => {
    const at = redis().at;
    const facilitator = webPerson(0);
    const { roundId, cardId } = await openCardRound(at(0), facilitator);
    const voter = webPerson(1);

    const results = await Promise.all(
      Array.from({ length: CLICKS }, (_, i) =>
        vote(at(i).service, roundId, voter, cardId, ratingOf(i)),
      ),
    );
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // Exactly one ballot was new; the others changed it or left it as it was.
    const outcomes = results.map((r) => (r.ok ? r.value.outcome : 'refused'));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    const counts = await at(1).store.counts(roundId);
    expect(counts.ballots[cardBox(cardId)]).toBe(1);
    expect(counts.participants).toBe(1);
    const last = await at(2).service.ballotOf(roundId, voter, cardBox(cardId));

    const closed = await at(2).service.command(roundId, facilitator, { type: 'closeCard', cardId });
    expect(closed.ok).toBe(true);
    const tally = (await at(0).store.counts(roundId)).tallies[cardBox(cardId)];
    expect(tally).toEqual({ ballots: 1, counts: { [String(last)]: 1 } });
  });
});
