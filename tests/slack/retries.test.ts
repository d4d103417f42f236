/**
 * One effect per delivery: Slack's retries (`X-Slack-Retry-Num`) and the
 * same payload delivered twice change the round once; double clicks are
 * separate presses and the core's rules make them harmless; a delivery whose
 * handling failed gives its claim back, so Slack's retry is handled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { button, openFirstCard, press } from './driving.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  deliver,
  FACILITATOR,
  FORM,
  mentionBody,
  retryHeaders,
  startWorld,
  TEAM,
  type World,
} from './harness.ts';

const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };

async function stepOf(w: World) {
  const [round] = await w.app.store.listByConversation(conversation, 1);
  return round?.step;
}

describe('Slack channel: retries and double clicks', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('a retried Next (same payload, X-Slack-Retry-Num: 1) moves the round one step', async () => {
    await deliver(w, commandBody(w, FACILITATOR, 'start', 'start'), FORM);
    const controls = w.slack.responsesTo('start')[0]?.body;
    const next = button(controls?.blocks, 'next', 'intro');
    const { body, responseId } = actionBody(w, FACILITATOR, next.value, { ephemeral: true });
    expect((await deliver(w, body, FORM)).status).toBe(200);
    for (const n of [1, 2, 3])
      expect((await deliver(w, body, FORM, retryHeaders(body, n))).status).toBe(200);
    expect(await stepOf(w)).toBe('scope');
    // One answer: the retries were acknowledged and dropped before any work.
    expect(w.slack.responsesTo(responseId)).toHaveLength(1);
  });

  it('a retried vote counts once and confirms once', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const vote = button(message.blocks, 'vote', '4');
    const { body, responseId } = actionBody(w, 'U0MEMBER1', vote.value);
    await deliver(w, body, FORM);
    await deliver(w, body, FORM, retryHeaders(body));
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
    expect(w.slack.responsesTo(responseId)).toHaveLength(1);
  });

  it('a retried app_mention event (same event_id) is answered once', async () => {
    const body = mentionBody(FACILITATOR, 'status', 'Ev-retried');
    await deliver(w, body, 'application/json');
    await deliver(w, body, 'application/json', retryHeaders(body));
    expect(w.slack.callsTo('chat.postEphemeral')).toHaveLength(1);
  });

  it('a double click on Next (two presses) cannot skip a step: the second is told politely', async () => {
    await deliver(w, commandBody(w, FACILITATOR, 'start', 'start'), FORM);
    const next = button(w.slack.responsesTo('start')[0]?.body.blocks, 'next', 'intro');
    await press(w, FACILITATOR, next, { ephemeral: true });
    const second = await press(w, FACILITATOR, next, { ephemeral: true });
    expect(await stepOf(w)).toBe('scope');
    expect(second.last).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(second.last)).toContain('Det lod sig ikke gøre');
  });

  it('a double click on a vote keeps one ballot', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const vote = button(message.blocks, 'vote', 'na');
    const first = await press(w, 'U0MEMBER1', vote);
    const second = await press(w, 'U0MEMBER1', vote);
    expect(first.last?.text).toContain('Din stemme: Ved ikke / ikke relevant.');
    expect(second.last?.text).toBe(first.last?.text);
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
  });

  it('a delivery whose handling failed gives its claim back: Slack’s retry is handled', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const vote = button(message.blocks, 'vote', '2');
    const { body, responseId } = actionBody(w, 'U0MEMBER1', vote.value);
    w.slack.failResponses(1);
    await deliver(w, body, FORM);
    // The answer failed; the person is told something went wrong (trying again is harmless).
    expect(w.slack.responsesTo(responseId)).toHaveLength(1);
    expect(w.slack.responsesTo(responseId)[0]?.body.text).toContain('Noget gik galt');
    await deliver(w, body, FORM, retryHeaders(body));
    expect(w.slack.responsesTo(responseId)).toHaveLength(2);
    expect(w.slack.responsesTo(responseId)[1]?.body.text).toContain('Din stemme: 2.');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
  });

  it('identity comes from the envelope: ids forged into a button value are ignored', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const vote = JSON.parse(button(message.blocks, 'vote', '4').value) as Record<string, unknown>;
    const forged = JSON.stringify({
      ...vote,
      userId: 'U0OTHER',
      user: { id: 'U0OTHER' },
      team: 'T0EVIL',
    });
    const { body } = actionBody(w, 'U0MEMBER1', forged);
    await deliver(w, body, FORM);
    const ballot = (userId: string) =>
      w.app.service.ballotOf(roundId, { platform: 'slack', tenant: TEAM, userId }, cardBox(cardId));
    expect(await ballot('U0MEMBER1')).toBe(4);
    expect(await ballot('U0OTHER')).toBeUndefined();
  });
});
