/**
 * Issue 4, "Security", through OUR route: createTeamsChannel mounted by
 * createHttpApp on 127.0.0.1, with production-shaped configuration (app id,
 * secret, tenant, issuer and service-url checks). Inbound tokens are signed
 * by tests/teams/auth-fixture.ts, whose keys the SDK fetches through the
 * intercepted Microsoft key hosts (as in the spike); outbound calls go to the
 * local fake Bot Connector with a local bearer token. Nothing leaves 127.0.0.1.
 */
import {
  type AuthConfiguration,
  type AuthProvider,
  ConnectionManager,
  clearJwksClients,
  getAuthConfigWithDefaults,
} from '@microsoft/agents-hosting';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { type Logger, silentLogger } from '../../src/app/logger.ts';
import {
  activityKey,
  createTeamsChannel,
  type TeamsChannel,
} from '../../src/channels/teams/index.ts';
import type { TeamsConfig } from '../../src/config.ts';
import { t } from '../../src/core/i18n/index.ts';
import { type ConversationRef, cardBox } from '../../src/core/model.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type AuthFixture, startAuthFixture } from './auth-fixture.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';
import { DEFAULT_ROUND_DEFAULTS } from './harness.ts';

const OUTBOUND_TOKEN = 'local-outbound-token';
const TENANT = 'tenant-customer-1';
const THREAD = '19:5ecu417y@thread.tacv2';
const CONVERSATION: ConversationRef = { platform: 'teams', tenant: TENANT, conversationId: THREAD };
const SECRET = 'teams-security-test-secret-0123456789-abcdef';
const FACILITATOR = 'aad-facilitator';
const facilitator: Identity = { platform: 'teams', tenant: TENANT, userId: FACILITATOR };

/** Outbound token requests that fail before one succeeds again (an Entra outage). */
let tokenFailures = 0;

class LocalTokenProvider implements AuthProvider {
  connectionSettings?: AuthConfiguration;
  constructor(settings: AuthConfiguration) {
    this.connectionSettings = settings;
  }
  async getAccessToken(): Promise<string> {
    if (tokenFailures > 0) {
      tokenFailures -= 1;
      throw new Error('token endpoint unavailable');
    }
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

/** Records log messages (not their fields), to check what is said. */
function recordingLogger(lines: string[]): Logger {
  const base = silentLogger();
  const wrap =
    (level: string) =>
    (...args: unknown[]) => {
      const text = args.find((a) => typeof a === 'string');
      lines.push(`${level}: ${String(text)}`);
      const fields = args.find((a) => typeof a === 'object' && a !== null);
      if (fields) lines.push(JSON.stringify(fields));
    };
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && ['info', 'warn', 'error', 'debug'].includes(prop)) {
        return wrap(prop);
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

interface World {
  app: EmbeddedApp;
  teams: TeamsChannel;
  server: RunningServer;
  endpoint: string;
  logs: string[];
}

let fixture: AuthFixture;
let connector: FakeConnector;
let restoreHttps: () => void;

beforeAll(async () => {
  fixture = await startAuthFixture();
  restoreHttps = fixture.interceptMicrosoftKeyHosts();
  connector = await startFakeConnector({ acceptBearer: (t) => t === OUTBOUND_TOKEN });
});

afterAll(async () => {
  await connector?.close();
  await fixture?.close();
  restoreHttps?.();
  clearJwksClients();
});

async function startWorld(overrides: Partial<TeamsConfig> = {}): Promise<World> {
  const logs: string[] = [];
  const logger = recordingLogger(logs);
  let teams: TeamsChannel | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: systemClock,
    output: { send: (m) => teams?.output.send(m) ?? Promise.resolve() },
    decks: DeckCatalog.load(),
    defaults: DEFAULT_ROUND_DEFAULTS,
    logger,
  });
  const config: TeamsConfig = {
    enabled: true,
    appId: fixture.appId,
    appPassword: 'never-used-because-msal-is-replaced',
    tenantId: fixture.tenantId,
    allowAnonymous: false,
    tenantAllowlist: [],
    ...overrides,
  };
  teams = createTeamsChannel({
    config,
    logger,
    clock: systemClock,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    serviceHosts: ['127.0.0.1'],
  });
  const authConfig: AuthConfiguration = { clientId: fixture.appId, tenantId: fixture.tenantId };
  teams.adapter.connectionManager = new ConnectionManager(
    () => new LocalTokenProvider(authConfig),
    undefined,
    undefined,
    getAuthConfigWithDefaults(authConfig),
  );
  const channel = teams;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => channel.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  return { app, teams, server, endpoint: `${server.url}/api/messages`, logs };
}

async function stopWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.teams.close();
  await w.server.close(100);
  await w.app.close();
}

