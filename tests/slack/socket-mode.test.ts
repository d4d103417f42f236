/**
 * Socket Mode: the real Bolt SocketModeReceiver and @slack/socket-mode
 * client (undici's WebSocket) connect to a local server that speaks Slack's
 * protocol (`fake-slack-apps.ts`): `apps.connections.open` with the app
 * token on the fake Web API gives a ws:// URL, the server says `hello`,
 * sends envelopes and records the acks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { button } from './driving.ts';
import { APP_TOKEN, type Envelope } from './fake-slack-apps.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  drain,
  FACILITATOR,
  startWorld,
  TEAM,
  type World,
} from './harness.ts';

const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };

let envelopes = 0;
function envelope(type: Envelope['type'], payload: Record<string, unknown>, retry?: number) {
  envelopes += 1;
  return {
    envelope_id: `env-${envelopes}-${Math.random().toString(36).slice(2)}`,
    type,
    payload,
    accepts_response_payload: type !== 'events_api',
    ...(retry !== undefined && { retry_attempt: retry, retry_reason: 'timeout' }),
  };
}

/** A slash command's fields as Socket Mode sends them: the form as a JSON object. */
function commandPayload(w: World, user: string, text: string): Record<string, unknown> {
  return Object.fromEntries(new URLSearchParams(commandBody(w, user, text)));
}

/** Waits (real time) until the channel has handled what it was given. */
async function settle(w: World): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await w.channel.idle();
  }
  await drain(w);
}

describe('Slack Socket Mode', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ socket: true });
  });
  afterEach(async () => {
    await w.close();
  });

  it('connects with the app token: apps.connections.open, then hello', async () => {
    const opens = w.slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ token: APP_TOKEN, status: 200 });
    expect(w.apps.connections).toBe(1);
  });

  it('a slash command over the socket is acked and starts a round', async () => {
    const sent = envelope('slash_commands', commandPayload(w, FACILITATOR, 'start'));
    const ack = await w.apps.deliver(sent);
    expect(ack.envelope_id).toBe(sent.envelope_id);
    await settle(w);

    const rounds = await w.app.store.listByConversation(conversation, 5);
    expect(rounds).toHaveLength(1);
    // The facilitator's controls went to the command's response_url; the intro to the channel.
    const answers = w.slack.responses.filter((r) => r.id.startsWith('command-'));
    expect(JSON.stringify(answers.at(-1)?.body)).toContain('Næste');
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.args.channel === CHANNEL && c.token === 'xoxb-test-token')).toBe(
      true,
    );
    // Nothing came over HTTP: there is no /slack/events in Socket Mode.
    const http = await fetch(w.endpoint, { method: 'POST', body: '{}' });
    expect(http.status).toBe(404);
  });

  it('buttons (interactive) are acked and act; a redelivered event has one effect', async () => {
    await w.apps.deliver(envelope('slash_commands', commandPayload(w, FACILITATOR, 'start')));
    await settle(w);
    const controls = w.slack.responses.filter((r) => r.id.startsWith('command-')).at(-1)?.body;
    const next = button(controls?.blocks, 'next');
    const { body, responseId } = actionBody(w, FACILITATOR, next.value, {
      ephemeral: true,
      actionId: next.action_id,
    });
    const payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '{}');
    const ack = await w.apps.deliver(envelope('interactive', payload));
    expect(ack.envelope_id).toBeDefined();
    await settle(w);
    const [round] = await w.app.store.listByConversation(conversation, 1);
    expect(round?.step).toBe('scope');
    expect(w.slack.responsesTo(responseId).at(-1)?.body).toMatchObject({ replace_original: true });

    // An app mention, and Slack's retry of the same event (same event_id): one effect.
    const mention = {
      token: 'deprecated-verification-token',
      team_id: TEAM,
      api_app_id: 'A0APP',
      type: 'event_callback',
      event_id: 'Ev0SOCKET1',
      event_time: 1795424400,
      authorizations: [{ team_id: TEAM, user_id: 'U0BOT', is_bot: true }],
      event: {
        type: 'app_mention',
        user: 'U0MEMBER1',
        text: '<@U0BOT> hjælp',
        ts: '1795424400.000100',
        channel: CHANNEL,
        event_ts: '1795424400.000100',
      },
    };
    await w.apps.deliver(envelope('events_api', mention));
    await w.apps.deliver(envelope('events_api', mention, 1));
    await settle(w);
    expect(w.slack.callsTo('chat.postEphemeral').filter((c) => c.status === 200)).toHaveLength(1);
  });

  it('reconnects when Slack asks it to (a `disconnect` message) and goes on', async () => {
    const socket = await w.apps.connection();
    socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
    // The client closes and opens a new connection with a fresh URL.
    for (let i = 0; i < 200 && w.slack.callsTo('apps.connections.open').length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(w.slack.callsTo('apps.connections.open')).toHaveLength(2);
    const again = await w.apps.connection();
    expect(again).not.toBe(socket);
    const ack = await w.apps.deliver(
      envelope('slash_commands', commandPayload(w, FACILITATOR, 'start')),
    );
    expect(ack.envelope_id).toBeDefined();
    await settle(w);
    expect(await w.app.store.listByConversation(conversation, 5)).toHaveLength(1);
  });
});
