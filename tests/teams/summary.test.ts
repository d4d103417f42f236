/**
 * The Teams summary card: a round driven through Teams (text command and card
 * actions, anonymous development mode as with the Agents Playground) reaches
 * step 7, and the summary card the group gets carries the måloversigt picture
 * and buttons to the CSV, minutes and calendar as signed links, which the same
 * running server answers. Real parts: createTeamsChannel (CloudAdapter), the
 * web channel's routes, the embedded app, the local fake Bot Connector.
 */
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { createLogger } from '../../src/app/logger.ts';
import { ExportLinks } from '../../src/app/signed-links.ts';
import { createTeamsChannel, type TeamsChannel } from '../../src/channels/teams/index.ts';
import { SummaryLinks } from '../../src/channels/teams/summary-extras.ts';
import { createWebChannel, type WebChannel } from '../../src/channels/web/index.ts';
import type { TeamsConfig } from '../../src/config.ts';
import type { ConversationRef } from '../../src/core/model.ts';
import type { SummaryView } from '../../src/core/views/types.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { PNG_SIGNATURE } from '../exports/png-decode.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';
import { ANONYMOUS_BOT_ID as BOT_ID, DEFAULT_ROUND_DEFAULTS } from './harness.ts';

const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof AdaptiveCards;

const TENANT = 'tenant-summary';
const THREAD = '19:5umm4ry@thread.tacv2';
const CONVERSATION: ConversationRef = { platform: 'teams', tenant: TENANT, conversationId: THREAD };
const SECRET = 'teams-summary-test-secret-0123456789-abcdef';
const STARTER = 'aad-summary-starter';
const MEMBERS = ['aad-summary-1', 'aad-summary-2', 'aad-summary-3'];
const NO_PUBLIC_URL = 'PUBLIC_URL is not set';

type JsonObject = Record<string, unknown>;

interface World {
  app: EmbeddedApp;
  teams: TeamsChannel;
  web: WebChannel;
  server: RunningServer;
  endpoint: string;
  /** Log lines (JSON) at warn and above. */
  logs: string[];
}

let connector: FakeConnector;

beforeAll(async () => {
  connector = await startFakeConnector();
});

afterAll(async () => {
  await connector?.close();
});

/** The bot as `main.ts` wires it: one ExportLinks for the web routes and the Teams card. */
async function startWorld(options: { publicUrl: boolean }): Promise<World> {
  const logs: string[] = [];
  const logger = createLogger('warn', { write: (line: string) => void logs.push(line) });
  let teams: TeamsChannel | undefined;
  const decks = DeckCatalog.load();
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: systemClock,
    output: { send: (m) => teams?.output.send(m) ?? Promise.resolve() },
    decks,
    defaults: DEFAULT_ROUND_DEFAULTS,
    logger,
  });
  const exportLinks = new ExportLinks(SECRET, { clock: systemClock });
  const web = createWebChannel({
    logger,
    clock: systemClock,
    decks,
    defaults: DEFAULT_ROUND_DEFAULTS,
    exportLinks,
  });
  web.attach(app.service);
  // The routes are mounted once the port (and so the public URL) is known.
  const routes = express();
  const http = createHttpApp({ logger, ready: async () => true }, (e) => {
    e.use((req, res, next) => routes(req, res, next));
  });
  const server = await listen(http, 0, '127.0.0.1');
  web.setPublicUrl(server.url);
  const config: TeamsConfig = {
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
    clock: systemClock,
    channelMemory: app.store.channelMemory,
    store: app.store,
    service: app.service,
    summaryLinks: { signer: exportLinks, publicUrl: options.publicUrl ? server.url : null },
  });
  teams.mount(routes);
  web.mount(routes);
  return { app, teams, web, server, endpoint: `${server.url}/api/messages`, logs };
}

let sequence = 0;