let sequence = 0;

function invoke(aadObjectId: string, data: Record<string, unknown>, tenant = TENANT) {
  sequence += 1;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `security-${sequence}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: `29:${aadObjectId}`, name: aadObjectId, aadObjectId },
    conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: tenant },
    recipient: { id: `28:${fixture.appId}`, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: { tenant: { id: tenant } },
    value: {
      action: { type: 'Action.Execute', verb: String(data.command), data },
      trigger: 'manual',
    },
  };
}

const bearer = (token: string) => `Bearer ${token}`;
const validAuth = () => bearer(fixture.token({ serviceUrl: connector.url }));

async function post(
  w: World,
  body: unknown,
  authorization: string | undefined,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(w.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined ? { authorization } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

/** Starts a round in THREAD and opens its first card as the facilitator (service calls). */
async function openFirstCard(w: World): Promise<{ roundId: string; cardId: string }> {
  const started = await w.app.service.start(facilitator, {
    conversation: CONVERSATION,
    starterJoins: false,
  });
  if (!started.ok) throw new Error(started.error.code);
  const { roundId } = started.value;
  for (const from of ['intro', 'scope', 'status'] as const) {
    const moved = await w.app.service.command(roundId, facilitator, { type: 'next', from });
    if (!moved.ok) throw new Error(moved.error.code);
  }
  const opened = await w.app.service.command(roundId, facilitator, { type: 'openNextCard' });
  if (!opened.ok) throw new Error(opened.error.code);
  const state = (await w.app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open');
  if (!cardId) throw new Error('no open card');
  return { roundId, cardId };
}

async function ballots(w: World, roundId: string, cardId: string): Promise<number> {
  return (await w.app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0;
}

async function rememberedConversation(w: World, tenant = TENANT): Promise<string | undefined> {
  return w.app.store.channelMemory.conversation('teams', tenant, THREAD);
}

describe('Teams security: JWT validation on our /api/messages', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await stopWorld(w);
    connector.reset();
  });

  const rejected: [string, () => string | undefined][] = [
    ['missing', () => undefined],
    ['expired', () => bearer(fixture.expiredToken({ serviceUrl: connector.url }))],
    ['wrong-audience', () => bearer(fixture.wrongAudienceToken({ serviceUrl: connector.url }))],
    ['wrong-issuer', () => bearer(fixture.wrongIssuerToken({ serviceUrl: connector.url }))],
    ['wrong-key', () => bearer(fixture.wrongKeyToken({ serviceUrl: connector.url }))],
  ];

  it.each(rejected)('a %s token gets 401 and changes nothing', async (_name, auth) => {
    const { roundId, cardId } = await openFirstCard(w);
    const activity = invoke('aad-mallory', { command: 'vote', cardId, value: '5' });
    const response = await post(w, activity, auth());
    expect(response.status).toBe(401);
    expect(await ballots(w, roundId, cardId)).toBe(0);
    expect(await rememberedConversation(w)).toBeUndefined();
    // The activity id was not claimed: the genuine delivery still works.
    const genuine = await post(w, activity, validAuth());
    expect(genuine.status).toBe(200);
    expect(JSON.stringify(genuine.body)).toContain('Din stemme: 5');
    expect(await ballots(w, roundId, cardId)).toBe(1);
  });

  it('a valid token passes: the vote counts and the conversation is remembered', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const response = await post(
      w,
      invoke('aad-ada', { command: 'vote', cardId, value: '4' }),
      validAuth(),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    expect(JSON.stringify(response.body)).toContain('Din stemme: 4');
    expect(await ballots(w, roundId, cardId)).toBe(1);
    expect(await rememberedConversation(w)).toBeDefined();
    // Keys came from the fixture through the intercepted Microsoft host, nowhere else.
    expect(fixture.requests).toContain('/v1/.well-known/keys');
    expect(fixture.blockedHosts).toEqual([]);
  });

  it('a token bound to another serviceUrl gets 401 and changes nothing', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const token = fixture.token({ serviceUrl: 'https://smba.trafficmanager.net/emea/' });
    const response = await post(
      w,
      invoke('aad-ada', { command: 'vote', cardId, value: '4' }),
      bearer(token),
    );
    expect(response.status).toBe(401);
    expect(await ballots(w, roundId, cardId)).toBe(0);
    expect(w.logs).toContain('warn: teams: activity serviceUrl differs from its token; refused');
  });

  it('the same activity id delivered twice has one effect', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const vote = invoke('aad-ada', { command: 'vote', cardId, value: '2' });
    expect((await post(w, vote, validAuth())).status).toBe(200);
    const again = await post(w, vote, validAuth());
    expect(again.status).toBe(200);
    expect(again.body).toBeUndefined();
    expect(await ballots(w, roundId, cardId)).toBe(1);

    // A command without `from` would advance twice if it ran twice.
    const before = (await w.app.store.load(roundId))?.state.step;
    expect(before).toBe('rating');
    const close = invoke(FACILITATOR, { command: 'closeCard', value: cardId });
    const next = invoke(FACILITATOR, { command: 'next' });
    expect((await post(w, close, validAuth())).status).toBe(200);
    expect((await post(w, next, validAuth())).status).toBe(200);
    const once = await w.app.store.load(roundId);
    expect(once?.state.step).not.toBe('rating');
    expect((await post(w, next, validAuth())).status).toBe(200);
    const stillOnce = await w.app.store.load(roundId);
    expect(stillOnce?.state.step).toBe(once?.state.step);
    expect(stillOnce?.version).toBe(once?.version);
    expect(w.logs).toContain('info: teams: repeated activity ignored');
  });

  it('a request without a body gets 400 before the SDK', async () => {
    const bare = await fetch(w.endpoint, {
      method: 'POST',
      headers: { authorization: validAuth() },
      signal: AbortSignal.timeout(10_000),
    });
    expect(bare.status).toBe(400);
    const empty = await post(w, '', validAuth());
    expect(empty.status).toBe(400);
    const notObject = await post(w, '[1,2]', validAuth());
    expect(notObject.status).toBe(400);
    const noType = await post(w, { id: 'x' }, validAuth());
    expect(noType.status).toBe(400);
    const broken = await post(w, '{"type": "message",', validAuth());
    expect(broken.status).toBe(400);
    expect(w.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});

describe('Teams duplicates: a failed delivery is run again, a concurrent one is dropped', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
    tokenFailures = 0;
  });
  afterEach(async () => {
    tokenFailures = 0;
    await stopWorld(w);
    connector.reset();
  });

  /** Closes the open card so that a bare `next` (no `from`) would move on once per run. */
  async function closeTheCard(roundId: string, cardId: string): Promise<number> {
    const closed = await w.app.service.command(roundId, facilitator, { type: 'closeCard', cardId });
    if (!closed.ok) throw new Error(closed.error.code);
    return (await w.app.store.load(roundId))?.version ?? -1;
  }

  it('a 500 before the turn (outbound token down): the redelivery votes, once', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const vote = invoke('aad-ada', { command: 'vote', cardId, value: '2' });
    tokenFailures = 1;
    const failed = await post(w, vote, validAuth());
    expect(failed.status).toBe(500);
    expect(await ballots(w, roundId, cardId)).toBe(0);
    expect(w.logs).toContain('info: teams: turn failed; activity id released for a redelivery');

    // Teams redelivers the same activity: it runs now (before the fix: ignored for 24 h).
    const retried = await post(w, vote, validAuth());
    expect(retried.status).toBe(200);
    expect(JSON.stringify(retried.body)).toContain('Din stemme: 2');
    expect(await ballots(w, roundId, cardId)).toBe(1);

    // The successful run keeps the id: a third delivery is acknowledged and does nothing.
    const third = await post(w, vote, validAuth());
    expect(third.status).toBe(200);
    expect(third.body).toBeUndefined();
    expect(await ballots(w, roundId, cardId)).toBe(1);
  });

  it('a 500 on a command that is not idempotent: the redelivery moves one step, not two', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const version = await closeTheCard(roundId, cardId);
    const next = invoke(FACILITATOR, { command: 'next' });
    tokenFailures = 1;
    expect((await post(w, next, validAuth())).status).toBe(500);
    expect(await w.app.store.load(roundId)).toMatchObject({
      version,
      state: { step: 'rating' },
    });
    const retried = await post(w, next, validAuth());
    expect(retried.status).toBe(200);
    expect(JSON.stringify(retried.body)).toContain('Til mødelederen');
    expect(await w.app.store.load(roundId)).toMatchObject({
      version: version + 1,
      state: { step: 'custom' },
    });
    expect((await post(w, next, validAuth())).body).toBeUndefined();
    expect((await w.app.store.load(roundId))?.version).toBe(version + 1);
  });

  it('a turn that throws (the store fails once) gives the id back: the redelivery votes', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const castBallot = w.app.store.castBallot.bind(w.app.store);
    let failures = 1;
    w.app.store.castBallot = async (...args) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('database is locked');
      }
      return castBallot(...args);
    };
    // The Action.Submit fallback: a message turn, where a store error escapes the handler.
    const activity = invoke('aad-old-client', { command: 'vote', cardId, value: '5' });
    const submit = {
      ...activity,
      type: 'message',
      name: undefined,
      value: { command: 'vote', cardId, value: '5' },
    };
    const before = connector.calls.length;
    const first = await post(w, submit, validAuth());
    // The status is onTurnError's choice (quietTurnErrors answers 200); what counts here
    // is that the turn had no effect and its id was given back.
    expect(first.status).toBeLessThan(600);
    // The user is told politely, in their language, instead of waiting in silence.
    const told = connector.calls
      .slice(before)
      .filter((c) => c.route === 'reply' || c.route === 'send')
      .map((c) => JSON.stringify(c.body));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(JSON.stringify(t('da', 'error.unexpected')).slice(1, -1));
    expect(failures).toBe(0);
    expect(await ballots(w, roundId, cardId)).toBe(0);
    expect(w.logs).toContain('info: teams: turn failed; activity id released for a redelivery');

    expect((await post(w, submit, validAuth())).status).toBe(200);
    expect(await ballots(w, roundId, cardId)).toBe(1);
    expect(
      await w.app.service.ballotOf(
        roundId,
        { platform: 'teams', tenant: TENANT, userId: 'aad-old-client' },
        cardBox(cardId),
      ),
    ).toBe(5);
    // Kept after success.
    expect((await post(w, submit, validAuth())).status).toBe(200);
    expect(await ballots(w, roundId, cardId)).toBe(1);
  });

  it('a duplicate that arrives while the first delivery still runs is dropped', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const version = await closeTheCard(roundId, cardId);
    // Hold the first turn at its start (the bot saves the conversation reference
    // first thing) until the duplicate has been answered.
    const memory = w.app.store.channelMemory;
    const save = memory.saveConversation.bind(memory);
    let entered: () => void = () => undefined;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let held = false;
    memory.saveConversation = async (...args) => {
      if (!held) {
        held = true;
        entered();
        await gate;
      }
      return save(...args);
    };
    const next = invoke(FACILITATOR, { command: 'next' });
    const first = post(w, next, validAuth());
    await inside;
    const duplicate = await post(w, next, validAuth());
    expect(duplicate.status).toBe(200);
    expect(duplicate.body).toBeUndefined();
    expect((await w.app.store.load(roundId))?.version).toBe(version);
    open();
    const answered = await first;
    expect(answered.status).toBe(200);
    expect(JSON.stringify(answered.body)).toContain('Til mødelederen');
    expect(await w.app.store.load(roundId)).toMatchObject({
      version: version + 1,
      state: { step: 'custom' },
    });
    expect(w.logs).toContain('info: teams: repeated activity ignored');
  });

  it('the same id in another conversation is another activity (Teams ids are epoch ms)', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const vote = invoke('aad-ada', { command: 'vote', cardId, value: '3' });
    expect((await post(w, vote, validAuth())).status).toBe(200);
    expect(await ballots(w, roundId, cardId)).toBe(1);
    const elsewhere = '19:0ther@thread.tacv2';
    const help = {
      ...vote,
      type: 'message',
      name: undefined,
      value: undefined,
      text: 'help',
      conversation: { id: elsewhere, conversationType: 'personal', tenantId: TENANT },
    };
    expect((await post(w, help, validAuth())).status).toBe(200);
    const replies = connector.callsFor(elsewhere).filter((c) => c.route === 'reply');
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0]?.body)).toContain('Sådan bruger du Dialogrunde');
  });

  it('two deliveries at the same moment: one runs, one is acknowledged empty', async () => {
    const { roundId, cardId } = await openFirstCard(w);
    const version = await closeTheCard(roundId, cardId);
    const next = invoke(FACILITATOR, { command: 'next' });
    const both = await Promise.all([post(w, next, validAuth()), post(w, next, validAuth())]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(both.filter((r) => r.body === undefined)).toHaveLength(1);
    expect(await w.app.store.load(roundId)).toMatchObject({
      version: version + 1,
      state: { step: 'custom' },
    });
  });
});

describe('Teams security: tenant allowlist', () => {
  let w: World | undefined;
  afterEach(async () => {
    await stopWorld(w);
    w = undefined;
    connector.reset();
  });

  it('an activity from a tenant not on the list is acknowledged and changes nothing', async () => {
    w = await startWorld({ tenantAllowlist: [TENANT, 'tenant-customer-2'] });
    const world = w;
    const { roundId, cardId } = await openFirstCard(world);
    const foreign = invoke('aad-eve', { command: 'vote', cardId, value: '1' }, 'tenant-evil');
    const response = await post(world, foreign, validAuth());
    expect(response.status).toBe(200);
    expect(response.body).toBeUndefined();
    expect(await ballots(world, roundId, cardId)).toBe(0);
    expect(await rememberedConversation(world, 'tenant-evil')).toBeUndefined();
    // Logged without ids.
    const line = world.logs.find((l) => l.includes('not on the allowlist'));
    expect(line).toBeDefined();
    expect(world.logs.join('\n')).not.toContain('tenant-evil');
    expect(world.logs.join('\n')).not.toContain('aad-eve');
    // Nothing was claimed either: the id is still fresh (the activity is simply ignored again).
    expect(await world.app.store.claim(activityKey(foreign) ?? '', 1000)).toBe(true);

    // A listed tenant is handled.
    const listed = await post(
      world,
      invoke('aad-ada', { command: 'vote', cardId, value: '3' }),
      validAuth(),
    );
    expect(listed.status).toBe(200);
    expect(await ballots(world, roundId, cardId)).toBe(1);
  });

  it('anonymous mode logs its warning at start', async () => {
    w = await startWorld({ appId: null, appPassword: null, tenantId: null, allowAnonymous: true });
    expect(w.logs).toContain('warn: Teams: anonymous requests are allowed (development only)');
  });
});
