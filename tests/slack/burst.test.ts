/**
 * Forty people vote on one card within one second: the count is right, the
 * channel message is edited a handful of times (at most once per 2 s), and
 * every 429 Slack answers is retried after its Retry-After. Time is virtual
 * (the outbox's ManualScheduler); no assertion depends on the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { button, openFirstCard } from './driving.ts';
import {
  actionBody,
  CHANNEL,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  startWorld,
  type World,
} from './harness.ts';

describe('Slack channel: a burst of 40 votes', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('gives the right final count with few chat.update calls and no unretried 429', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const voters = [FACILITATOR, ...Array.from({ length: 39 }, (_, i) => `U0VOTER${i}`)];
    // Slack throttles the first edit (as it would a busy workspace): retried after 3 s.
    w.slack.failNext('chat.update', 1, { status: 429, retryAfter: 3 });
    const start = w.time.now();
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(
        voters.slice(batch * 10, batch * 10 + 10).map(async (user, i) => {
          const value = String(1 + ((batch + i) % 5));
          const { body } = actionBody(w, user, button(message.blocks, 'vote', value).value);
          expect((await deliver(w, body, FORM)).status).toBe(200);
        }),
      );
      await w.time.advance(250);
    }
    expect(w.time.now() - start).toBe(1000);
    await drain(w);

    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(40);
    expect(
      w.slack.responses.filter((r) => String(r.body.text).startsWith('Din stemme')),
    ).toHaveLength(40);
    const final = w.slack.message(CHANNEL, message.ts);
    expect(JSON.stringify(final?.blocks)).toContain('40 af 40 har stemt');

    const edits = w.slack.callsTo('chat.update').filter((c) => c.args.ts === message.ts);
    const accepted = edits.filter((c) => c.status === 200);
    expect(accepted.length).toBe(final?.updates);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(5);
    // The throttled edit waited for its Retry-After; later edits kept 2 s apart.
    const throttled = edits.filter((c) => c.status === 429);
    expect(throttled).toHaveLength(1);
    expect((accepted[0]?.at ?? 0) - (throttled[0]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
    accepted.slice(1).forEach((c, i) => {
      expect(c.at - (accepted[i]?.at ?? 0)).toBeGreaterThanOrEqual(2000);
    });
    // Every 429 was followed by a successful call of the same method: nothing given up.
    for (const [i, call] of w.slack.calls.entries()) {
      if (call.status !== 429) continue;
      expect(
        w.slack.calls.slice(i + 1).some((c) => c.method === call.method && c.status === 200),
      ).toBe(true);
    }
    expect(w.channel.output.stats()).toMatchObject({ failed: 0, retried: 1 });
  });
});
