/**
 * A short synchronous round in one Slack channel, driven through the real
 * Bolt app with signed requests, against the local fake Slack: every button
 * pressed is taken from a message the bot actually sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { button, buttonsIn, openFirstCard, press } from './driving.ts';
import { CHANNEL, drain, FACILITATOR, startWorld, type World } from './harness.ts';

describe('Slack channel: a synchronous round in one channel', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('start, Next, three votes with ephemeral confirmations, "3 af 3 har stemt", close → result', async () => {
    const { roundId, cardId, controls, message } = await openFirstCard(w);
    // The intro, scope, status and rating messages and the card: one post each, in the channel.
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.every((c) => c.args.channel === CHANNEL && c.token === 'xoxb-test-token')).toBe(
      true,
    );
    expect(JSON.stringify(message.blocks)).toContain('0 af 1 har stemt');

    const voters = [
      [FACILITATOR, '4'],
      ['U0MEMBER1', '2'],
      ['U0MEMBER2', '5'],
    ] as const;
    for (const [user, value] of voters) {
      const answer = await press(w, user, button(message.blocks, 'vote', value));
      expect(answer.answers).toHaveLength(1);
      expect(answer.last).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(answer.last?.text).toBe(
        `Din stemme: ${value}. Du kan ændre den, indtil kortet lukkes.`,
      );
    }
    await drain(w);
    const after = w.slack.message(CHANNEL, message.ts);
    expect(JSON.stringify(after?.blocks)).toContain('3 af 3 har stemt');
    expect(after?.updates).toBeGreaterThanOrEqual(1);
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(3);

    // A voter changes their mind: still three ballots.
    const changed = await press(w, 'U0MEMBER1', button(message.blocks, 'vote', '3'));
    expect(changed.last?.text).toContain('Din stemme: 3.');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(3);

    // Only the facilitator may close the card.
    const refused = await press(w, 'U0MEMBER2', button(controls?.blocks, 'closeCard', cardId));
    expect(JSON.stringify(refused.last)).toContain('Det er kun mødelederen, der kan gøre det.');
    const closed = await press(w, FACILITATOR, button(controls?.blocks, 'closeCard', cardId), {
      ephemeral: true,
    });
    expect(closed.last).toMatchObject({ replace_original: true });
    await drain(w);

    const result = w.slack.message(CHANNEL, message.ts);
    const text = JSON.stringify(result?.blocks);
    expect(text).toContain('Gennemsnit 4 · median 4 · 3 har vurderet');
    expect(buttonsIn(result?.blocks)).toEqual([]);
    // Nothing in the channel ever showed who voted what, the facilitator's script, or a vote.
    for (const m of w.slack.messagesIn(CHANNEL)) {
      const shown = JSON.stringify(m.blocks) + m.text;
      expect(shown).not.toContain('Kun mødelederen ser dette.');
      expect(shown).not.toContain('Din stemme');
      expect(shown).not.toContain('U0MEMBER');
    }
    expect(w.channel.output.stats().failed).toBe(0);
  });
});
