/**
 * Shared setup for tests that drive OUR Teams route end to end:
 * createTeamsChannel (the real CloudAdapter, production-shaped configuration
 * with JWT validation, or anonymous development mode) mounted by
 * createHttpApp on 127.0.0.1, the embedded app on SQLite :memory:, and the
 * local fake Bot Connector. Nothing leaves 127.0.0.1.
 *
 * Time: the app, the outbox and the fake connector share one ManualScheduler,
 * so coalescing, Retry-After and rate limits run on virtual time; HTTP is
 * real. Inbound JWTs are checked by the SDK against the real clock (their
 * lifetime is real), which virtual time does not touch.
 *
 * Cards are pressed the way Teams sends them: an `adaptiveCard/action` invoke
 * whose `value.action` is the card's own `Action.Execute` (verb and data),
 * with the values of the inputs in scope merged into `data`.
 */
import {
  type AuthConfiguration,
  type AuthProvider,
  ConnectionManager,
  getAuthConfigWithDefaults,
} from '@microsoft/agents-hosting';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { type Logger, silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import type { RoundDefaults } from '../../src/app/round-service.ts';
import { createTeamsChannel, type TeamsChannel } from '../../src/channels/teams/index.ts';
import { TeamsOutput } from '../../src/channels/teams/output.ts';
import type { TeamsConfig } from '../../src/config.ts';
import type { OutboundMessage } from '../../src/core/ports.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type AuthFixture, startAuthFixture } from './auth-fixture.ts';
import { type FakeConnector, type RecordedCall, startFakeConnector } from './fake-connector.ts';

export const CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const OUTBOUND_TOKEN = 'local-outbound-token';
/** DIALOGRUNDE_SECRET of the app (voter keys). */
export const SECRET = 'teams-harness-secret-0123456789-abcdef';
/** The bot's Teams id in anonymous mode (no app id). */
export const ANONYMOUS_BOT_ID = '28:dialogrunde-bot';

export type Json = Record<string, unknown>;

/** Outbound tokens from a local source instead of MSAL (see the README's "Test seam used"). */
export class LocalTokenProvider implements AuthProvider {
  connectionSettings?: AuthConfiguration;
  constructor(settings: AuthConfiguration) {
    this.connectionSettings = settings;
  }
  async getAccessToken(): Promise<string> {
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

/** Records log messages (not their fields) in `lines`. */
export function recordingLogger(lines: string[]): Logger {
  const base = silentLogger();
  return new Proxy(base, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && ['info', 'warn', 'error', 'debug'].includes(prop)) {
        return (...args: unknown[]) => {
          lines.push(`${prop}: ${String(args.find((a) => typeof a === 'string'))}`);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * One local identity provider for the enclosing file or describe block, with
 * the Microsoft key hosts pointed at it (see auth-fixture.ts); both are undone
 * afterwards. Call the returned function inside hooks and tests.
 */
export function useAuthFixture(): () => AuthFixture {
  let fixture: AuthFixture | undefined;
  let restoreHttps: (() => void) | undefined;
  beforeAll(async () => {
    fixture = await startAuthFixture();
    restoreHttps = fixture.interceptMicrosoftKeyHosts();
  });
  afterAll(async () => {
    restoreHttps?.();
    await fixture?.close();
  });
  return () => {
    if (!fixture) throw new Error('the auth fixture has not started yet');
    return fixture;
  };
}

/**
 * A world with production-shaped JWT auth (see useAuthFixture), started for
 * each test of the enclosing block and closed after it. Call the returned
 * function inside tests.
 */
export function useTeamsWorld(options: Omit<TeamsWorldOptions, 'auth'>): () => TeamsWorld {
  const fixture = useAuthFixture();
  let world: TeamsWorld | undefined;
  beforeEach(async () => {
    world = await startTeamsWorld({ ...options, auth: fixture() });
  });
  afterEach(async () => {
    await world?.close();
  });
  return () => {
    if (!world) throw new Error('the Teams world has not started yet');
    return world;
  };
}

export interface TeamsWorldOptions {
  tenant: string;
  /** Inbound JWTs signed by this fixture (production configuration); absent: anonymous mode. */
  auth?: AuthFixture;
  /** Virtual start time, epoch ms. */
  start?: number;
  decks?: DeckCatalog;
  defaults?: Partial<RoundDefaults>;
  /** Default: records message texts in `logs`; the log redaction test passes one that keeps whole lines. */
  logger?: Logger;
}

export interface TeamsWorld {
  readonly tenant: string;
  readonly time: ManualScheduler;
  readonly connector: FakeConnector;
  readonly app: EmbeddedApp;
  readonly teams: TeamsChannel;
  readonly output: TeamsOutput;
  readonly server: RunningServer;
  readonly endpoint: string;
  /** The bot's Teams id (`recipient.id` of every activity). */
  readonly botId: string;
  /** Every message the app handed to the channel output, in order. */
  readonly sent: OutboundMessage[];
  /** Log lines (message texts only). */
  readonly logs: string[];
  readonly auth: AuthFixture | undefined;
  close(): Promise<void>;
}

export const DEFAULT_ROUND_DEFAULTS: RoundDefaults = {
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

export async function startTeamsWorld(options: TeamsWorldOptions): Promise<TeamsWorld> {
  const time = new ManualScheduler(options.start ?? Date.UTC(2026, 10, 23, 9, 0, 0));
  const connector = await startFakeConnector({
    now: () => time.now(),
    ...(options.auth && { acceptBearer: (t: string | undefined) => t === OUTBOUND_TOKEN }),
  });
  const logs: string[] = [];
  const logger = options.logger ?? recordingLogger(logs);
  const sent: OutboundMessage[] = [];
  let teams: TeamsChannel | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: time,
    output: {
      send: (m) => {
        sent.push(m);
        return teams ? teams.output.send(m) : Promise.resolve();
      },
    },
    decks: options.decks ?? DeckCatalog.load(),
    defaults: { ...DEFAULT_ROUND_DEFAULTS, ...options.defaults },
    logger,
  });
  const auth = options.auth;
  const config: TeamsConfig = auth
    ? {
        enabled: true,
        appId: auth.appId,
        appPassword: 'never-used-because-msal-is-replaced',
        tenantId: auth.tenantId,
        allowAnonymous: false,
        tenantAllowlist: [options.tenant],
      }
    : {
        enabled: true,
        appId: null,
        appPassword: null,
        tenantId: null,
        allowAnonymous: true,
        tenantAllowlist: [],
      };
  teams = createTeamsChannel({
    config,
    logger,
    clock: time,
    timers: time,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    serviceHosts: ['127.0.0.1'],
  });
  const authConfig: AuthConfiguration = auth
    ? { clientId: auth.appId, tenantId: auth.tenantId }
    : {};
  teams.adapter.connectionManager = new ConnectionManager(
    () => new LocalTokenProvider(authConfig),
    undefined,
    undefined,
    getAuthConfigWithDefaults(authConfig),
  );
  const output = teams.output;
  if (!(output instanceof TeamsOutput))
    throw new Error('the Teams channel output is no TeamsOutput');
  const channel = teams;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => channel.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  return {
    tenant: options.tenant,
    time,
    connector,
    app,
    teams: channel,
    output,
    server,
    endpoint: `${server.url}/api/messages`,
    botId: auth ? `28:${auth.appId}` : ANONYMOUS_BOT_ID,
    sent,
    logs,
    auth,
    close: async () => {
      await drain({ time, output });
      await channel.close();
      await server.close(100);
      await app.close();
      await connector.close();
    },
  };
}

/* ------------------------------------------------------------------ activities */

/** A person in the conversation, as Teams identifies them. */
export interface Member {
  /** Entra object id (our identity). */
  aad: string;
  name: string;
}

/** Where an activity comes from: the conversation as Teams names it. */
export interface Place {
  conversationId: string;
  /** `channel`, `groupChat` or `personal`. */
  type: 'channel' | 'groupChat' | 'personal';
  /** The team's id (channel conversations). */
  teamId?: string;
}

/** The thread a channel message (`@dialogrunde start` with id `startId`) roots. */
export function threadOf(channel: string, startId: string): Place {
  return { conversationId: `${channel};messageid=${startId}`, type: 'channel', teamId: channel };
}

let sequence = 0;

/** A fresh activity id of the kind Teams uses for invokes (`f:` + digits). */
export function nextActivityId(prefix = 'f:'): string {
  sequence += 1;
  return `${prefix}${Date.now()}${String(sequence).padStart(6, '0')}`;
}

/** The fields every activity from Teams carries. */
export type Envelope = Json & { id: string };

export function envelope(
  w: TeamsWorld,
  who: Member,
  place: Place,
  id = nextActivityId(),
): Envelope {
  return {
    id,
    timestamp: new Date(w.time.now()).toISOString(),
    serviceUrl: w.connector.url,
    channelId: 'msteams',
    from: { id: `29:${who.aad}`, name: who.name, aadObjectId: who.aad },
    conversation: {
      id: place.conversationId,
      conversationType: place.type,
      isGroup: place.type !== 'personal',
      tenantId: w.tenant,
    },
    recipient: { id: w.botId, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: {
      tenant: { id: w.tenant },
      ...(place.teamId && { team: { id: place.teamId }, channel: { id: place.teamId } }),
    },
  };
}

/** A channel or group message that @mentions the bot, as Teams sends it. */
export function mention(w: TeamsWorld, who: Member, place: Place, text: string, id?: string) {
  return {
    ...envelope(w, who, place, id),
    type: 'message',
    text: `<at>dialogrunde</at> ${text}`,
    textFormat: 'plain',
    entities: [
      {
        type: 'mention',
        text: '<at>dialogrunde</at>',
        mentioned: { id: w.botId, name: 'dialogrunde' },
      },
    ],
  };
}

/** The bot installed in a team: Teams' `conversationUpdate` with the bot in `membersAdded`. */
export function installed(w: TeamsWorld, installer: Member, place: Place) {
  return {
    ...envelope(w, installer, place),
    type: 'conversationUpdate',
    membersAdded: [{ id: w.botId }],
    channelData: {
      tenant: { id: w.tenant },
      eventType: 'teamMemberAdded',
      ...(place.teamId && { team: { id: place.teamId } }),
    },
  };
}

/**
 * An `Action.Execute` press as Teams delivers it; `automatic` is a client
 * refreshing a card with `refresh` by itself.
 */
export function invoke(
  w: TeamsWorld,
  who: Member,
  place: Place,
  action: PressedAction,
  trigger: 'manual' | 'automatic' = 'manual',
) {
  return {
    ...envelope(w, who, place),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: action.verb, data: action.data },
      trigger,
    },
  };
}

export interface Answer {
  status: number;
  body: unknown;
}

/** Posts an activity to our endpoint, with a valid Bot Framework token in JWT mode. */
export async function post(w: TeamsWorld, activity: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (w.auth) {
    headers.authorization = `Bearer ${w.auth.token({ serviceUrl: w.connector.url })}`;
  }
  const response = await fetch(w.endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify(activity),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The card of an invoke answer (expects Teams' adaptive card invoke response shape). */
export function answerCard(answer: Answer): Json {
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ statusCode: 200, type: CONTENT_TYPE });
  const card = (answer.body as { value: unknown }).value as Json;
  expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  return card;
}

/* ------------------------------------------------------------------ cards */

export interface PressedAction {
  verb: string;
  data: Json;
}

interface Input {
  id: string;
  type: string;
  value?: string;
  isRequired?: boolean;
  isMultiSelect?: boolean;
  choices?: { value?: unknown }[];
}

interface FoundAction {
  action: Json;
  /** Inputs Teams gathers for it: those of its own card and of the cards around it. */
  inputs: Input[];
}

/** Every `Action.Execute` of a card (ShowCard cards included), with the inputs in its scope. */
export function executeActions(card: Json): FoundAction[] {
  const found: FoundAction[] = [];
  const visitCard = (node: Json, outer: Input[]) => {
    const own: Input[] = [];
    const actions: Json[] = [];
    const showCards: Json[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) {
        for (const item of value) walk(item);
        return;
      }
      if (typeof value !== 'object' || value === null) return;
      const obj = value as Json;
      const type = typeof obj.type === 'string' ? obj.type : '';
      if (type.startsWith('Input.') && typeof obj.id === 'string')
        own.push(obj as unknown as Input);
      if (type === 'Action.Execute') actions.push(obj);
      if (type === 'Action.ShowCard' && typeof obj.card === 'object' && obj.card !== null) {
        showCards.push(obj.card as Json);
        return;
      }
      for (const [key, child] of Object.entries(obj)) {
        // An Action.Submit fallback is not what Teams presses.
        if (key === 'fallback' || key === 'refresh') continue;
        walk(child);
      }
    };
    walk(node.body);
    walk(node.actions);
    const scope = [...outer, ...own];
    for (const action of actions) found.push({ action, inputs: scope });
    for (const inner of showCards) visitCard(inner, scope);
  };
  visitCard(card, []);
  return found;
}

/** Data of the actions a card offers (for assertions on what can be pressed). */
export function offered(card: Json): PressedAction[] {
  return executeActions(card).map(({ action }) => ({
    verb: String(action.verb),
    data: (action.data ?? {}) as Json,
  }));
}

/**
 * Presses the card's `Action.Execute` with this verb (and, when given, whose
 * data matches `where`), filling inputs as a person would. Checks what a Teams
 * client checks: the inputs exist, chosen values are among the choices,
 * required inputs are filled. Returns what Teams would send.
 */
export function press(
  card: Json,
  verb: string,
  where: Json = {},
  fill: Record<string, string> = {},
): PressedAction {
  const matches = executeActions(card).filter(
    ({ action }) =>
      action.verb === verb &&
      Object.entries(where).every(([k, v]) => (action.data as Json | undefined)?.[k] === v),
  );
  if (matches.length !== 1) {
    const available = offered(card).map((a) => `${a.verb} ${JSON.stringify(a.data)}`);
    throw new Error(
      `expected one ${verb} ${JSON.stringify(where)} on the card, found ${matches.length}; it offers: ${available.join(' | ')}`,
    );
  }
  const [{ action, inputs }] = matches as [FoundAction];
  const byId = new Map(inputs.map((i) => [i.id, i]));
  for (const id of Object.keys(fill)) {
    if (!byId.has(id)) throw new Error(`the card has no input "${id}" for ${verb}`);
  }
  const values: Json = {};
  for (const input of inputs) {
    const value = fill[input.id] ?? input.value;
    if (value === undefined || value === '') {
      if (input.isRequired) throw new Error(`required input "${input.id}" left empty`);
      continue;
    }
    if (input.type === 'Input.ChoiceSet' && Array.isArray(input.choices) && input.choices.length) {
      const allowed = new Set(input.choices.map((c) => String(c.value)));
      const picked = input.isMultiSelect ? value.split(',') : [value];
      for (const p of picked) {
        if (!allowed.has(p)) throw new Error(`"${p}" is no choice of input "${input.id}"`);
      }
    }
    values[input.id] = value;
  }
  return { verb, data: { ...((action.data ?? {}) as Json), ...values } };
}

/** A card's `refresh` (Teams clients run it by themselves): its action and `userIds`. */
export function refreshOf(card: Json): { action: PressedAction; userIds?: string[] } | undefined {
  const refresh = card.refresh as { action?: Json; userIds?: string[] } | undefined;
  const action = refresh?.action;
  if (action?.type !== 'Action.Execute') return undefined;
  return {
    action: { verb: String(action.verb), data: (action.data ?? {}) as Json },
    ...(refresh?.userIds && { userIds: refresh.userIds }),
  };
}

/** The texts of a card (TextBlock texts, FactSet facts, choice titles), for assertions. */
export function textsOf(card: unknown): string[] {
  const texts: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Json;
    if ((obj.type === 'TextBlock' || obj.type === 'TextRun') && typeof obj.text === 'string') {
      texts.push(obj.text);
    }
    if (typeof obj.title === 'string' && typeof obj.value === 'string') {
      texts.push(`${obj.title} ${obj.value}`);
    }
    for (const [key, child] of Object.entries(obj)) {
      if (key !== 'fallback') walk(child);
    }
  };
  walk(card);
  return texts;
}

/** The Adaptive Card inside a message the bot sent (first attachment). */
export function cardOfActivity(activity: unknown): Json | undefined {
  const attachments = (activity as { attachments?: { contentType?: string; content?: unknown }[] })
    ?.attachments;
  const first = attachments?.find((a) => a.contentType === CONTENT_TYPE);
  return first?.content as Json | undefined;
}

/* ------------------------------------------------------------------ outbox and connector */

/** Moves virtual time until the outbox has nothing queued, waiting or timed. */
export async function drain(w: Pick<TeamsWorld, 'time' | 'output'>): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    const stats = w.output.stats();
    if (stats.queued === 0 && stats.pending === 0 && w.time.pendingTimers === 0) return;
    await w.time.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('the outbox did not drain');
}

/** The card a message calls shows (for matching a post's retry with the post). */
function identityOfCall(call: RecordedCall): string {
  const card = cardOfActivity(call.body);
  return JSON.stringify([call.route, call.activityId ?? null, card?.fallbackText ?? null]);
}

/**
 * Every 429 the connector answered in the conversation was followed by a
 * successful call for the same message (an edit of the same activity id, or a
 * post of the same card), and the outbox gave nothing up.
 */
export function expectEvery429Retried(w: TeamsWorld, conversationId: string): void {
  const calls = w.connector.callsFor(conversationId);
  calls.forEach((call, i) => {
    if (call.status !== 429) return;
    const same = identityOfCall(call);
    const retried = calls
      .slice(i + 1)
      .some((c) => identityOfCall(c) === same && c.status >= 200 && c.status < 300);
    expect(retried, `429 on ${call.method} ${call.path} was not retried`).toBe(true);
  });
  expect(w.output.stats().failed).toBe(0);
}
