/**
 * Spike: the real Microsoft 365 Agents SDK CloudAdapter (@microsoft/agents-hosting
 * 1.8.1), mounted on our express app (src/http/server.ts) on 127.0.0.1, against
 * a local fake Bot Connector and a local identity provider. Nothing leaves
 * 127.0.0.1: inbound JWT keys are served by tests/teams/auth-fixture.ts (the
 * SDK's hard-coded key hosts are intercepted, every other HTTPS host is
 * refused) and outbound bearer tokens come from a local token provider
 * plugged into `adapter.connectionManager` instead of MSAL.
 *
 * Findings are written next to the tests that prove them and summarised in
 * src/channels/teams/README.md.
 */

import { Activity, type ConversationReference } from '@microsoft/agents-activity';
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AuthConfiguration,
  type AuthProvider,
  CardFactory,
  CloudAdapter,
  type CloudAdapterOptions,
  ConnectionManager,
  clearJwksClients,
  getAuthConfigWithDefaults,
  HttpError,
  MessageFactory,
  OutboundHostValidator,
  type TurnContext,
} from '@microsoft/agents-hosting';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type AuthFixture, startAuthFixture } from './auth-fixture.ts';
import { type FakeConnector, manualClock, startFakeConnector } from './fake-connector.ts';

const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';
const OUTBOUND_TOKEN = 'local-outbound-token';
/** A channel thread: Teams puts the root message id into the conversation id. */
const CHANNEL_THREAD = '19:d1a10ab0c0f1@thread.tacv2;messageid=1699999999999';

// ---------------------------------------------------------------------------
// Outbound token seam (finding c): CloudAdapter asks `this.connectionManager`
// (a public, typed `Connections` field) for an AuthProvider and calls
// `getAccessToken(scope)` on it; by default that is MsalTokenProvider doing
// client credentials against login.microsoftonline.com. Replacing the field
// with the SDK's own ConnectionManager and a provider factory keeps the
// SDK's connection routing and swaps only the token source.
// ---------------------------------------------------------------------------
class LocalTokenProvider implements AuthProvider {
  readonly scopes: string[] = [];
  connectionSettings?: AuthConfiguration;
  constructor(settings: AuthConfiguration) {
    this.connectionSettings = settings;
  }
  async getAccessToken(configOrScope: AuthConfiguration | string, scope?: string): Promise<string> {
    this.scopes.push(typeof configOrScope === 'string' ? configOrScope : (scope ?? ''));
    return OUTBOUND_TOKEN;
  }
  getAgenticApplicationToken = async (): Promise<string> => unused();
  getAgenticInstanceToken = async (): Promise<string> => unused();
  getAgenticUserToken = async (): Promise<string> => unused();
  async acquireTokenOnBehalfOf(): Promise<string> {
    return unused();
  }
}

function unused(): never {
  throw new Error('not used by the Teams channel');
}

function voteCard(text: string): Record<string, unknown> {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text, wrap: true }],
    actions: [{ type: 'Action.Execute', title: '4', verb: 'vote', data: { value: 4 } }],
  };
}

/** The bot under test: an ActivityHandler, as the Teams channel will use. */
class SpikeBot extends ActivityHandler {
  /** Every activity that reached bot logic. */
  readonly seen: Activity[] = [];
  readonly references: ConversationReference[] = [];
  /** Ids returned by the connector for activities this bot sent. */
  readonly sentIds: string[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      this.seen.push(context.activity);
      this.references.push(context.activity.getConversationReference());
      const text = (context.activity.text ?? '').replace(/<at>.*?<\/at>/g, '').trim();
      if (text === 'card') {
        // Send a card, then edit it in place (finding e, within a turn).
        const card = MessageFactory.attachment(CardFactory.adaptiveCard(voteCard('0 of 5 voted')));
        const sent = await context.sendActivity(card);
        if (sent?.id) this.sentIds.push(sent.id);
        const edited = MessageFactory.attachment(
          CardFactory.adaptiveCard(voteCard('1 of 5 voted')),
        );
        edited.id = sent?.id;
        await context.updateActivity(edited);
      } else {
        const sent = await context.sendActivity(`echo: ${text}`);
        if (sent?.id) this.sentIds.push(sent.id);
      }
      await next();
    });
  }

  // Finding d: `adaptiveCard/action` invokes land here; the returned object is
  // wrapped by ActivityHandler into an invokeResponse activity and CloudAdapter
  // writes `{ status: statusCode, body: response }` as the HTTP answer.
  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invoke: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    this.seen.push(context.activity);
    const value = Number(invoke.action.data.value);
    return {
      statusCode: 200,
      type: CARD_CONTENT_TYPE,
      value: voteCard(`Your vote: ${value}. You can change it until the card closes.`),
    };
  }

  reset(): void {
    this.seen.length = 0;
    this.references.length = 0;
    this.sentIds.length = 0;
  }
}

