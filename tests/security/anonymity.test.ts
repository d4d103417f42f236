/**
 * Issue 8, item 11: anonymity by construction.
 *
 * - Results are hidden while a card is open and once it closed with fewer
 *   than k ratings: for every participant, the facilitator and a stranger
 *   (the web API the pages and the big screen read).
 * - At rest, once a card closed, nothing ties a voter to a value: in the whole
 *   SQLite database (every table, every row) and in every Redis key of the
 *   round, a voter key appears only in the participants list (who joined),
 *   never next to a vote.
 * - The keyed hash cannot be reversed without the secret: with the database
 *   and the team's roster in hand, hashing the roster the usual ways (SHA-256,
 *   HMAC with guessed secrets) finds no one; with the secret it finds them all.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/app/identity.ts';
import { vote } from '../../src/app/voting.ts';
import type { RoundStateResponse } from '../../src/channels/web/api-types.ts';
import type { RedisClient } from '../../src/store/redis-client.ts';
import { describeWithRedis, redisReachable, scanKeys } from '../fixtures/redis.ts';
import {
  Browser,
  command,
  createRound,
  joinAll,
  type Running,
  startServer,
} from '../web/harness.ts';
import { openCardRound, useInstances, webPerson } from './redis-apps.ts';

const FIRST = 'mentorordninger';

/** What anyone can read of a card: kind, and nothing of a result unless released. */
function cardSeen(state: RoundStateResponse, cardId: string) {
  const card = state.cards.find((c) => c.cardId === cardId);
  if (!card) throw new Error(`card ${cardId} not shown`);
  return card;
}

/** Every row of every table, as JSON text with its table name. */
function dumpSqlite(db: Running['app']['store']['db']): { table: string; row: string }[] {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all()
    .map((r) => String(r.name));
  return tables.flatMap((table) =>
    db
      .prepare(`SELECT * FROM "${table}"`)
      .all()
      .map((row) => ({ table, row: JSON.stringify(row) })),
  );
}

/** Every key under `prefix` with its whole content, as JSON text. */
async function dumpRedis(client: RedisClient, prefix: string) {
  const keys = await scanKeys(client, prefix);
  return Promise.all(
    keys.map(async (key) => {
      const type = await client.type(key);
      const content =
        type === 'hash'
          ? await client.hGetAll(key)
          : type === 'set'
            ? await client.sMembers(key)
            : type === 'zset'
              ? await client.zRange(key, 0, -1)
              : type === 'list'
                ? await client.lRange(key, 0, -1)
                : type === 'string'
                  ? await client.get(key)
                  : type;
      return { key, content: JSON.stringify(content) };
    }),
  );
}

describe('anonymity on the web channel (SQLite)', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.stop());

  it('hides results while open and below k, and keeps no voter next to a vote once closed', async () => {
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling', k: 3 });
    const phones = await joinAll(s.url, roundId, 4);
    const stranger = new Browser(s.url);
    const everyone = [...phones, facilitator, stranger];
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const values = [1, 2, 4, 5];
    for (const [i, phone] of phones.entries()) {
      expect(
        (await phone.post(`/api/rounds/${roundId}/vote`, { cardId: FIRST, value: values[i] }))
          .status,
      ).toBe(200);
    }

    // Open: "n of m" only, for everybody; no distribution, mean or median anywhere.
    for (const who of everyone) {
      const state = (await who.state(roundId)).body;
      expect(cardSeen(state, FIRST).kind).toBe('cardVote');
      const text = JSON.stringify(state);
      expect(text).not.toContain('distribution');
      expect(text).not.toMatch(/Gennemsnit|median/i);
    }

    // The first card closes (4 ratings ≥ k); two people rate the second, which closes below k.
    await command(facilitator, roundId, { type: 'openNextCard' });
    const cards = (await s.app.store.load(roundId))?.state.cards ?? {};
    const SECOND = Object.keys(cards).find((id) => cards[id] === 'open') ?? '';
    for (const phone of phones.slice(0, 2)) {
      await phone.post(`/api/rounds/${roundId}/vote`, { cardId: SECOND, value: 5 });
    }
    await command(facilitator, roundId, { type: 'openNextCard' });
    for (const who of everyone) {
      const state = (await who.state(roundId)).body;
      const first = cardSeen(state, FIRST);
      expect(first.kind === 'cardResult' && first.released).toBe(true);
      const second = cardSeen(state, SECOND);
      expect(second.kind).toBe('cardResult');
      expect(second.kind === 'cardResult' && second.released).toBe(false);
      expect(second).not.toHaveProperty('distribution');
      expect(JSON.stringify(second)).not.toMatch(/Gennemsnit|median/i);
    }

    // At rest: the phones' voter keys appear in the participants table and nowhere else.
    const keys = phones.map((p) =>
      s.app.service.keyOf(roundId, {
        platform: 'web',
        tenant: 'local',
        userId: p.cookie?.split('=')[1] ?? '',
      }),
    );
    const rows = dumpSqlite(s.app.store.db);
    expect(rows.length).toBeGreaterThan(10);
    const withKey = rows.filter((r) => keys.some((k) => r.row.includes(k)));
    expect(new Set(withKey.map((r) => r.table))).toEqual(new Set(['participants']));
    expect(withKey).toHaveLength(4);
    for (const { row } of withKey) {
      expect(row).not.toContain(FIRST);
      expect(row).not.toContain(SECOND);
    }
    // The sealed boxes are counts only.
    const sealed = rows.filter((r) => r.table === 'tallies' && r.row.includes(roundId));
    expect(sealed.map((r) => JSON.parse(r.row).box).sort()).toEqual(
      [`card:${SECOND}`, `card:${FIRST}`].sort(),
    );
    expect(rows.filter((r) => r.table === 'ballots' && r.row.includes(roundId))).toEqual([]);
  });
});

