/**
 * In-process Teams and Slack setups for the burst benchmark, in REAL time.
 *
 * They mirror `tests/teams/harness.ts` (startTeamsWorld) and
 * `tests/slack/harness.ts` (startWorld): the real CloudAdapter with JWT
 * validation (tests/teams/auth-fixture.ts), the real Bolt App with signed
 * requests, our express server on 127.0.0.1, the channel outputs with their
 * outboxes, and the fake platforms (tests/teams/fake-connector.ts,
 * tests/slack/fake-slack.ts) with the platforms' rate limits and 429 +
 * Retry-After. Two differences from the harnesses:
 * - time is the system clock and Node's timers (the harnesses use a
 *   ManualScheduler, so a benchmark could not see how long anything takes);
 * - the store is a choice: an SQLite file (WAL, as in production) or Redis
 *   with a unique key prefix, plus the Redis edit gate as main.ts wires it.
 * The harnesses' payload builders (invoke, press, actionBody, …) are reused:
 * they only read the world fields provided here.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuthConfiguration,
  ConnectionManager,
  getAuthConfigWithDefaults,
} from '@microsoft/agents-hosting';
import { systemClock } from '../../src/app/clock.ts';
import { type App, createApp } from '../../src/app/compose.ts';
import type { DeckCatalog } from '../../src/app/decks.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { EditGate } from '../../src/app/outbox/edit-gate.ts';
import { systemTimers } from '../../src/app/outbox/timers.ts';
import { lateOutput } from '../../src/app/output-router.ts';
import type { RoundDefaults } from '../../src/app/round-service.ts';
import { createSlackChannel, type SlackChannel } from '../../src/channels/slack/index.ts';
import { createTeamsChannel, type TeamsChannel } from '../../src/channels/teams/index.ts';
import { TeamsOutput } from '../../src/channels/teams/output.ts';
import type { ChannelOutput } from '../../src/core/ports.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { openRedisEditGate, type RedisEditGate } from '../../src/store/redis-edit-gate.ts';
import { deleteKeys } from '../../tests/fixtures/redis.ts';
import type { FakeSlack } from '../../tests/slack/fake-slack.ts';
import { startFakeSlack } from '../../tests/slack/fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, TEAM, type World } from '../../tests/slack/harness.ts';
import type { AuthFixture } from '../../tests/teams/auth-fixture.ts';
import { type FakeConnector, startFakeConnector } from '../../tests/teams/fake-connector.ts';
import { LocalTokenProvider, OUTBOUND_TOKEN, type TeamsWorld } from '../../tests/teams/harness.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type StoreKind = 'sqlite' | 'redis';

interface StoreParts {
  app: App;
  editGate?: RedisEditGate;
  /** Closes the app and gate, deletes the SQLite directory or the Redis keys. */
  dispose(): Promise<void>;
  label: string;
}

const SECRET = 'burst-bench-secret-0123456789-abcdef';

