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
import { type Logger, silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import { lateOutput } from '../../src/app/output-router.ts';
import type { RoundDefaults } from '../../src/app/round-service.ts';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/index.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import {
  type FakeSlack,
  type FakeSlackOptions,
  type OpenedView,
  startFakeSlack,
} from './fake-slack.ts';
import {
  APP_TOKEN,
  CLIENT_ID,
  CLIENT_SECRET,
  type FakeSlackApps,
  startFakeApps,
} from './fake-slack-apps.ts';

export const SIGNING_SECRET = 'slack-signing-secret-for-tests-0123456789';
export const BOT_TOKEN = 'xoxb-test-token';
export const TEAM = 'T0TEAM';
export const CHANNEL = 'C0DIALOG';
export const FACILITATOR = 'U0FACIL';
export const SECRET = 'slack-channel-test-secret-0123456789-abcdef';
const STATE_SECRET = 'slack-oauth-state-secret-for-tests-0123456789';

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
  /** OAuth consent page and oauth.v2.access, Socket Mode server, views.publish (`fake-slack-apps.ts`). */
  apps: FakeSlackApps;
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Round defaults over DEFAULTS (e.g. `nudgeAtPercent` for async rounds). */
  defaults?: Partial<RoundDefaults>;
  /** The fake's conversations.members and users.info answers. */
  slack?: Pick<FakeSlackOptions, 'members' | 'users'>;
  /** Default: silent. */
  logger?: Logger;
  /** OAuth installs (SLACK_CLIENT_ID/SECRET) instead of the one bot token. */
  oauth?: boolean;
  /** Socket Mode (SLACK_APP_TOKEN): deliveries come over `apps`' WebSocket, not HTTP. */
  socket?: boolean;
}

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const time = new ManualScheduler(Date.UTC(2026, 10, 23, 9, 0, 0));
  const slack = await startFakeSlack({
    now: () => time.now(),
    token: BOT_TOKEN,
    teamId: TEAM,
    ...options.slack,
  });
  const apps = await startFakeApps(slack);
  const logger = options.logger ?? silentLogger();
  // The output needs the store's memory and the app needs the output: late binding.
  let channel: SlackChannel | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: time,
    output: lateOutput(() => channel?.output),
    decks: DeckCatalog.load(),
    defaults: { ...DEFAULTS, ...options.defaults },
    logger,
  });
  channel = createSlackChannel({
    config: {
      enabled: true,
      botToken: options.oauth ? null : BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      appToken: options.socket ? APP_TOKEN : null,
      oauth: options.oauth
        ? { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, stateSecret: STATE_SECRET }
        : null,
    },
    logger,
    clock: time,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    timers: time,
    apiUrl: slack.apiUrl,
    installations: app.store.installations,
    secret: SECRET,
    authorizationUrl: apps.authorizeUrl,
    // A reconnect waits this long (× failures); 5 s by default.
    socket: { clientPingTimeout: 1000 },
  });
  const mounted = channel;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => mounted.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  // The app's configured redirect URL (the install link names none: no PUBLIC_URL).
  apps.redirectUrl = `${server.url}/slack/oauth_redirect`;
  if (options.socket) await mounted.start();
  const world: World = {
    time,
    slack,
    app,
    channel: mounted,
    server,
    endpoint: `${server.url}/slack/events`,
    apps,
    async close() {
      // Sends still waiting for their (virtual) time would hold close() forever.
      await mounted.idle();
      await drain(world);
      await mounted.close();
      await server.close(100);
      await app.close();
      await apps.close();
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

/** The same body again, as Slack retries it: freshly signed, with the retry headers. */
export function retryHeaders(body: string, n = 1, reason = 'http_timeout'): Record<string, string> {
  return {
    ...signedHeaders(body),
    'x-slack-retry-num': String(n),
    'x-slack-retry-reason': reason,
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
  w.slack.issueTrigger(`${n}.1111.trigger${n}`);
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

/**
 * A block_actions payload (form field `payload`) for a press of a button with
 * `value` (and `actionId`, default `dialogrunde:<command>:0`). Its trigger_id
 * is registered with the fake, as Slack issues one with every interaction.
 */
export function actionBody(
  w: World,
  user: string,
  value: string,
  options: {
    ephemeral?: boolean;
    responseId?: string;
    triggerId?: string;
    actionId?: string;
    /** Where the button was pressed (default CHANNEL; a DM: `D…`). */
    channel?: string;
    /** The pressed button's block (default 'b'). */
    blockId?: string;
  } = {},
): { body: string; responseId: string; triggerId: string } {
  const n = nextId();
  const responseId = options.responseId ?? `action-${n}`;
  const triggerId = options.triggerId ?? `${n}.2222.trigger${n}`;
  w.slack.issueTrigger(triggerId);
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: {
      type: options.ephemeral ? 'ephemeral' : 'message',
      message_ts: '1795424400.000001',
      channel_id: options.channel ?? CHANNEL,
      is_ephemeral: options.ephemeral ?? false,
    },
    trigger_id: triggerId,
    team: { id: TEAM, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: options.channel?.startsWith('D')
      ? { id: options.channel, name: 'directmessage' }
      : { id: options.channel ?? CHANNEL, name: 'arbejdsmiljo' },
    response_url: w.slack.responseUrl(responseId),
    actions: [
      {
        action_id:
          options.actionId ?? `dialogrunde:${(JSON.parse(value) as { command: string }).command}:0`,
        block_id: options.blockId ?? 'b',
        text: { type: 'plain_text', text: 'x' },
        value,
        type: 'button',
        action_ts: `1795424400.${String(n).padStart(6, '0')}`,
      },
    ],
  };
  return {
    body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    responseId,
    triggerId,
  };
}

/**
 * A view_submission payload (form field `payload`) for a modal the bot opened,
 * as Slack sends it: the view with its id and hash, `state.values` (block_id →
 * action_id → the element's value), a fresh trigger_id per submission, and
 * the submitter in `user`/`team`. No channel: a modal belongs to no message.
 */
export function viewSubmissionBody(
  user: string,
  opened: OpenedView,
  values: Record<string, Record<string, unknown>>,
  options: { team?: string; privateMetadata?: string } = {},
): { body: string; triggerId: string } {
  const n = nextId();
  const triggerId = `${n}.3333.trigger${n}`;
  const team = options.team ?? TEAM;
  const payload = {
    type: 'view_submission',
    team: { id: team, domain: 'fake' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: team },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
    view: {
      ...opened.view,
      ...(options.privateMetadata !== undefined && { private_metadata: options.privateMetadata }),
      id: opened.id,
      hash: opened.hash,
      team_id: team,
      state: { values },
      previous_view_id: null,
      root_view_id: opened.id,
      app_id: 'A0APP',
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), triggerId };
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