interface Bot {
  adapter: CloudAdapter;
  bot: SpikeBot;
  tokens: LocalTokenProvider;
  server: RunningServer;
  /** http://127.0.0.1:port/api/messages */
  endpoint: string;
}

async function startBot(
  config: AuthConfiguration,
  options: CloudAdapterOptions = { validateServiceUrl: true },
  hostValidator?: OutboundHostValidator,
): Promise<Bot> {
  const adapter = new CloudAdapter(config, undefined, undefined, options, hostValidator);
  const tokens = new LocalTokenProvider(config);
  adapter.connectionManager = new ConnectionManager(
    () => tokens,
    undefined,
    undefined,
    getAuthConfigWithDefaults(config),
  );
  const bot = new SpikeBot();
  const app = createHttpApp({ logger: silentLogger(), ready: async () => true }, (e) => {
    // What src/channels/teams will mount: JSON body, the SDK's JWT check
    // (rejects before any bot code runs), then the adapter.
    e.post(
      '/api/messages',
      express.json({ limit: '256kb' }),
      (req, res, next) => adapter.authorizeRequest(req, res, next),
      (req, res) => adapter.process(req, res, (context) => bot.run(context)),
    );
  });
  const server = await listen(app, 0, '127.0.0.1');
  return { adapter, bot, tokens, server, endpoint: `${server.url}/api/messages` };
}

let sequence = 0;

function teamsActivity(
  fixture: AuthFixture,
  serviceUrl: string,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  sequence += 1;
  return {
    id: String(1_700_000_100_000 + sequence),
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: '29:1user-ada', name: 'Ada', aadObjectId: '00000000-0000-0000-0000-00000000ada0' },
    conversation: {
      id: CHANNEL_THREAD,
      conversationType: 'channel',
      isGroup: true,
      tenantId: fixture.tenantId,
    },
    recipient: { id: `28:${fixture.appId}`, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: {
      tenant: { id: fixture.tenantId },
      team: { id: '19:team@thread.tacv2' },
      channel: { id: '19:d1a10ab0c0f1@thread.tacv2' },
    },
    ...fields,
  };
}

function message(fixture: AuthFixture, serviceUrl: string, text: string) {
  return teamsActivity(fixture, serviceUrl, {
    type: 'message',
    text: `<at>dialogrunde</at> ${text}`,
  });
}

async function post(
  endpoint: string,
  activity: Record<string, unknown>,
  authorization?: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined ? { authorization } : {}),
    },
    body: JSON.stringify(activity),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // keep text
  }
  return { status: response.status, body };
}

