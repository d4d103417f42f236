import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RoundStateResponse } from '../../src/channels/web/api-types.ts';
import type { CardResultView, CardVoteView } from '../../src/core/views/types.ts';
import { deleteKeys, describeWithRedis, REDIS_URL, redisReachable } from '../fixtures/redis.ts';
import {
  type ApiErrorBody,
  type Bot,
  command,
  createRound,
  ipOf,
  Person,
  type Reply,
  startBot,
} from './fixtures/bot.ts';

/**
 * Three bot processes (`node src/main.ts`, STORE=redis) on one Redis, one
 * prefix, one secret. One web round: 100 voters each vote three times on one
 * card, every time on another instance, all voters at once; the tally after
 * closing counts each voter's last vote once. 1,000 voters voting at once
 * are all counted, tally and voter count exact. Facilitator transitions raced
 * from two instances are applied once.
 */
const PREFIX = `dialogrunde-test:${randomUUID()}:`;
const VOTERS = 100;
/** The crowd of the 1,000-voter test (issue 8, item 6). */
const CROWD = 1000;
const CARD = 'mentorordninger';

/** Voter i's three votes, in order; the last one must be what counts. */
const votesOf = (i: number): [number, number, number] => [
  ((i + 2) % 5) + 1,
  ((i * 7) % 5) + 1,
  // Skewed on purpose, so that a wrong vote counted shows in the distribution.
  i % 10 < 4 ? 5 : i % 10 < 7 ? 4 : i % 10 < 9 ? 2 : 1,
];

/** A facilitator command's answer. */
type CommandReply = { ok: true; duplicate: boolean } | ApiErrorBody;

const cardOf = (state: RoundStateResponse, cardId: string) =>
  state.cards.find((c) => c.cardId === cardId);

/** The page as everyone sees it: without what is personal. */
const shared = (state: RoundStateResponse): unknown =>
  JSON.parse(JSON.stringify(state), (key, value) =>
    key === 'yourVote' || key === 'yours' ? undefined : value,
  );

const up = await redisReachable();

