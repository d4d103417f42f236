import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RoundStateResponse } from '../../src/channels/web/api-types.ts';
import { t } from '../../src/core/i18n/index.ts';
import type { CardResultView, CardVoteView } from '../../src/core/views/types.ts';
import { describeWithRedisServer } from '../fixtures/redis.ts';
import {
  type ApiErrorBody,
  type Bot,
  command,
  createRound,
  ipOf,
  Person,
  type RedisServer,
  startBot,
  startRedisServer,
} from './fixtures/bot.ts';
import { freePort, waitFor } from './fixtures/helpers.ts';

/**
 * One bot (STORE=redis) on a redis-server of this test's own (AOF, fsync
 * always). Votes are acknowledged; Redis is stopped mid-round: a vote is
 * answered within 2 s with 503 and a polite Danish message, /readyz says 503.
 * Redis comes back on the same port and directory: /readyz returns to 200 by
 * itself, voting works again, and every vote acknowledged before the outage
 * is still counted.
 */
const CARD = 'mentorordninger';
const PREFIX = `dialogrunde-test:${randomUUID()}:`;

const cardOf = (state: RoundStateResponse, cardId: string) =>
  state.cards.find((c) => c.cardId === cardId);

describeWithRedisServer('a Redis outage mid-round', (binary) => {
  let dir = '';
  let port = 0;
  let redis: RedisServer | undefined;
  let bot: Bot | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-redis-outage-'));
    port = await freePort();
    redis = await startRedisServer(binary, port, dir);
    bot = await startBot('bot', {
      STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: PREFIX,
    });
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await redis?.proc.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('answers 503 while Redis is down, recovers by itself, and keeps every acknowledged vote', async () => {
    const started = Date.now();
    const url = (bot as Bot).url;
    const readyz = async () => (await fetch(`${url}/readyz`)).status;
    expect(await readyz()).toBe(200);

    const { roundId, facilitator: fac } = await createRound(url, {
      lang: 'da',
      scope: 'udvikling',
      k: 3,
    });
    const people = Array.from({ length: 6 }, (_, i) => new Person(ipOf(i)));
    for (const p of people) {
      expect((await p.post(url, `/api/rounds/${roundId}/join`)).status).toBe(200);
    }
    await command(fac, url, roundId, { type: 'next', from: 'intro' });
    await command(fac, url, roundId, { type: 'next', from: 'scope' });
    await command(fac, url, roundId, { type: 'next', from: 'status' });
    await command(fac, url, roundId, { type: 'openCard', cardId: CARD });

    // Acknowledged before the outage.
    const before = [5, 4, 4, 2];
    for (const [i, value] of before.entries()) {
      const reply = await (people[i] as Person).post(url, `/api/rounds/${roundId}/vote`, {
        cardId: CARD,
        value,
      });
      expect(reply.status).toBe(200);
    }

    // Redis goes away (SIGTERM: it flushes its AOF and exits).
    await (redis as RedisServer).stop();
    const during = people[4] as Person;
    const t0 = Date.now();
    const refused = await during.post<ApiErrorBody>(url, `/api/rounds/${roundId}/vote`, {
      cardId: CARD,
      value: 1,
    });
    const took = Date.now() - t0;
    expect(refused.status).toBe(503);
    expect(took).toBeLessThan(2000);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.error.message.length).toBeGreaterThan(0);
    expect(refused.body.error.message).toContain(t('da', 'error.unavailable'));
    const r0 = Date.now();
    expect(await readyz()).toBe(503);
    expect(Date.now() - r0).toBeLessThan(2000);

    // Back on the same port and directory: the bot reconnects by itself.
    redis = await startRedisServer(binary, port, dir);
    await waitFor('/readyz to answer 200 again', async () => (await readyz()) === 200, 10_000, 100);

    const after: [number, number][] = [
      [4, 1],
      [5, 3],
    ];
    for (const [i, value] of after) {
      const reply = await (people[i] as Person).post(url, `/api/rounds/${roundId}/vote`, {
        cardId: CARD,
        value,
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    }
    const open = (await fac.state(url, roundId)).body;
    expect(open.participants).toBe(6);
    expect(open.facilitator?.progress?.done).toBe(6);
    expect((cardOf(open, CARD) as CardVoteView).progress.done).toBe(6);

    await command(fac, url, roundId, { type: 'closeCard', cardId: CARD });
    const result = cardOf((await fac.state(url, roundId)).body, CARD) as CardResultView;
    const counted = [0, 0, 0, 0, 0];
    for (const v of [...before, ...after.map(([, v]) => v)]) (counted[v - 1] as number) += 1;
    expect(result.kind).toBe('cardResult');
    expect(result.released).toBe(true);
    expect(result.distribution?.map((d) => d.count)).toEqual(counted);
    expect(result.text).toContain('6 har vurderet');
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
