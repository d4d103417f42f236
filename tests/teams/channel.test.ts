/**
 * The Teams channel slice (src/channels/teams): the real CloudAdapter on our
 * express app, the embedded app (SQLite :memory:), TeamsOutput and TeamsBot,
 * against the local fake Bot Connector. Inbound runs in anonymous mode (auth
 * is the spike's subject); outbound calls carry a local token.
 *
 * Time: the app, the outbox and the fake connector share one ManualScheduler,
 * so coalescing and rate limits run on virtual time; HTTP is real (127.0.0.1).
 */
import {
  type AuthConfiguration,
  CloudAdapter,
  ConnectionManager,
  getAuthConfigWithDefaults,
} from '@microsoft/agents-hosting';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import { quietTurnErrors, TeamsBot } from '../../src/channels/teams/invoke.ts';
import { TeamsOutput } from '../../src/channels/teams/output.ts';
import { type ConversationRef, cardBox } from '../../src/core/model.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';
import { CONTENT_TYPE, DEFAULT_ROUND_DEFAULTS, LocalTokenProvider } from './harness.ts';

const APP_ID = '00000000-0000-0000-0000-0000000a9900';
const TENANT = 'tenant-1';
const THREAD = '19:d1a10ab0c0f1@thread.tacv2';
const CONVERSATION: ConversationRef = {
  platform: 'teams',
  tenant: TENANT,
  conversationId: THREAD,
};
const SECRET = 'teams-channel-test-secret-0123456789-abcdef';
const FACILITATOR = 'aad-facilitator';

interface World {
  time: ManualScheduler;
  connector: FakeConnector;
  app: EmbeddedApp;
  output: TeamsOutput;
  server: RunningServer;
  endpoint: string;
}

async function startWorld(): Promise<World> {
  const time = new ManualScheduler(Date.UTC(2026, 10, 23, 9, 0, 0));
  const connector = await startFakeConnector({ now: () => time.now() });
  const config: AuthConfiguration = {};
  const adapter = new CloudAdapter(config, undefined, undefined, { validateServiceUrl: true });
  adapter.connectionManager = new ConnectionManager(
    () => new LocalTokenProvider(config),
    undefined,
    undefined,
    getAuthConfigWithDefaults(config),
  );
  const logger = silentLogger();
  quietTurnErrors(adapter, logger);
  // The output needs the store's memory and the app needs the output: late binding.
  let output: TeamsOutput | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: time,
    output: { send: (m) => (output ? output.send(m) : Promise.resolve()) },
    decks: DeckCatalog.load(),
    defaults: DEFAULT_ROUND_DEFAULTS,
    logger,
  });
  output = new TeamsOutput({
    adapter,
    appId: APP_ID,
    memory: app.store.channelMemory,
    clock: time,
    timers: time,
    logger,
  });
  const bot = new TeamsBot({ service: app.service, memory: app.store.channelMemory, logger });
  const http = createHttpApp({ logger, ready: async () => true }, (e) => {
    e.post(
      '/api/messages',
      express.json({ limit: '256kb' }),
      (req, res, next) => adapter.authorizeRequest(req, res, next),
      (req, res) => adapter.process(req, res, (context) => bot.run(context)),
    );
  });
  const server = await listen(http, 0, '127.0.0.1');
  await app.store.channelMemory.saveConversation({
    platform: 'teams',
    tenant: TENANT,
    conversationId: THREAD,
    data: JSON.stringify({
      reference: {
        serviceUrl: connector.url,
        channelId: 'msteams',
        conversation: {
          id: THREAD,
          tenantId: TENANT,
          isGroup: true,
          conversationType: 'channel',
        },
        agent: { id: `28:${APP_ID}`, name: 'dialogrunde' },
        locale: 'da-DK',
      },
    }),
  });
  return { time, connector, app, output, server, endpoint: `${server.url}/api/messages` };
}

let sequence = 0;