describe('CloudAdapter with JWT validation on, against a local Bot Connector', () => {
  let fixture: AuthFixture;
  let connector: FakeConnector;
  let restoreHttps: () => void;
  let harness: Bot;

  beforeAll(async () => {
    fixture = await startAuthFixture();
    restoreHttps = fixture.interceptMicrosoftKeyHosts();
    connector = await startFakeConnector({ acceptBearer: (t) => t === OUTBOUND_TOKEN });
    // Production-shaped configuration: nothing here points at the fixture.
    harness = await startBot({
      clientId: fixture.appId,
      tenantId: fixture.tenantId,
      clientSecret: 'never-used-because-msal-is-replaced',
      validateIssuer: true,
    });
  });

  afterEach(() => {
    connector.reset();
    harness.bot.reset();
    harness.tokens.scopes.length = 0;
  });

  afterAll(async () => {
    await harness?.server.close(100);
    await connector?.close();
    await fixture?.close();
    restoreHttps?.();
    clearJwksClients();
  });

  const bearer = (token: string) => `Bearer ${token}`;

  it('(i) processes a message with a valid token; the reply reaches the connector', async () => {
    const activity = message(fixture, connector.url, 'hej');
    const token = fixture.token({ serviceUrl: connector.url });
    const response = await post(harness.endpoint, activity, bearer(token));

    expect(response.status).toBe(200);
    expect(harness.bot.seen).toHaveLength(1);
    // Keys were fetched from the fixture through the intercepted
    // https://login.botframework.com/v1/.well-known/keys.
    expect(fixture.requests).toContain('/v1/.well-known/keys');

    expect(connector.calls).toHaveLength(1);
    const [reply] = connector.calls;
    // Inside a turn, sendActivity replies to the inbound activity:
    // POST /v3/conversations/:conversationId/activities/:replyToId
    expect(reply).toMatchObject({
      method: 'POST',
      route: 'reply',
      conversationId: CHANNEL_THREAD,
      activityId: activity.id,
      status: 201,
      bearer: OUTBOUND_TOKEN,
    });
    expect(reply?.body).toMatchObject({
      type: 'message',
      text: 'echo: hej',
      replyToId: activity.id,
      conversation: { id: CHANNEL_THREAD },
      from: { id: `28:${fixture.appId}` },
    });
    // The outbound token was requested for the Bot Framework scope.
    expect(harness.tokens.scopes).toContain(BOT_FRAMEWORK_SCOPE);
    expect(harness.bot.sentIds).toEqual([reply?.returnedId]);
  });

  const rejected: [string, () => string | undefined, RegExp][] = [
    ['missing', () => undefined, /authorization header not found/],
    ['malformed', () => 'Basic dXNlcjpwYXNz', /invalid authorization header/],
    ['expired', () => bearer(fixture.expiredToken({ serviceUrl: connector.url })), /jwt expired/],
    [
      'not yet valid',
      () => bearer(fixture.notYetValidToken({ serviceUrl: connector.url })),
      /jwt not active/,
    ],
    [
      'wrong-audience',
      () => bearer(fixture.wrongAudienceToken({ serviceUrl: connector.url })),
      /Audience mismatch/,
    ],
    [
      'wrong-issuer',
      () => bearer(fixture.wrongIssuerToken({ serviceUrl: connector.url })),
      /Issuer mismatch/,
    ],
    [
      'wrong-key',
      () => bearer(fixture.wrongKeyToken({ serviceUrl: connector.url })),
      /invalid signature/,
    ],
  ];

  it.each(rejected)(
    '(ii) a %s token gets 401 and no bot code runs',
    async (_name, auth, reason) => {
      const response = await post(harness.endpoint, message(fixture, connector.url, 'x'), auth());
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ 'jwt-auth-error': expect.stringMatching(reason) });
      expect(harness.bot.seen).toHaveLength(0);
      expect(connector.calls).toHaveLength(0);
    },
  );

  it('(ii) a valid token whose serviceurl claim names another host gets 400 (validateServiceUrl)', async () => {
    // Teams binds the token to the serviceUrl; without this check a replayed
    // token could point the bot (and its outbound bearer token) anywhere.
    const token = fixture.token({ serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    const response = await post(
      harness.endpoint,
      message(fixture, connector.url, 'x'),
      bearer(token),
    );
    expect(response.status).toBe(400);
    expect(harness.bot.seen).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });

  it('(iii) an adaptiveCard/action invoke gets the card back in the HTTP response body', async () => {
    const invoke = teamsActivity(fixture, connector.url, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: '1700000000123',
      value: {
        action: { type: 'Action.Execute', verb: 'vote', data: { value: 4 } },
        trigger: 'manual',
      },
    });
    const token = fixture.token({ serviceUrl: connector.url });
    const response = await post(harness.endpoint, invoke, bearer(token));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      statusCode: 200,
      type: CARD_CONTENT_TYPE,
      value: voteCard('Your vote: 4. You can change it until the card closes.'),
    });
    expect(harness.bot.seen).toHaveLength(1);
    // The invoke response travels in the HTTP answer, not through the connector.
    expect(connector.calls).toHaveLength(0);
  });

  it('(iv) context.updateActivity reaches the connector as a PUT on the activity', async () => {
    const token = fixture.token({ serviceUrl: connector.url });
    const response = await post(
      harness.endpoint,
      message(fixture, connector.url, 'card'),
      bearer(token),
    );
    expect(response.status).toBe(200);

    expect(connector.calls.map((c) => [c.method, c.route])).toEqual([
      ['POST', 'reply'],
      ['PUT', 'update'],
    ]);
    const [sent, update] = connector.calls;
    expect(update?.activityId).toBe(sent?.returnedId);
    expect(update?.path).toBe(`/v3/conversations/${CHANNEL_THREAD}/activities/${sent?.returnedId}`);
    expect(update?.bearer).toBe(OUTBOUND_TOKEN);
    const stored = connector.activity(CHANNEL_THREAD, sent?.returnedId ?? '');
    expect(stored?.updates).toBe(1);
    expect(stored?.activity).toMatchObject({
      attachments: [{ contentType: CARD_CONTENT_TYPE, content: voteCard('1 of 5 voted') }],
    });
  });

  async function storedReference(): Promise<ConversationReference> {
    const token = fixture.token({ serviceUrl: connector.url });
    await post(harness.endpoint, message(fixture, connector.url, 'ref'), bearer(token));
    const reference = harness.bot.references.at(-1);
    if (!reference) throw new Error('no reference captured');
    connector.reset();
    harness.bot.reset();
    // What we would persist: plain JSON.
    return JSON.parse(JSON.stringify(reference)) as ConversationReference;
  }

  it('(v) continueConversation with a stored reference posts to the connector', async () => {
    const reference = await storedReference();
    expect(reference).toMatchObject({
      serviceUrl: connector.url,
      channelId: 'msteams',
      conversation: { id: CHANNEL_THREAD, tenantId: fixture.tenantId },
      agent: { id: `28:${fixture.appId}` },
    });

    // Pitfall: continueConversation always *replies*. The continuation
    // activity's id is reference.activityId or, when absent, a random UUID the
    // SDK makes up; sendActivity turns it into replyToId, and CloudAdapter
    // sends every activity with a replyToId to POST .../activities/:replyToId
    // (botbuilder behaved the same and Teams accepts it). To post a new
    // message (POST .../activities) drop replyToId in onSendActivities.
    const topLevel = { ...reference, activityId: undefined };
    await harness.adapter.continueConversation(fixture.appId, topLevel, async (context) => {
      await context.sendActivity('svar til en opdigtet id');
    });
    await harness.adapter.continueConversation(fixture.appId, reference, async (context) => {
      await context.sendActivity('svar i tråden');
    });
    let sentId: string | undefined;
    await harness.adapter.continueConversation(fixture.appId, topLevel, async (context) => {
      context.onSendActivities(async (_ctx, activities, next) => {
        for (const activity of activities) activity.replyToId = undefined;
        return next();
      });
      sentId = (await context.sendActivity('Påmindelse: opfølgning forfalder i morgen'))?.id;
    });
    // Proactive edit of a card sent earlier (how coalesced group updates will go out).
    await harness.adapter.continueConversation(fixture.appId, topLevel, async (context) => {
      const edited = MessageFactory.text('redigeret');
      edited.id = sentId;
      await context.updateActivity(edited);
    });

    expect(connector.calls.map((c) => [c.method, c.route, c.activityId])).toEqual([
      ['POST', 'reply', expect.stringMatching(/^[0-9a-f-]{36}$/)],
      ['POST', 'reply', reference.activityId],
      ['POST', 'send', undefined],
      ['PUT', 'update', sentId],
    ]);
    expect(connector.calls.every((c) => c.bearer === OUTBOUND_TOKEN)).toBe(true);
    expect(connector.calls[2]?.body).toMatchObject({
      type: 'message',
      text: 'Påmindelse: opfølgning forfalder i morgen',
      conversation: { id: CHANNEL_THREAD },
    });
    expect(connector.activity(CHANNEL_THREAD, sentId ?? '')?.activity).toMatchObject({
      text: 'redigeret',
    });
    expect(harness.tokens.scopes.every((s) => s === BOT_FRAMEWORK_SCOPE)).toBe(true);
  });

  it('(v) createConversationAsync opens a 1:1 chat and sends into it', async () => {
    let conversationId: string | undefined;
    await harness.adapter.createConversationAsync(
      fixture.appId,
      'msteams',
      connector.url,
      BOT_FRAMEWORK_SCOPE,
      {
        isGroup: false,
        agent: { id: `28:${fixture.appId}` },
        members: [{ id: '29:1user-ada' }],
        tenantId: fixture.tenantId,
        channelData: { tenant: { id: fixture.tenantId } },
        activity: Activity.fromObject({ type: 'message', text: 'Hej Ada' }),
      },
      async (context) => {
        conversationId = context.activity.conversation?.id;
        await context.sendActivity('Din opfølgning forfalder i dag.');
      },
    );
    expect(conversationId).toBe('a:fake-conversation-1');
    expect(connector.calls.map((c) => [c.method, c.route, c.conversationId])).toEqual([
      ['POST', 'createConversation', undefined],
      ['POST', 'reply', 'a:fake-conversation-1'],
    ]);
    // Same reply pitfall: the synthetic "CreateConversation" activity's id is
    // the new conversation id, so the message is a reply "to" that id.
    expect(connector.calls[1]?.activityId).toBe('a:fake-conversation-1');
    // Pitfall: the SDK sends the bot account as `agent`, not the REST API's
    // `bot` field; the real service's tolerance of that is unverified.
    expect(connector.calls[0]?.body).toMatchObject({ agent: { id: `28:${fixture.appId}` } });
    expect(connector.calls[0]?.body).not.toHaveProperty('bot');
  });

  // Finding vi: ConnectorClient uses one fetch per call and throws HttpError
  // for any non-2xx; there is no retry and no Retry-After handling anywhere in
  // @microsoft/agents-hosting. The caller sees err.status and the headers.
  it.each([429, 412, 502, 504] as const)(
    '(vi) a %i from the connector is thrown to the caller once, without retry',
    async (status) => {
      const reference = await storedReference();
      connector.failNext(1, { status, retryAfterSeconds: 3 });
      let caught: unknown;
      await harness.adapter.continueConversation(fixture.appId, reference, async (context) => {
        try {
          await context.sendActivity('x');
        } catch (err) {
          caught = err;
        }
      });
      expect(caught).toBeInstanceOf(HttpError);
      const error = caught as HttpError;
      expect(error.status).toBe(status);
      expect(error.response.headers.get('retry-after')).toBe('3');
      expect(connector.callsFor(CHANNEL_THREAD)).toHaveLength(1);
    },
  );

  it('(vi) in a turn, an unhandled 429 goes to onTurnError, which by default posts error text into the chat', async () => {
    connector.failNext(1, { status: 429, retryAfterSeconds: 2 });
    const token = fixture.token({ serviceUrl: connector.url });
    const response = await post(
      harness.endpoint,
      message(fixture, connector.url, 'hej'),
      bearer(token),
    );
    // The HTTP answer to Teams is still 200: the error was "handled" by
    // CloudAdapter's default onTurnError, which sends two messages (the
    // trace activity is dropped outside the Emulator). Replace onTurnError.
    expect(response.status).toBe(200);
    expect(connector.calls.map((c) => [c.status, (c.body as { text?: string }).text])).toEqual([
      [429, 'echo: hej'],
      [201, 'The agent encountered an error or bug.'],
      [201, 'To continue to run this agent, please fix the source code.'],
    ]);
  });

  it('never tried to reach an HTTPS host other than the intercepted key hosts', () => {
    expect(fixture.blockedHosts).toEqual([]);
  });
});