function envelope(aadObjectId: string) {
  sequence += 1;
  return {
    id: `summary-${sequence}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: `29:${aadObjectId}`, name: aadObjectId, aadObjectId },
    conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    recipient: { id: BOT_ID, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: { tenant: { id: TENANT } },
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

async function mention(w: World, who: string, command: string): Promise<void> {
  const response = await post(w, {
    ...envelope(who),
    type: 'message',
    text: `<at>dialogrunde</at> ${command}`,
    textFormat: 'plain',
    entities: [
      {
        type: 'mention',
        text: '<at>dialogrunde</at>',
        mentioned: { id: BOT_ID, name: 'dialogrunde' },
      },
    ],
  });
  expect(response.status).toBe(200);
}

async function act(w: World, who: string, data: Record<string, unknown>): Promise<string> {
  const response = await post(w, {
    ...envelope(who),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: String(data.command), data },
      trigger: 'manual',
    },
  });
  expect(response.status).toBe(200);
  return JSON.stringify((response.body as { value?: unknown }).value);
}

async function waitFor<T>(find: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A round started with `@dialogrunde start`, one card rated by three members,
 * then on to step 7, all through Teams. Returns the summary view and the
 * summary card the conversation shows (after `updates` edits, if given).
 */
async function reachSummary(w: World) {
  await mention(w, STARTER, 'start');
  const [round] = await w.app.store.listByConversation(CONVERSATION, 10);
  const roundId = round?.id ?? '';
  expect(roundId).not.toBe('');
  for (const step of ['intro', 'scope', 'status']) {
    await act(w, STARTER, { command: 'next', value: step });
  }
  await act(w, STARTER, { command: 'openNextCard', value: '' });
  const state = (await w.app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open') ?? '';
  for (const [i, member] of MEMBERS.entries()) {
    expect(await act(w, member, { command: 'vote', cardId, value: String(i + 1) })).toContain(
      'Din stemme',
    );
  }
  await act(w, STARTER, { command: 'closeCard', value: cardId });
  for (const step of ['rating', 'custom', 'priority']) {
    await act(w, STARTER, { command: 'next', value: step });
  }
  expect((await w.app.store.load(roundId))?.state.step).toBe('summary');
  const view = (await w.app.service.view(roundId, {
    kind: 'step',
    step: 'summary',
  })) as SummaryView;
  expect(view.kind).toBe('summary');
  return { roundId, cardId, view };
}

/** The summary card as the conversation shows it now (posted by the outbox). */
async function summaryCard(w: World, view: SummaryView, minUpdates = 0): Promise<JsonObject> {
  return waitFor(async () => {
    const id = await w.app.store.channelMemory.message('teams', THREAD, view.key);
    const stored = id === undefined ? undefined : connector.activity(THREAD, id);
    if (!stored || stored.updates < minUpdates) return undefined;
    const attachments = stored.activity.attachments as { content: JsonObject }[] | undefined;
    return attachments?.[0]?.content;
  }, 'the summary card');
}

/** Every object in a card. */
function* walk(node: unknown): Generator<JsonObject> {
  if (Array.isArray(node)) for (const item of node) yield* walk(item);
  else if (typeof node === 'object' && node !== null) {
    yield node as JsonObject;
    for (const value of Object.values(node)) yield* walk(value);
  }
}

const ofType = (card: JsonObject, type: string) => [...walk(card)].filter((n) => n.type === type);

/** The adaptivecards library's Adaptive Cards 1.5 parser: no parse or validation events. */
function libraryEvents(card: JsonObject): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const events = Array.from({ length: context.eventCount }, (_, i) => {
    const e = context.getEventAt(i);
    return `${AC.ValidationEvent[e.event]}: ${e.message}`;
  });
  const validation = parsed
    .validateProperties()
    .validationEvents.map((e) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
  return [...events, ...validation];
}

describe('Teams summary card', () => {
  let w: World | undefined;
  afterEach(async () => {
    if (!w) return;
    await w.teams.close();
    w.web.close();
    await w.server.close(100);
    await w.app.close();
    connector.reset();
    w = undefined;
  });

  it('shows the måloversigt picture and links to the CSV, minutes and calendar, served by the bot', async () => {
    w = await startWorld({ publicUrl: true });
    const world = w;
    const { roundId, view } = await reachSummary(world);
    const card = await summaryCard(world, view);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(JSON.stringify(card)).toContain(JSON.stringify(view.title));
    expect(libraryEvents(card)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(40 * 1024);

    const prefix = `${world.server.url}/x/${roundId}/`;
    const [image, ...moreImages] = ofType(card, 'Image');
    expect(moreImages).toEqual([]);
    expect(image).toMatchObject({ altText: view.exports.maaloversigtAlt, size: 'Stretch' });
    expect(String(image?.url)).toMatch(
      new RegExp(`^${prefix}maaloversigt\\.png\\?exp=\\d+&sig=[\\w-]{43}$`),
    );
    const png = await fetch(String(image?.url));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(0, 8)
        .equals(PNG_SIGNATURE),
    ).toBe(true);

    const [actionSet] = ofType(card, 'ActionSet');
    const buttons = (actionSet?.actions ?? []) as JsonObject[];
    expect(buttons.map((b) => [b.type, b.title])).toEqual([
      ['Action.OpenUrl', 'Hent CSV'],
      ['Action.OpenUrl', 'Referat (Markdown)'],
      ['Action.OpenUrl', 'Kalender (.ics)'],
    ]);
    const expected: [string, string, string][] = [
      ['summary.csv', 'text/csv; charset=utf-8', view.sections.lowestCards.lines[0]?.label ?? ''],
      ['minutes.md', 'text/markdown; charset=utf-8', '# '],
      ['plan.ics', 'text/calendar; charset=utf-8', 'BEGIN:VCALENDAR'],
    ];
    for (const [i, [file, type, content]] of expected.entries()) {
      const url = String(buttons[i]?.url);
      expect(url.startsWith(`${prefix}${file}?exp=`), url).toBe(true);
      const res = await fetch(url);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toBe(type);
      expect(res.headers.get('cache-control'), file).toBe('private, no-store');
      const text = await res.text();
      expect(text, file).toContain(content.split(' (')[0]);
      // A Teams round's calendar does not link to a web page of the round.
      if (file === 'plan.ics') expect(text).not.toMatch(/^URL:/m);
    }
    // The rated card's result is in the CSV: three ratings, so it was released.
    expect(view.sections.lowestCards.lines).toHaveLength(1);

    // The links carry no identity: nobody's id is in the card or its URLs.
    const json = JSON.stringify(card);
    for (const who of [STARTER, ...MEMBERS]) expect(json).not.toContain(who);
    expect(world.logs.join('\n')).not.toContain(NO_PUBLIC_URL);
  });

  it('`status` during step 7 answers with the summary card, picture and links included', async () => {
    w = await startWorld({ publicUrl: true });
    const world = w;
    const { roundId } = await reachSummary(world);
    const before = connector.calls.length;
    await mention(world, MEMBERS[0] ?? '', 'status');
    const reply = await waitFor(async () => {
      const found = connector.calls
        .slice(before)
        .find((c) => c.route === 'reply' || c.route === 'send');
      return found;
    }, 'the status reply');
    const attachments = (reply.body as { attachments?: { content: JsonObject }[] }).attachments;
    const card = attachments?.[0]?.content ?? {};
    const [image] = ofType(card, 'Image');
    expect(String(image?.url)).toContain(`/x/${roundId}/maaloversigt.png?exp=`);
    expect((await fetch(String(image?.url))).status).toBe(200);
    const signed = ofType(card, 'Action.OpenUrl').filter((a) => String(a.url).includes('/x/'));
    // The picture opens full size on a click (its selectAction), then the three files.
    expect(signed.map((a) => String(a.url).split('?')[0]?.split('/').at(-1))).toEqual([
      'maaloversigt.png',
      'summary.csv',
      'minutes.md',
      'plan.ics',
    ]);
  });

  it('without a public URL: the card still goes out, without picture or links, and one warning', async () => {
    w = await startWorld({ publicUrl: false });
    const world = w;
    const { view } = await reachSummary(world);
    const card = await summaryCard(world, view);
    expect(JSON.stringify(card)).toContain(JSON.stringify(view.title));
    expect(ofType(card, 'Image')).toEqual([]);
    expect(ofType(card, 'ActionSet')).toEqual([]);
    expect(ofType(card, 'Action.OpenUrl')).toEqual([]);
    expect(JSON.stringify(card)).not.toContain('/x/');

    // Back to step 6 and forward again: the summary card is sent again (an edit).
    await act(world, STARTER, { command: 'back', value: 'summary' });
    await act(world, STARTER, { command: 'next', value: 'priority' });
    const again = await summaryCard(world, view, 1);
    expect(ofType(again, 'Image')).toEqual([]);
    const warnings = world.logs.filter((line) => line.includes(NO_PUBLIC_URL));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40 });
  });
});

describe('SummaryLinks', () => {
  const view = { kind: 'summary', roundId: 'round-1' } as SummaryView;
  function made(publicUrl: string | null) {
    const logs: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void logs.push(line) });
    const signer = new ExportLinks(SECRET, { clock: systemClock });
    return { links: new SummaryLinks({ signer, publicUrl }, logger), logs };
  }

  it('warns at start when Teams clients would get the picture over plain http from afar', () => {
    expect(made('http://dialog.example.dk').logs.join()).toContain('not https');
    for (const fine of [
      'https://dialog.example.dk',
      'http://localhost:3978',
      'http://127.0.0.1:1',
    ]) {
      expect(made(fine).logs, fine).toEqual([]);
    }
  });

  it('makes links for the summary only', () => {
    const { links } = made('https://dialog.example.dk/');
    expect(links.extrasFor(view).exportLinks?.png).toMatch(
      /^https:\/\/dialog\.example\.dk\/x\/round-1\/maaloversigt\.png\?exp=/,
    );
    expect(links.extrasFor({ ...view, kind: 'plan' } as unknown as SummaryView)).toEqual({});
  });
});
