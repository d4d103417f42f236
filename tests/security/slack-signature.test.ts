/**
 * Issue 8, items 1 and 2, what tests/slack/signature.test.ts and
 * retries.test.ts leave open: a signature of another scheme than v0 (even one
 * made with the signing secret), timestamps 301 s off in either direction, a
 * body re-encoded after signing (same meaning, other bytes), and Slack's
 * retries 1–3 of a vote and of an event. Everything through the real Bolt
 * ExpressReceiver on our express server (tests/slack/harness.ts).
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { button, expectNothingChanged, openFirstCard } from '../slack/driving.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  deliver,
  FACILITATOR,
  FORM,
  mentionBody,
  retryHeaders,
  SIGNING_SECRET,
  signedHeaders,
  startWorld,
  TEAM,
  type World,
} from '../slack/harness.ts';

const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
const JSON_TYPE = 'application/json';
const now = () => Math.floor(Date.now() / 1000);

describe('Slack signatures: scheme, clock window and raw bytes', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('refuses a signature of another scheme than v0, even one made with the signing secret', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    const ts = now();
    for (const scheme of ['v1', 'V0', 'v00', '']) {
      const hmac = createHmac('sha256', SIGNING_SECRET)
        .update(`${scheme}:${ts}:${body}`)
        .digest('hex');
      const headers = {
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `${scheme}=${hmac}`,
      };
      expect((await deliver(w, body, FORM, headers)).status, scheme).toBe(401);
    }
    await expectNothingChanged(w, body);
  });

  it('refuses a correctly signed request 301 s in the past or in the future', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    for (const ts of [now() - 301, now() + 301, now() + 86_400]) {
      const posted = await deliver(w, body, FORM, signedHeaders(body, { timestamp: ts }));
      expect(posted.status, String(ts - now())).toBe(401);
    }
    await expectNothingChanged(w, body);
  });

  it('accepts a timestamp a little off either way (clocks are never exact)', async () => {
    for (const offset of [-240, 240]) {
      const body = mentionBody(FACILITATOR, 'hjælp');
      const headers = signedHeaders(body, { timestamp: now() + offset });
      expect((await deliver(w, body, JSON_TYPE, headers)).status, String(offset)).toBe(200);
    }
    expect(w.slack.callsTo('chat.postEphemeral')).toHaveLength(2);
  });

  it('refuses a form body re-encoded after signing (same fields, other bytes)', async () => {
    const body = commandBody(w, FACILITATOR, 'start hjælp æøå');
    const headers = signedHeaders(body);
    // URLSearchParams writes spaces as '+'; a proxy writing %20 (or lower-case hex) means the same.
    const spaces = body.replaceAll('+', '%20');
    const lowerHex = body.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
    for (const reencoded of [spaces, lowerHex]) {
      expect(reencoded).not.toBe(body);
      expect(Object.fromEntries(new URLSearchParams(reencoded))).toEqual(
        Object.fromEntries(new URLSearchParams(body)),
      );
      expect((await deliver(w, reencoded, FORM, headers)).status).toBe(401);
    }
    await expectNothingChanged(w, body);
  });

  it('refuses a JSON event re-serialised after signing (whitespace, \\u escapes)', async () => {
    const body = mentionBody(FACILITATOR, 'start æøå');
    const headers = signedHeaders(body);
    const spaced = JSON.stringify(JSON.parse(body), null, 1);
    const escaped = body.replace(
      /[æøå]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    for (const reencoded of [spaced, escaped]) {
      expect(JSON.parse(reencoded)).toEqual(JSON.parse(body));
      expect((await deliver(w, reencoded, JSON_TYPE, headers)).status).toBe(401);
    }
    await expectNothingChanged(w, body);
  });
});

describe('Slack retries 1–3: one effect', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('a vote delivered again with retry-num 1, 2 and 3 counts once and is confirmed once', async () => {
    const { roundId, cardId, message } = await openFirstCard(w);
    const { body, responseId } = actionBody(
      w,
      'U0MEMBER1',
      button(message.blocks, 'vote', '2').value,
    );
    expect((await deliver(w, body, FORM)).status).toBe(200);
    for (const n of [1, 2, 3])
      expect((await deliver(w, body, FORM, retryHeaders(body, n))).status).toBe(200);
    const counts = await w.app.store.counts(roundId);
    expect(counts.ballots[cardBox(cardId)]).toBe(1);
    expect(w.slack.responsesTo(responseId)).toHaveLength(1);
  });

  it('an app_mention delivered again with retry-num 1, 2 and 3 starts one round', async () => {
    const body = mentionBody(FACILITATOR, 'start', 'Ev-start-retried');
    expect((await deliver(w, body, JSON_TYPE)).status).toBe(200);
    for (const n of [1, 2, 3]) {
      expect((await deliver(w, body, JSON_TYPE, retryHeaders(body, n))).status).toBe(200);
    }
    expect(await w.app.store.listByConversation(conversation, 10)).toHaveLength(1);
  });
});