describe('fake connector rate limits, seen through the SDK', () => {
  let fixture: AuthFixture;
  let restoreHttps: () => void;
  let harness: Bot;

  beforeAll(async () => {
    fixture = await startAuthFixture();
    restoreHttps = fixture.interceptMicrosoftKeyHosts();
    harness = await startBot({ clientId: fixture.appId, tenantId: fixture.tenantId });
  });

  afterAll(async () => {
    await harness?.server.close(100);
    await fixture?.close();
    restoreHttps?.();
    clearJwksClients();
  });

  it('(vi) the 8th message within one second in one thread gets 429 with Retry-After; other threads are unaffected', async () => {
    const clock = manualClock();
    const connector = await startFakeConnector({ now: clock.now });
    try {
      const reference = (conversationId: string): ConversationReference => ({
        channelId: 'msteams',
        serviceUrl: connector.url,
        conversation: { id: conversationId, isGroup: true, conversationType: 'channel' },
        agent: { id: `28:${fixture.appId}` },
      });
      const outcomes: (number | string)[] = [];
      const send = (conversationId: string) =>
        harness.adapter.continueConversation(
          fixture.appId,
          reference(conversationId),
          async (context) => {
            try {
              await context.sendActivity('x');
              outcomes.push('ok');
            } catch (err) {
              outcomes.push(err instanceof HttpError ? err.status : String(err));
            }
          },
        );
      for (let i = 0; i < 8; i++) await send('19:a@thread.tacv2');
      await send('19:b@thread.tacv2');
      expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 429, 'ok']);
      expect(connector.calls[7]?.retryAfter).toBe(1);

      clock.advance(1_000);
      await send('19:a@thread.tacv2');
      expect(outcomes.at(-1)).toBe('ok');
    } finally {
      await connector.close();
    }
  });
});