describe('roster enumeration against the keys at rest', () => {
  let s: Running;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.stop());

  it('finds nobody by hashing the roster without the secret, everybody with it', async () => {
    const tenant = 'contoso-tenant-0001';
    const roster = Array.from(
      { length: 40 },
      (_, i) => `0b5e7000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const who = (userId: string): Identity => ({ platform: 'teams', tenant, userId });
    const started = await s.app.service.start(who(roster[0] ?? ''), {
      conversation: { platform: 'teams', tenant, conversationId: '19:roster@thread.tacv2' },
    });
    if (!started.ok) throw new Error(started.error.code);
    const { roundId } = started.value;
    const present = roster.slice(0, 12);
    for (const userId of present)
      expect((await s.app.service.join(roundId, who(userId))).ok).toBe(true);

    // What a copy of the database gives away: the keys, the round id, the platform and tenant.
    const stored = new Set(
      s.app.store.db
        .prepare('SELECT voter_key FROM participants WHERE round_id = ?')
        .all(roundId)
        .map((r) => String(r.voter_key)),
    );
    expect(stored.size).toBe(present.length);

    const message = (userId: string) => ['teams', tenant, userId, roundId].join('\u0000');
    const guesses = ['', 'secret', 'changeme', 'dialogrunde', roundId, tenant];
    const attempts = (userId: string): string[] => [
      userId,
      Buffer.from(message(userId)).toString('base64url'),
      Buffer.from(message(userId)).toString('hex'),
      createHash('sha256').update(message(userId)).digest('base64url'),
      createHash('sha256').update(message(userId)).digest('hex'),
      createHash('sha256').update(`${tenant}:${userId}:${roundId}`).digest('base64url'),
      ...guesses.map((g) => createHmac('sha256', g).update(message(userId)).digest('base64url')),
    ];
    const found = roster.filter((userId) => attempts(userId).some((a) => stored.has(a)));
    expect(found).toEqual([]);
    // Nor does a key carry the id in any reversible form.
    for (const key of stored) {
      const decoded = [key, Buffer.from(key, 'base64url').toString('latin1')].join(' ');
      for (const userId of roster) expect(decoded).not.toContain(userId);
    }
    // The same attack with the deployment's secret (what keyOf uses) finds exactly who joined.
    const withSecret = roster.filter((userId) =>
      stored.has(s.app.service.keyOf(roundId, who(userId))),
    );
    expect(withSecret).toEqual(present);
  });
});

const up = await redisReachable();

describeWithRedis('anonymity at rest on Redis', up, () => {
  const redis = useInstances(2);

  it('keeps voter keys only in the participants set once the card closed', async () => {
    const [a, b] = [redis().at(0), redis().at(1)];
    const facilitator = webPerson(0);
    const { roundId, cardId } = await openCardRound(a, facilitator);
    const voters = [1, 2, 3, 4, 5].map(webPerson);
    for (const [i, voter] of voters.entries()) {
      expect((await vote((i % 2 ? a : b).service, roundId, voter, cardId, (i % 5) + 1)).ok).toBe(
        true,
      );
    }
    // While open the ballots exist (under keys): the check below would see them.
    const before = await dumpRedis(a.store.client, redis().prefix);
    const keys = voters.map((v) => a.service.keyOf(roundId, v));
    expect(before.filter((e) => keys.some((k) => e.content.includes(k))).length).toBeGreaterThan(1);

    expect((await b.service.command(roundId, facilitator, { type: 'closeCard', cardId })).ok).toBe(
      true,
    );
    const after = await dumpRedis(a.store.client, redis().prefix);
    const withKey = after.filter((e) =>
      keys.some((k) => e.content.includes(k) || e.key.includes(k)),
    );
    expect(withKey.map((e) => e.key.slice(e.key.lastIndexOf(':') + 1))).toEqual(['participants']);
    expect(withKey[0]?.content).not.toContain(cardId);
    expect(after.some((e) => e.key.includes(`ballots:card:${cardId}`))).toBe(false);
  });
});