function invoke(w: World, aadObjectId: string, verb: string, data: Record<string, unknown>) {
  sequence += 1;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `invoke-${sequence}`,
    timestamp: new Date(w.time.now()).toISOString(),
    serviceUrl: w.connector.url,
    channelId: 'msteams',
    from: { id: `29:${aadObjectId}`, name: aadObjectId, aadObjectId },
    conversation: {
      id: THREAD,
      conversationType: 'channel',
      isGroup: true,
      tenantId: TENANT,
    },
    recipient: { id: `28:${APP_ID}`, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: { tenant: { id: TENANT } },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

async function post(w: World, activity: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(w.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Invokes a card action and returns the card from the invoke response (as JSON text). */
async function act(
  w: World,
  who: string,
  verb: string,
  data: Record<string, unknown>,
): Promise<string> {
  const response = await post(w, invoke(w, who, verb, data));
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ statusCode: 200, type: CONTENT_TYPE });
  const card = (response.body as { value: unknown }).value;
  expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  return JSON.stringify(card);
}

/** Moves virtual time until the outbox has nothing queued, waiting or timed. */
async function drain(w: World): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const stats = w.output.stats();
    if (stats.queued === 0 && stats.pending === 0 && w.time.pendingTimers === 0) return;
    await w.time.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the outbox did not drain');
}

const facilitator: Identity = { platform: 'teams', tenant: TENANT, userId: FACILITATOR };

/** Starts a sync round as the facilitator and opens its first card through invokes. */
async function openFirstCard(w: World): Promise<{ roundId: string; cardId: string }> {
  const started = await w.app.service.start(facilitator, {
    conversation: CONVERSATION,
    starterJoins: false,
  });
  if (!started.ok) throw new Error(started.error.code);
  const { roundId } = started.value;
  for (const step of ['intro', 'scope', 'status']) {
    const card = await act(w, FACILITATOR, 'next', { command: 'next', value: step });
    expect(card).toContain('Til mødelederen');
  }
  const card = await act(w, FACILITATOR, 'openNextCard', { command: 'openNextCard', value: '' });
  expect(card).toContain('Kun mødelederen ser dette.');
  const state = (await w.app.store.load(roundId))?.state;
  expect(state?.step).toBe('rating');
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open');
  if (!cardId) throw new Error('no open card');
  await drain(w);
  return { roundId, cardId };
}

/** The group's message for a card (view key `${roundId}:card:${cardId}`). */
async function cardMessage(w: World, roundId: string, cardId: string) {
  const key = `${roundId}:card:${cardId}`;
  const id = await w.app.store.channelMemory.message('teams', THREAD, key);
  expect(id).toBeDefined();
  const stored = w.connector.activity(THREAD, id ?? '');
  expect(stored).toBeDefined();
  return { id: id ?? '', stored, text: JSON.stringify(stored?.activity ?? {}) };
}

/** Every 429 the connector answered was followed by a successful call of the same kind. */
function every429Retried(w: World): void {
  const calls = w.connector.callsFor(THREAD);
  calls.forEach((call, i) => {
    if (call.status !== 429) return;
    const retried = calls
      .slice(i + 1)
      .some(
        (c) =>
          c.route === call.route &&
          c.activityId === call.activityId &&
          c.status >= 200 &&
          c.status < 300,
      );
    expect(retried, `429 on ${call.method} ${call.path} was not retried`).toBe(true);
  });
  expect(w.output.stats().failed).toBe(0);
}

describe('Teams channel: invokes in, coalesced cards out', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.output.close();
    await w.server.close(100);
    await w.app.close();
    await w.connector.close();
  });

  it('five members vote: each gets their own card back; the group card is posted once, then edited', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const posted = await cardMessage(w, roundId, cardId);
    expect(posted.stored?.updates).toBe(0);
    expect(posted.text).toContain('0 af 0 har stemt');

    const values = ['1', '2', '4', '5', 'na'];
    for (const [n, value] of values.entries()) {
      const card = await act(w, `aad-member-${n}`, 'vote', { command: 'vote', cardId, value });
      const shown = value === 'na' ? 'Ved ikke' : value;
      expect(card).toContain(`Din stemme: ${shown}`);
      expect(card).toContain(`${n + 1} af ${n + 1} har stemt`);
    }
    await drain(w);

    const sends = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'send' && JSON.stringify(c.body).includes(cardId));
    expect(sends.filter((c) => c.status === 201)).toHaveLength(1);
    const final = await cardMessage(w, roundId, cardId);
    expect(final.id).toBe(posted.id);
    expect(final.stored?.updates).toBeGreaterThanOrEqual(1);
    expect(final.text).toContain('5 af 5 har stemt');
    // The group's card never carries anybody's own vote.
    expect(final.text).not.toContain('Din stemme');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(5);
    // Replies are never used for these posts: new top-level messages only.
    expect(w.connector.callsFor(THREAD).some((c) => c.route === 'reply')).toBe(false);
    // The facilitator's script never reached the group.
    const everything = JSON.stringify(w.connector.activitiesIn(THREAD));
    expect(everything).not.toContain('Kun mødelederen ser dette.');
    every429Retried(w);
  });

  it('a burst of 40 votes in one second gives a handful of edits and the right final count', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const before = (await cardMessage(w, roundId, cardId)).stored?.updates ?? 0;
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          act(w, `aad-burst-${batch * 10 + i}`, 'vote', {
            command: 'vote',
            cardId,
            value: String(1 + ((batch + i) % 5)),
          }),
        ),
      );
      await w.time.advance(250);
    }
    await drain(w);
    const final = await cardMessage(w, roundId, cardId);
    const edits = (final.stored?.updates ?? 0) - before;
    expect(edits).toBeGreaterThanOrEqual(1);
    expect(edits).toBeLessThanOrEqual(5);
    expect(final.text).toContain('40 af 40 har stemt');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(40);
    const puts = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'update' && c.activityId === final.id);
    expect(puts.filter((c) => c.status === 200)).toHaveLength(edits);
    every429Retried(w);
  });

  it('retries 429 (after its Retry-After), 412, 502 and 504 from the connector', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const { id } = await cardMessage(w, roundId, cardId);
    // Opening the card also edits the rating overview: let that go out first.
    await drain(w);
    w.connector.failNext(1, { status: 429, retryAfterSeconds: 3, conversationId: THREAD });
    w.connector.failNext(1, { status: 412, conversationId: THREAD });
    w.connector.failNext(1, { status: 502, conversationId: THREAD });
    w.connector.failNext(1, { status: 504, conversationId: THREAD });
    await act(w, 'aad-ada', 'vote', { command: 'vote', cardId, value: '4' });
    await drain(w);
    const puts = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'update' && c.activityId === id);
    expect(puts.map((c) => c.status)).toEqual([429, 412, 502, 504, 200]);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(3000);
    expect(w.connector.activity(THREAD, id)?.activity).toBeDefined();
    expect(JSON.stringify(w.connector.activity(THREAD, id)?.activity)).toContain(
      '1 af 1 har stemt',
    );
    expect(w.output.stats()).toMatchObject({ retried: 4, failed: 0 });
    // Nothing went into the chat about the failures (the SDK's default onTurnError would).
    expect(w.connector.callsFor(THREAD).filter((c) => c.route === 'send')).toHaveLength(5);
  });

  it('an Action.Submit fallback (message with value) votes for the envelope user', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const activity = invoke(w, 'aad-old-client', 'vote', {});
    const submit = {
      ...activity,
      type: 'message',
      name: undefined,
      value: { command: 'vote', cardId, value: '5', userId: 'forged' },
    };
    const response = await post(w, submit);
    expect(response.status).toBe(200);
    expect(
      await w.app.service.ballotOf(
        roundId,
        { platform: 'teams', tenant: TENANT, userId: 'aad-old-client' },
        cardBox(cardId),
      ),
    ).toBe(5);
    await drain(w);
  });

  it('identity comes from the envelope: forged ids in the card data are ignored', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const first = await act(w, 'aad-ada', 'vote', {
      command: 'vote',
      cardId,
      value: '3',
      userId: 'forged-1',
      aadObjectId: 'forged-1',
      from: { aadObjectId: 'forged-1' },
    });
    expect(first).toContain('Din stemme: 3');
    const second = await act(w, 'aad-ada', 'vote', {
      command: 'vote',
      cardId,
      value: '4',
      userId: 'forged-2',
      aadObjectId: 'forged-2',
      tenant: 'tenant-evil',
    });
    expect(second).toContain('Din stemme: 4');
    expect(second).toContain('1 af 1 har stemt');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
    expect(
      await w.app.service.ballotOf(
        roundId,
        { platform: 'teams', tenant: TENANT, userId: 'aad-ada' },
        cardBox(cardId),
      ),
    ).toBe(4);

    // A member who is not the facilitator cannot close the card, forged id or not.
    const refused = await act(w, 'aad-ada', 'closeCard', {
      command: 'closeCard',
      value: cardId,
      aadObjectId: FACILITATOR,
    });
    expect(refused).toContain('Det er kun mødelederen, der kan gøre det.');
    expect((await w.app.store.load(roundId))?.state.cards[cardId]).toBe('open');
    await drain(w);
  });

  it('a closed card answers with a Danish refusal card', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    await act(w, 'aad-ada', 'vote', { command: 'vote', cardId, value: '2' });
    const closed = await act(w, FACILITATOR, 'closeCard', { command: 'closeCard', value: cardId });
    expect(closed).toContain('Til mødelederen');
    expect((await w.app.store.load(roundId))?.state.cards[cardId]).toBe('closed');

    const refusal = await act(w, 'aad-bo', 'vote', { command: 'vote', cardId, value: '5' });
    expect(refusal).toContain('Afstemningen om kortet er lukket.');
    expect(refusal).not.toContain('Din stemme');
    expect((await w.app.store.counts(roundId)).tallies[cardBox(cardId)]?.ballots).toBe(1);
    await drain(w);
    every429Retried(w);
  });

  it('back with the step the facilitator saw; a stale next is refused, not applied twice', async () => {
    const { roundId } = await openFirstCard(w);
    const back = await act(w, FACILITATOR, 'back', { command: 'back', value: 'rating' });
    expect(back).toContain('Til mødelederen');
    expect((await w.app.store.load(roundId))?.state.step).toBe('status');
    // A double click on an old "next" (from: scope) must not skip ahead.
    const stale = await act(w, FACILITATOR, 'next', { command: 'next', value: 'scope' });
    expect(stale).not.toContain('Kun mødelederen ser dette.');
    expect((await w.app.store.load(roundId))?.state.step).toBe('status');
    await drain(w);
  });
});