async function openStore(
  kind: StoreKind,
  parts: { decks: DeckCatalog; defaults: RoundDefaults; output: ChannelOutput },
): Promise<StoreParts> {
  const common = {
    secret: SECRET,
    clock: systemClock,
    output: parts.output,
    decks: parts.decks,
    defaults: parts.defaults,
    logger: silentLogger(),
  };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-burst-'));
    const app = await createApp({
      ...common,
      store: { kind: 'sqlite', path: join(dir, 'db.sqlite') },
    });
    return {
      app,
      label: 'SQLite file (WAL)',
      dispose: async () => {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const prefix = `dialogrunde-bench:burst:${randomUUID()}:`;
  const app = await createApp({ ...common, store: { kind: 'redis', url: REDIS_URL, prefix } });
  const editGate = await openRedisEditGate({ url: REDIS_URL, prefix, onError: () => {} });
  return {
    app,
    editGate,
    label: 'Redis (+ edit gate)',
    dispose: async () => {
      await editGate.close();
      await app.close();
      await deleteKeys(REDIS_URL, prefix);
    },
  };
}

/* ------------------------------------------------------------------ Teams */

export interface BurstTeams {
  /** Shaped like the harness's world, for its payload builders (invoke, mention, post). */
  world: TeamsWorld;
  connector: FakeConnector;
  app: App;
  output: TeamsOutput;
  storeLabel: string;
  close(): Promise<void>;
}

export async function startBurstTeams(options: {
  store: StoreKind;
  tenant: string;
  auth: AuthFixture;
  decks: DeckCatalog;
  defaults: RoundDefaults;
}): Promise<BurstTeams> {
  const { auth } = options;
  const connector = await startFakeConnector({
    acceptBearer: (t: string | undefined) => t === OUTBOUND_TOKEN,
  });
  let teams: TeamsChannel | undefined;
  const output = lateOutput(() => teams?.output);
  const store = await openStore(options.store, {
    decks: options.decks,
    defaults: options.defaults,
    output,
  });
  const { app } = store;
  const logger = silentLogger();
  teams = createTeamsChannel({
    config: {
      enabled: true,
      appId: auth.appId,
      appPassword: 'never-used-because-msal-is-replaced',
      tenantId: auth.tenantId,
      allowAnonymous: false,
      tenantAllowlist: [options.tenant],
    },
    logger,
    clock: systemClock,
    timers: systemTimers,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    serviceHosts: ['127.0.0.1'],
    ...(store.editGate && { editGate: store.editGate as EditGate }),
  });
  const authConfig: AuthConfiguration = { clientId: auth.appId, tenantId: auth.tenantId };
  teams.adapter.connectionManager = new ConnectionManager(
    () => new LocalTokenProvider(authConfig),
    undefined,
    undefined,
    getAuthConfigWithDefaults(authConfig),
  );
  const channel = teams;
  if (!(channel.output instanceof TeamsOutput)) throw new Error('no TeamsOutput');
  const teamsOutput = channel.output;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => channel.mount(e));
  const server: RunningServer = await listen(http, 0, '127.0.0.1');
  const world = {
    tenant: options.tenant,
    time: systemClock,
    connector,
    app,
    teams: channel,
    output: teamsOutput,
    server,
    endpoint: `${server.url}/api/messages`,
    botId: `28:${auth.appId}`,
    sent: [],
    logs: [],
    auth,
    close: async () => {},
  } as unknown as TeamsWorld;
  return {
    world,
    connector,
    app,
    output: teamsOutput,
    storeLabel: store.label,
    close: async () => {
      await channel.close();
      await server.close(100);
      await store.dispose();
      await connector.close();
    },
  };
}

/* ------------------------------------------------------------------ Slack */

export interface BurstSlack {
  /** Shaped like the harness's world, for its payload builders (actionBody, commandBody). */
  world: World;
  slack: FakeSlack;
  app: App;
  channel: SlackChannel;
  endpoint: string;
  storeLabel: string;
  close(): Promise<void>;
}

export async function startBurstSlack(options: {
  store: StoreKind;
  decks: DeckCatalog;
  defaults: RoundDefaults;
  /** conversations.members of the fake, per channel. */
  members?: Record<string, string[]>;
}): Promise<BurstSlack> {
  const slack = await startFakeSlack({
    token: BOT_TOKEN,
    teamId: TEAM,
    ...(options.members && { members: options.members }),
  });
  let channel: SlackChannel | undefined;
  const store = await openStore(options.store, {
    decks: options.decks,
    defaults: options.defaults,
    output: lateOutput(() => channel?.output),
  });
  const { app } = store;
  const logger = silentLogger();
  channel = createSlackChannel({
    config: {
      enabled: true,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      appToken: null,
      oauth: null,
    },
    logger,
    clock: systemClock,
    timers: systemTimers,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    apiUrl: slack.apiUrl,
    installations: app.store.installations,
    secret: SECRET,
    ...(store.editGate && { editGate: store.editGate as EditGate }),
  });
  const mounted = channel;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => mounted.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  const endpoint = `${server.url}/slack/events`;
  const world = {
    time: systemClock,
    slack,
    app,
    channel: mounted,
    server,
    endpoint,
    close: async () => {},
  } as unknown as World;
  return {
    world,
    slack,
    app,
    channel: mounted,
    endpoint,
    storeLabel: store.label,
    close: async () => {
      await mounted.idle();
      await mounted.close();
      await server.close(100);
      await store.dispose();
      await slack.close();
    },
  };
}

/** Resolves once `check` holds (polled every `everyMs`), or throws after `ms`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms: number,
  everyMs = 5,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The round just started in a conversation and its one open card, once the
 * card's message is posted: the message's platform id is then in the channel
 * memory (`messageId` reads it again, after later edits settled).
 */
export async function openCardMessage(
  app: App,
  where: { platform: 'teams' | 'slack'; tenant: string; conversationId: string },
  ms: number,
): Promise<{ roundId: string; cardId: string; messageId: () => Promise<string> }> {
  const [round] = await app.store.listByConversation(where, 1);
  const roundId = round?.id ?? '';
  const state = (await app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open') ?? '';
  const key = `${roundId}:card:${cardId}`;
  const memory = app.store.channelMemory;
  const messageId = async () =>
    (await memory.message(where.platform, where.conversationId, key)) ?? '';
  await until('the card post', async () => (await messageId()) !== '', ms);
  return { roundId, cardId, messageId };
}
