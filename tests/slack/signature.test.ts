/**
 * Request verification by the real Bolt app (ExpressReceiver) on our express
 * server: a correctly signed request is handled; a bad signature, missing
 * headers or a timestamp older than five minutes are refused with 401 before
 * any handler runs, and nothing changes in the store or in Slack.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNothingChanged } from './driving.ts';
import {
  CHANNEL,
  commandBody,
  deliver,
  FACILITATOR,
  FORM,
  mentionBody,
  signedHeaders,
  startWorld,
  TEAM,
  type World,
} from './harness.ts';

const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };

describe('Slack request signatures (Bolt ExpressReceiver)', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('handles a correctly signed slash command (start → a round and the facilitator’s controls)', async () => {
    const body = commandBody(w, FACILITATOR, 'start', 'start');
    const posted = await deliver(w, body, FORM);
    expect(posted.status).toBe(200);
    const rounds = await w.app.store.listByConversation(conversation, 10);
    expect(rounds).toHaveLength(1);
    const [answer] = w.slack.responsesTo('start');
    expect(answer?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(answer?.body)).toContain('Kun mødelederen ser dette.');
  });

  it('refuses a bad signature with 401 and changes nothing', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    const headers = signedHeaders(body, { secret: 'not-the-signing-secret' });
    expect((await deliver(w, body, FORM, headers)).status).toBe(401);
    await expectNothingChanged(w, body);
  });

  it('refuses a body changed after signing', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    const headers = signedHeaders(body);
    const tampered = body.replace(`user_id=${FACILITATOR}`, 'user_id=U0SOMEONE');
    expect((await deliver(w, tampered, FORM, headers)).status).toBe(401);
    await expectNothingChanged(w, body);
  });

  it('refuses missing signature headers with 401 and changes nothing', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    expect((await deliver(w, body, FORM, {})).status).toBe(401);
    const { 'x-slack-signature': _, ...noSignature } = signedHeaders(body);
    expect((await deliver(w, body, FORM, noSignature)).status).toBe(401);
    const { 'x-slack-request-timestamp': __, ...noTimestamp } = signedHeaders(body);
    expect((await deliver(w, body, FORM, noTimestamp)).status).toBe(401);
    await expectNothingChanged(w, body);
  });

  it('refuses a correctly signed request whose timestamp is more than five minutes old', async () => {
    const body = commandBody(w, FACILITATOR, 'start');
    const old = Math.floor(Date.now() / 1000) - 5 * 60 - 30;
    expect((await deliver(w, body, FORM, signedHeaders(body, { timestamp: old }))).status).toBe(
      401,
    );
    await expectNothingChanged(w, body);
  });

  it('handles nothing from a workspace this bot token does not serve, even when signed', async () => {
    const body = commandBody(w, FACILITATOR, 'start', 'foreign').replace(
      `team_id=${TEAM}`,
      'team_id=T0OTHER',
    );
    expect((await deliver(w, body, FORM)).status).toBe(200);
    expect(
      await w.app.store.listByConversation({ ...conversation, tenant: 'T0OTHER' }, 10),
    ).toEqual([]);
    expect(w.slack.responses).toEqual([]);
  });

  it('verifies a slash command with æøå in its text', async () => {
    const body = commandBody(w, FACILITATOR, 'start hjælp æøå', 'utf8');
    const posted = await deliver(w, body, FORM);
    expect(posted.status).toBe(200);
    // Verified and handled: "æøå" is no area of the deck, so the core says so politely.
    const [answer] = w.slack.responsesTo('utf8');
    expect(JSON.stringify(answer?.body)).toContain('Området findes ikke i denne runde.');
    expect(await w.app.store.listByConversation(conversation, 10)).toEqual([]);
  });

  it('verifies a JSON event whose raw body holds æøå as UTF-8 bytes', async () => {
    const body = mentionBody(FACILITATOR, 'hjælp – æøå ÆØÅ');
    expect(Buffer.byteLength(body)).toBeGreaterThan(body.length);
    const posted = await deliver(w, body, 'application/json');
    expect(posted.status).toBe(200);
    const [ephemeral] = w.slack.callsTo('chat.postEphemeral');
    expect(ephemeral?.args).toMatchObject({ channel: CHANNEL, user: FACILITATOR });
    expect(JSON.stringify(ephemeral?.args.blocks)).toContain('Sådan bruger du Dialogrunde');
  });

  it('answers Slack’s url_verification challenge only when signed', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' });
    const signed = await deliver(w, body, 'application/json');
    expect(signed).toEqual({ status: 200, text: JSON.stringify({ challenge: 'c-123' }) });
    expect((await deliver(w, body, 'application/json', {})).status).toBe(401);
  });
});
