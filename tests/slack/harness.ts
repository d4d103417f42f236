/**
 * The Slack channel as it runs in production: Bolt's App and ExpressReceiver
 * mounted on our express app (127.0.0.1, real HTTP), the embedded app on
 * SQLite :memory:, and the real WebClient talking to the local fake Slack.
 * Requests are signed exactly as Slack signs them (v0, HMAC-SHA256 over
 * `v0:<timestamp>:<raw body>` with the signing secret).
 *
 * Time: the app, the outbox and the fake's rate limits share one
 * ManualScheduler, so coalescing and Retry-After run on virtual time. Bolt
 * checks request timestamps against the real clock, so signatures use it.
 */
import { createHmac } from 'node:crypto';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import type { RoundDefaults } from '../../src/app/round-service.ts';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/index.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

export const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123456789';
export const BOT_TOKEN = 'xoxb-test-token';
export const TEAM = 'T0TEAM';
export const CHANNEL = 'C0DIALOG';
export const FACILITATOR = 'U0FACIL';
const SECRET = 'slack-channel-test-secret-0123456789-abcdef';

export const DEFAULTS: RoundDefaults = {
  deckId: 'baeredygtigt-arbejdsmiljoe',
  lang: 'da',
  mode: 'sync',
  timeZone: 'Europe/Copenhagen',
  k: 3,
  maxPriorities: 3,
  reminderDaysBefore: 7,
  reminderHour: 9,
  stepMinutes: { status: 60, rating: 120, custom: 90, priority: 45 },
};

export interface World {
  time: ManualScheduler;
  slack: FakeSlack;
  app: EmbeddedApp;
  channel: SlackChannel;
  server: RunningServer;
  endpoint: string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const time = new ManualScheduler(Date.UTC(2026, 10, 23, 9, 0, 0));
  const slack = await startFakeSlack({ now: () => time.now(), token: BOT_TOKEN, teamId: TEAM });
  const logger = silentLogger();
  // The output needs the store's memory and the app needs the output: late binding.
  let channel: SlackChannel | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: time,
    output: { send: (m) => (channel ? channel.output.send(m) : Promise.resolve()) },
    decks: DeckCatalog.load(),
    defaults: DEFAULTS,
    logger,
  });
  channel = createSlackChannel({
    config: { enabled: true, botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET },
    logger,
    clock: time,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    timers: time,
    apiUrl: slack.apiUrl,
  });
  const mounted = channel;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => mounted.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  const world: World = {
    time,
    slack,
    app,
    channel: mounted,
    server,
    endpoint: `${server.url}/slack/events`,
    async close() {
      // Sends still waiting for their (virtual) time would hold close() forever.
      await mounted.idle();
      await drain(world);
      await mounted.close();
      await server.close(100);
      await app.close();
      await slack.close();
    },
  };
  return world;
}

/** Slack's request signature headers for a raw body. */
export function signedHeaders(
  body: string,
  options: { secret?: string; timestamp?: number } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const hmac = createHmac('sha256', options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex');
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hmac}`,
  };
}

export interface Posted {
  status: number;
  text: string;
}

/** Posts a raw body to /slack/events as Slack would (signed unless `headers` say otherwise). */
export async function deliver(
  w: World,
  body: string,
  contentType: string,
  headers: Record<string, string> = signedHeaders(body),
): Promise<Posted> {
  const response = await fetch(w.endpoint, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const posted = { status: response.status, text: await response.text() };
  await w.channel.idle();
  return posted;
}

let sequence = 0;
const nextId = () => {
  sequence += 1;
  return sequence;
};

/** A slash command's form body, as Slack sends it. */
export function commandBody(w: World, user: string, text: string, responseId?: string): string {
  const n = nextId();
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: TEAM,
    team_domain: 'fake',
    channel_id: CHANNEL,
    channel_name: 'arbejdsmiljo',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/dialogrunde',
    text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: w.slack.responseUrl(responseId ?? `command-${n}`),
    trigger_id: `${n}.1111.trigger${n}`,
  }).toString();
}

export const FORM = 'application/x-www-form-urlencoded';

/** A block_actions payload (form field `payload`) for a press of a button with `value`. */
export function actionBody(
  w: World,
  user: string,
  value: string,
  options: { ephemeral?: boolean; responseId?: string; triggerId?: string } = {},
): { body: string; responseId: string } {
  const n = nextId();
  const responseId = options.responseId ?? `action-${n}`;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: {
      type: options.ephemeral ? 'ephemeral' : 'message',
      message_ts: '1795424400.000001',
      channel_id: CHANNEL,
      is_ephemeral: options.ephemeral ?? false,
    },
    trigger_id: options.triggerId ?? `${n}.2222.trigger${n}`,
    team: { id: TEAM, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: CHANNEL, name: 'arbejdsmiljo' },
    response_url: w.slack.responseUrl(responseId),
    actions: [
      {
        action_id: `dialogrunde:${(JSON.parse(value) as { command: string }).command}:0`,
        block_id: 'b',
        text: { type: 'plain_text', text: 'x' },
        value,
        type: 'button',
        action_ts: `1795424400.${String(n).padStart(6, '0')}`,
      },
    ],
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), responseId };
}

/** An Events API app_mention delivery (JSON). */
export function mentionBody(user: string, text: string, eventId?: string): string {
  const n = nextId();
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId ?? `Ev${n}`,
    event_time: 1795424400,
    authorizations: [{ team_id: TEAM, user_id: 'U0BOT', is_bot: true }],
    event: {
      type: 'app_mention',
      user,
      text: `<@U0BOT> ${text}`,
      ts: `1795424400.${String(n).padStart(6, '0')}`,
      channel: CHANNEL,
      event_ts: `1795424400.${String(n).padStart(6, '0')}`,
    },
  });
}

/** Moves virtual time until the outbox has nothing queued, waiting or timed. */
export async function drain(w: World): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const stats = w.channel.output.stats();
    if (stats.queued === 0 && stats.pending === 0 && w.time.pendingTimers === 0) return;
    await w.time.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the outbox did not drain');
}