describe('fake connector windows (direct HTTP, manual clock)', () => {
  const send = (url: string, conversationId: string) =>
    fetch(`${url}v3/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x' }),
    });

  it('enforces 60 per 30 s and 1800 per hour, with Retry-After until the window frees', async () => {
    const clock = manualClock();
    const connector = await startFakeConnector({ now: clock.now });
    try {
      const thread = '19:c@thread.tacv2';
      // 60 calls, 400 ms apart: within 7/s and 8/2s, fills the 30 s window.
      for (let i = 0; i < 60; i++) {
        expect((await send(connector.url, thread)).status).toBe(201);
        clock.advance(400);
      }
      const throttled = await send(connector.url, thread);
      expect(throttled.status).toBe(429);
      // Now t = 24 s; the first call (t = 0) leaves the 30 s window in 6 s.
      expect(throttled.headers.get('retry-after')).toBe('6');
      clock.advance(5_999);
      expect((await send(connector.url, thread)).status).toBe(429);
      clock.advance(1);
      expect((await send(connector.url, thread)).status).toBe(201);

      connector.reset();
      // 1800 calls 550 ms apart stay under every shorter window.
      for (let i = 0; i < 1800; i++) {
        const response = await send(connector.url, thread);
        if (response.status !== 201) throw new Error(`call ${i} got ${response.status}`);
        clock.advance(550);
      }
      const hourly = await send(connector.url, thread);
      expect(hourly.status).toBe(429);
      // First of the 1800 was 990 s ago; it leaves the hour window in 2610 s.
      expect(hourly.headers.get('retry-after')).toBe('2610');
      clock.advance(2_610_000);
      expect((await send(connector.url, thread)).status).toBe(201);
    } finally {
      await connector.close();
    }
  });

  it('answers 401 without the expected bearer, and injected faults in order', async () => {
    const connector = await startFakeConnector({ acceptBearer: (t) => t === 'good' });
    try {
      const call = (token?: string) =>
        fetch(`${connector.url}v3/conversations/19:d@thread.tacv2/activities`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: '{}',
        });
      expect((await call()).status).toBe(401);
      expect((await call('bad')).status).toBe(401);
      connector.failNext(2, { status: 502 });
      connector.failNext(1, { status: 412 });
      expect((await call('good')).status).toBe(502);
      expect((await call('good')).status).toBe(502);
      expect((await call('good')).status).toBe(412);
      expect((await call('good')).status).toBe(201);
      expect(connector.calls.map((c) => c.hasAuth)).toEqual([false, true, true, true, true, true]);
    } finally {
      await connector.close();
    }
  });
});

describe('other configurations', () => {
  let fixture: AuthFixture;
  let connector: FakeConnector;
  let restoreHttps: () => void;
  const started: Bot[] = [];

  beforeAll(async () => {
    fixture = await startAuthFixture();
    restoreHttps = fixture.interceptMicrosoftKeyHosts();
    connector = await startFakeConnector();
  });

  afterEach(() => connector.reset());

  afterAll(async () => {
    for (const bot of started) await bot.server.close(100);
    await connector?.close();
    await fixture?.close();
    restoreHttps?.();
    clearJwksClients();
  });

  async function bot(
    config: AuthConfiguration,
    options?: CloudAdapterOptions,
    validator?: OutboundHostValidator,
  ) {
    const b = await startBot(config, options, validator);
    started.push(b);
    return b;
  }

  it('(b) anonymous mode (no clientId, not production): no token needed, outbound calls carry no Authorization', async () => {
    const anonymous = await bot({});
    const response = await post(anonymous.endpoint, message(fixture, connector.url, 'hej'));
    expect(response.status).toBe(200);
    expect(anonymous.bot.seen).toHaveLength(1);
    expect(connector.calls).toHaveLength(1);
    expect(connector.calls[0]).toMatchObject({ route: 'reply', hasAuth: false });
    expect(anonymous.tokens.scopes).toEqual([]);

    // A token sent to an anonymous bot is still verified, and fails (no audience configured).
    const withToken = await post(
      anonymous.endpoint,
      message(fixture, connector.url, 'hej'),
      `Bearer ${fixture.token()}`,
    );
    expect(withToken.status).toBe(401);
  });

  it('malformed activities: no conversation id → 400; not JSON → 500 from our error handler', async () => {
    const anonymous = await bot({});
    const noConversation = await post(anonymous.endpoint, { type: 'message', text: 'x' });
    expect(noConversation.status).toBe(400);
    // Without a JSON body, adapter.process throws (MissingRequestBody); express 5
    // passes the rejection to createHttpApp's error handler.
    const notJson = await fetch(anonymous.endpoint, { method: 'POST', body: 'x' });
    expect(notJson.status).toBe(500);
    expect(anonymous.bot.seen).toHaveLength(0);
  });

  it('(b) with NODE_ENV=production and no clientId the adapter refuses to start', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() => new CloudAdapter({})).toThrow(/ClientId required in production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('(a) an Entra-issued token for our tenant is accepted; keys come from {authority}/{tenant}/discovery/v2.0/keys', async () => {
    const b = await bot({
      clientId: fixture.appId,
      tenantId: fixture.tenantId,
      validateIssuer: true,
    });
    const token = fixture.token({
      issuer: fixture.entraIssuer,
      serviceUrl: connector.url,
      claims: { tid: fixture.tenantId, azp: 'ignored-by-sdk-for-abs' },
    });
    const activity = message(fixture, connector.url, 'hej');
    const response = await post(b.endpoint, activity, `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(fixture.requests).toContain(`/${fixture.tenantId}/discovery/v2.0/keys`);
    // With azp present the SDK asks for a token scoped to azp, not to Bot Framework.
    expect(b.tokens.scopes).toEqual(['ignored-by-sdk-for-abs']);
  });

  it('(a) config-only seam: authorityEndpoint on 127.0.0.1 serves keys for non-Bot-Framework issuers', async () => {
    const b = await bot({
      clientId: fixture.appId,
      tenantId: fixture.tenantId,
      authorityEndpoint: fixture.url,
      validateIssuer: true,
    });
    fixture.requests.length = 0;
    // Default issuers derive from the authority: `${authority}/${tenant}/v2.0` is accepted.
    const token = fixture.token({
      issuer: `${fixture.url}/${fixture.tenantId}/v2.0`,
      serviceUrl: connector.url,
    });
    const response = await post(
      b.endpoint,
      message(fixture, connector.url, 'hej'),
      `Bearer ${token}`,
    );
    expect(response.status).toBe(200);
    expect(fixture.requests).toEqual([`/${fixture.tenantId}/discovery/v2.0/keys`]);
  });

  it('(a) pitfall: without validateIssuer the SDK does not check iss at all', async () => {
    const lax = await bot({ clientId: fixture.appId, tenantId: fixture.tenantId });
    // Signed by a key the JWKS for that issuer contains, but issued by a stranger.
    const token = fixture.wrongIssuerToken({ serviceUrl: connector.url });
    const response = await post(
      lax.endpoint,
      message(fixture, connector.url, 'hej'),
      `Bearer ${token}`,
    );
    expect(response.status).toBe(200);
  });

  it('OutboundHostValidator (production setting) rejects a serviceUrl outside Microsoft hosts with 400', async () => {
    const strict = await bot(
      { clientId: fixture.appId, tenantId: fixture.tenantId, validateIssuer: true },
      { validateServiceUrl: true },
      new OutboundHostValidator({ enabled: true }),
    );
    const response = await post(
      strict.endpoint,
      message(fixture, connector.url, 'hej'),
      `Bearer ${fixture.token({ serviceUrl: connector.url })}`,
    );
    expect(response.status).toBe(400);
    expect(strict.bot.seen).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });
});
