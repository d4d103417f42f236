/**
 * The store goes away (as Redis does when it is down: node-redis without an
 * offline queue rejects at once, our store wraps that as a StoreError) while
 * people use a round in Slack, through the real Bolt app with signed
 * requests against the fake Slack. Each delivery is acknowledged and answered
 * through its response_url with the polite "not saved, try again" message in
 * the deployment's language; nothing changes; once the store is back, Slack's
 * retry of the same delivery runs: its claim was not left behind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { errorView } from '../../src/core/views/messages.ts';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import { button, openFirstCard } from './driving.ts';
import {
  actionBody,
  commandBody,
  deliver,
  FACILITATOR,
  FORM,
  signedHeaders,
  startWorld,
  type World,
} from './harness.ts';

const UNAVAILABLE = errorView('da', 'unavailable').message;
const VOTER = 'U0MEMBER1';

/** The same body again, as Slack retries it: freshly signed, with the retry headers. */
const retried = (body: string) => ({
  ...signedHeaders(body),
  'x-slack-retry-num': '1',
  'x-slack-retry-reason': 'http_error',
});

describe('Slack while the store cannot be reached', () => {
  let w: World;
  let store: FlakyStore;
  beforeEach(async () => {
    w = await startWorld();
    store = flakyStore(w.app.store);
  });
  afterEach(async () => {
    store.up();
    await w.close();
  });

  /** What the response_url of a delivery received, as one string. */
  const answered = (responseId: string) => JSON.stringify(w.slack.responsesTo(responseId));

  it('a vote is answered "not saved" at once, changes nothing, and Slack’s retry counts once the store is back', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const ballots = async () => (await w.app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0;
    const version = (await w.app.store.load(roundId))?.version;
    const vote = button(message.blocks, 'vote', '4');
    const { body, responseId } = actionBody(w, VOTER, vote.value, { actionId: vote.action_id });

    store.down();
    expect((await deliver(w, body, FORM)).status).toBe(200);
    const [refused, ...more] = w.slack.responsesTo(responseId);
    expect(more).toEqual([]);
    expect(refused?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(refused?.body)).toContain(UNAVAILABLE);

    store.up();
    expect(await ballots()).toBe(0);
    expect((await w.app.store.load(roundId))?.version).toBe(version);
    // Slack retries the same delivery (same trigger_id): it was never claimed, so it runs.
    expect((await deliver(w, body, FORM, retried(body))).status).toBe(200);
    expect(w.slack.responsesTo(responseId).at(-1)?.body.text).toContain('Din stemme: 4.');
    expect(await ballots()).toBe(1);
  });

  it('the store failing after the claim (mid-handling): "not saved", the claim is given back, the retry counts', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const ballots = async () => (await w.app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0;
    const vote = button(message.blocks, 'vote', '2');
    const { body, responseId } = actionBody(w, VOTER, vote.value, { actionId: vote.action_id });

    store.down(['claim', 'release']);
    expect((await deliver(w, body, FORM)).status).toBe(200);
    expect(w.slack.responsesTo(responseId)).toHaveLength(1);
    expect(answered(responseId)).toContain(UNAVAILABLE);

    store.up();
    expect(await ballots()).toBe(0);
    await deliver(w, body, FORM, retried(body));
    expect(w.slack.responsesTo(responseId).at(-1)?.body.text).toContain('Din stemme: 2.');
    expect(await ballots()).toBe(1);
  });

  it('a slash command while the store is down: "not saved" through its response_url; the retry answers', async () => {
    await deliver(w, commandBody(w, FACILITATOR, 'start', 'start'), FORM);
    const body = commandBody(w, VOTER, 'status', 'status-down');

    store.down();
    expect((await deliver(w, body, FORM)).status).toBe(200);
    expect(w.slack.responsesTo('status-down')).toHaveLength(1);
    expect(answered('status-down')).toContain(UNAVAILABLE);

    store.up();
    await deliver(w, body, FORM, retried(body));
    const answers = w.slack.responsesTo('status-down');
    expect(answers).toHaveLength(2);
    expect(JSON.stringify(answers[1]?.body)).not.toContain(UNAVAILABLE);
    expect(JSON.stringify(answers[1]?.body)).not.toContain('Runden findes ikke');
  });
});