describeWithRedis('three instances on one Redis', up, () => {
  let bots: Bot[] = [];
  const base = (i: number) => (bots[i % bots.length] as Bot).url;

  beforeAll(async () => {
    const env = { STORE: 'redis', REDIS_URL, REDIS_PREFIX: PREFIX };
    const started = await Promise.allSettled(
      ['bot-a', 'bot-b', 'bot-c'].map((name) => startBot(name, env)),
    );
    bots = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await deleteKeys(REDIS_URL, PREFIX);
  }, 30_000);

  it('counts each of 100 voters once, with their last of three votes cast on three instances', async () => {
    const started = Date.now();
    const { roundId, facilitator: fac } = await createRound(base(0), {
      lang: 'da',
      scope: 'udvikling',
      k: 3,
    });
    const voters = Array.from({ length: VOTERS }, (_, i) => new Person(ipOf(i)));
    // Everyone joins at once, spread over the instances.
    const joins = await Promise.all(
      voters.map((v, i) => v.post(base(i), `/api/rounds/${roundId}/join`)),
    );
    expect(joins.map((j) => j.status)).toEqual(voters.map(() => 200));
    expect(voters.every((v) => v.cookie)).toBe(true);

    // To rating, each step from another instance; then the card opens.
    await command(fac, base(0), roundId, { type: 'next', from: 'intro' });
    const second = (await fac.state(base(1), roundId)).body.step;
    await command(fac, base(1), roundId, { type: 'next', from: second });
    await command(fac, base(2), roundId, { type: 'next', from: 'status' });
    expect((await fac.state(base(0), roundId)).body.step).toBe('rating');
    await command(fac, base(1), roundId, { type: 'openCard', cardId: CARD });

    // 300 votes: each voter three in a row (each on the next instance), all voters at once.
    const votes = await Promise.all(
      voters.map(async (v, i) => {
        const replies: Reply<{ ok: boolean; outcome?: string }>[] = [];
        for (const [j, value] of votesOf(i).entries()) {
          replies.push(
            await v.post(base(i + j), `/api/rounds/${roundId}/vote`, { cardId: CARD, value }),
          );
        }
        return replies;
      }),
    );
    const statuses = votes.flat().map((r) => r.status);
    expect(
      statuses.filter((s) => s !== 200),
      'votes not accepted',
    ).toEqual([]);
    expect(statuses).toHaveLength(3 * VOTERS);

    // Every instance sees the same round: 100 participants, 100 have voted, own last vote.
    const states = await Promise.all([0, 1, 2].map((i) => fac.state(base(i), roundId)));
    for (const s of states) {
      expect(s.status).toBe(200);
      expect(s.body.participants).toBe(VOTERS);
      expect(s.body.facilitator?.progress?.done).toBe(VOTERS);
      expect((cardOf(s.body, CARD) as CardVoteView).progress.done).toBe(VOTERS);
    }
    for (const i of [0, 1, 41, 99]) {
      const mine = (await (voters[i] as Person).state(base(i + 2), roundId)).body;
      const last = votesOf(i)[2];
      expect((cardOf(mine, CARD) as CardVoteView).yourVote).toMatch(new RegExp(`\\b${last}\\b`));
    }

    // closeCard raced from two instances at once: applied once.
    const closes = await Promise.all(
      [1, 2].map((i) =>
        fac.post<CommandReply>(base(i), `/api/rounds/${roundId}/command`, {
          type: 'closeCard',
          cardId: CARD,
        }),
      ),
    );
    const applied = closes.filter((r) => r.status === 200 && r.body.ok && !r.body.duplicate);
    expect(applied, JSON.stringify(closes)).toHaveLength(1);
    const other = closes.find((r) => r !== applied[0]) as Reply<CommandReply>;
    // The loser is refused by the rules (the card is closed) or reported as a duplicate.
    const refused =
      other.status === 409 && !other.body.ok && other.body.error.code === 'card_closed';
    const duplicate = other.status === 200 && other.body.ok && other.body.duplicate;
    expect(refused || duplicate, JSON.stringify(other)).toBe(true);

    // The tally: each voter's last vote, once.
    const expected = [0, 0, 0, 0, 0];
    for (let i = 0; i < VOTERS; i++) (expected[votesOf(i)[2] - 1] as number) += 1;
    const results = await Promise.all([0, 1, 2].map((i) => voters[i]?.state(base(i), roundId)));
    for (const r of results) {
      const card = cardOf(r?.body as RoundStateResponse, CARD) as CardResultView;
      expect(card.kind).toBe('cardResult');
      expect(card.released).toBe(true);
      expect(card.distribution?.map((d) => d.count)).toEqual(expected);
      expect(card.text).toContain(`${VOTERS} har vurderet`);
    }
    const mean = expected.reduce((sum, n, v) => sum + n * (v + 1), 0) / VOTERS;
    const shown = mean.toFixed(1).replace('.', ',');
    expect((cardOf(results[0]?.body as RoundStateResponse, CARD) as CardResultView).text).toContain(
      shown,
    );
    expect(shared(results[0]?.body as RoundStateResponse)).toEqual(
      shared(results[1]?.body as RoundStateResponse),
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('counts 1,000 voters voting at once on three instances: tally and voter count exact', async () => {
    const { roundId, facilitator: fac } = await createRound(base(1), { lang: 'da', k: 3 });
    // Addresses of their own (after those of the other tests): one phone each.
    const crowd = Array.from({ length: CROWD }, (_, i) => new Person(ipOf(1000 + i)));
    const rating = (i: number) => [5, 4, 4, 3, 2, 1, 5, 3, 4, 'na'][i % 10] as number | 'na';
    const joins = await Promise.all(
      crowd.map((p, i) => p.post(base(i), `/api/rounds/${roundId}/join`)),
    );
    expect(joins.filter((j) => j.status !== 200)).toEqual([]);
    await command(fac, base(0), roundId, { type: 'next', from: 'intro' });
    await command(fac, base(1), roundId, { type: 'next', from: 'scope' });
    await command(fac, base(2), roundId, { type: 'next', from: 'status' });
    await command(fac, base(0), roundId, { type: 'openCard', cardId: CARD });

    // Everyone votes at once, each on another instance than the one they joined on.
    const votes = await Promise.all(
      crowd.map((p, i) =>
        p.post(base(i + 1), `/api/rounds/${roundId}/vote`, { cardId: CARD, value: rating(i) }),
      ),
    );
    expect(votes.filter((v) => v.status !== 200).map((v) => v.status)).toEqual([]);
    for (const i of [0, 1, 2]) {
      const seen = (await fac.state(base(i), roundId)).body;
      expect(seen.participants).toBe(CROWD);
      expect((cardOf(seen, CARD) as CardVoteView).progress.done).toBe(CROWD);
    }

    await command(fac, base(2), roundId, { type: 'closeCard', cardId: CARD });
    const expected = [1, 2, 3, 4, 5].map((v) => crowd.filter((_, i) => rating(i) === v).length);
    const abstained = crowd.filter((_, i) => rating(i) === 'na').length;
    const rated = expected.reduce((a, b) => a + b, 0);
    for (const i of [0, 1, 2]) {
      const state = (await crowd[i]?.state(base(i), roundId))?.body as RoundStateResponse;
      const card = cardOf(state, CARD) as CardResultView;
      expect(card.kind).toBe('cardResult');
      expect(card.distribution?.map((d) => d.count)).toEqual(expected);
      // The voter count as shown: those who rated, and those who said "don't know".
      expect(card.text).toContain(`${rated} har vurderet`);
      expect(card.abstentions).toContain(`${abstained} svarede`);
    }
  }, 120_000);

  it('tells a page streaming from one instance about a vote cast on another', async () => {
    const { roundId, facilitator: fac } = await createRound(base(0), { lang: 'da', k: 3 });
    const [watcher, voter] = [new Person(ipOf(200)), new Person(ipOf(201))];
    for (const p of [watcher, voter]) {
      expect((await p.post(base(0), `/api/rounds/${roundId}/join`)).status).toBe(200);
    }
    await command(fac, base(0), roundId, { type: 'next', from: 'intro' });
    await command(fac, base(0), roundId, { type: 'next', from: 'scope' });
    await command(fac, base(0), roundId, { type: 'next', from: 'status' });
    await command(fac, base(0), roundId, { type: 'openCard', cardId: CARD });

    // The shared screen's stream is held by instance A.
    const abort = new AbortController();
    const stream = await fetch(`${base(0)}/api/rounds/${roundId}/events`, {
      headers: { cookie: watcher.cookie ?? '' },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const versions: string[] = [];
    let text = '';
    const nextVersion = async () => {
      for (;;) {
        const event = /data: *([^\n]+)\n\n/.exec(text);
        if (event) {
          text = text.slice(event.index + event[0].length);
          return event[1] as string;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += new TextDecoder().decode(value);
      }
    };
    versions.push(await nextVersion()); // the current version, sent at once

    // The vote goes to instance B; A's stream hears of it (Redis pub/sub).
    const reply = await voter.post(base(1), `/api/rounds/${roundId}/vote`, {
      cardId: CARD,
      value: 4,
    });
    expect(reply.status).toBe(200);
    const timeout = setTimeout(() => abort.abort(), 10_000);
    try {
      versions.push(await nextVersion());
    } finally {
      clearTimeout(timeout);
      abort.abort();
    }
    expect(versions[1]).not.toEqual(versions[0]);
  }, 60_000);

  it('applies a step transition raced from two instances once', async () => {
    const { roundId, facilitator: fac } = await createRound(base(2), { lang: 'da', k: 3 });
    await command(fac, base(0), roundId, { type: 'next', from: 'intro' });
    const step = (await fac.state(base(1), roundId)).body.step;
    const version = (await fac.state(base(1), roundId)).body.version;

    // "next" from the same page state, pressed on two instances at once.
    const raced = await Promise.all(
      [1, 2].map((i) =>
        fac.post<CommandReply>(base(i), `/api/rounds/${roundId}/command`, {
          type: 'next',
          from: step,
        }),
      ),
    );
    const ok = raced.filter((r) => r.status === 200);
    const refused = raced.filter((r) => r.status === 409);
    expect(ok, JSON.stringify(raced)).toHaveLength(1);
    expect(refused, JSON.stringify(raced)).toHaveLength(1);
    const refusal = refused[0]?.body as ApiErrorBody | undefined;
    expect(refusal?.error.code).toBe('already_moved_on');
    expect(refusal?.error.message.length).toBeGreaterThan(0);
    const after = (await fac.state(base(0), roundId)).body;
    expect(after.step).toBe('status');
    expect(after.version).toBeGreaterThan(version);

    // The same click (one Idempotency-Key) delivered to two instances: one effect, one duplicate.
    const key = randomUUID();
    const twice = await Promise.all(
      [0, 2].map((i) =>
        fac.post<{ ok: boolean; duplicate?: boolean }>(
          base(i),
          `/api/rounds/${roundId}/command`,
          { type: 'next', from: 'status' },
          { 'idempotency-key': key },
        ),
      ),
    );
    expect(twice.map((r) => r.status)).toEqual([200, 200]);
    expect(twice.map((r) => r.body.duplicate).sort()).toEqual([false, true]);
    const final = await Promise.all([0, 1, 2].map((i) => fac.state(base(i), roundId)));
    expect(final.map((s) => s.body.step)).toEqual(['rating', 'rating', 'rating']);
  }, 60_000);
});
