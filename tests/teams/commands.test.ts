/**
 * Text commands and the welcome card through OUR route: createTeamsChannel
 * (anonymous development mode, as with the Agents Playground) mounted by
 * createHttpApp on 127.0.0.1, the real CloudAdapter, and the local fake Bot
 * Connector, which records every reply and proactive post. Nothing leaves 127.0.0.1.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { commandText, parseStartArgs } from '../../src/channels/teams/commands.ts';
import { createTeamsChannel, type TeamsChannel } from '../../src/channels/teams/index.ts';
import { parseCommand } from '../../src/channels/text-commands.ts';
import type { TeamsConfig } from '../../src/config.ts';
import { errorMessage } from '../../src/core/i18n/index.ts';
import type { ConversationRef } from '../../src/core/model.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';
import { ANONYMOUS_BOT_ID as BOT_ID, CONTENT_TYPE, DEFAULT_ROUND_DEFAULTS } from './harness.ts';

const TENANT = 'tenant-commands';
const THREAD = '19:c0mmand5@thread.tacv2';
const CONVERSATION: ConversationRef = { platform: 'teams', tenant: TENANT, conversationId: THREAD };
const SECRET = 'teams-commands-test-secret-0123456789-abcdef';
const DECK = 'baeredygtigt-arbejdsmiljoe';
const STARTER = 'aad-starter';

interface World {
  app: EmbeddedApp;
  teams: TeamsChannel;
  server: RunningServer;
  endpoint: string;
}

let connector: FakeConnector;

beforeAll(async () => {
  connector = await startFakeConnector();
});

afterAll(async () => {
  await connector?.close();
});

async function startWorld(): Promise<World> {
  const logger = silentLogger();
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
  });
  const channel = teams;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => channel.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  return { app, teams, server, endpoint: `${server.url}/api/messages` };
}

let sequence = 0;

function envelope(aadObjectId: string, locale: string) {
  sequence += 1;
  return {
    id: `commands-${sequence}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: `29:${aadObjectId}`, name: aadObjectId, aadObjectId },
    conversation: { id: THREAD, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    recipient: { id: BOT_ID, name: 'dialogrunde' },
    locale,
    channelData: { tenant: { id: TENANT } },
  };
}

/** A channel message that @mentions the bot, as Teams sends it. */
function mention(who: string, command: string, locale = 'da-DK') {
  return {
    ...envelope(who, locale),
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
  };
}

function invoke(who: string, data: Record<string, unknown>) {
  return {
    ...envelope(who, 'da-DK'),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: String(data.command), data },
      trigger: 'manual',
    },
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

/** Posts an activity and returns the bot's replies to it (JSON); proactive posts are not replies. */
async function say(w: World, activity: unknown): Promise<string[]> {
  const before = connector.callsFor(THREAD).length;
  const response = await post(w, activity);
  expect(response.status).toBe(200);
  return connector
    .callsFor(THREAD)
    .slice(before)
    .filter((c) => c.route === 'reply' && c.activityId === (activity as { id: string }).id)
    .map((c) => JSON.stringify(c.body));
}

async function act(w: World, who: string, data: Record<string, unknown>): Promise<string> {
  const response = await post(w, invoke(who, data));
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ statusCode: 200, type: CONTENT_TYPE });
  return JSON.stringify((response.body as { value: unknown }).value);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function rounds(w: World) {
  return w.app.store.listByConversation(CONVERSATION, 10);
}

/** Text of a card, quoted as it appears inside JSON. */
const q = (text: string) => JSON.stringify(text).slice(1, -1);

describe('Teams text commands', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.teams.close();
    await w.server.close(100);
    await w.app.close();
    connector.reset();
  });

  it('@dialogrunde start: a round starts, the intro is posted, the starter is the facilitator', async () => {
    const replies = await say(w, mention(STARTER, 'start'));
    const [round] = await rounds(w);
    expect(round).toBeDefined();
    const roundId = round?.id ?? '';
    // The reply points the starter at their controls (sent in a private chat,
    // tests/teams/facilitator-chat.test.ts), and is no facilitator script.
    expect(replies.join()).toContain('Du er mødeleder – dine knapper og manuskriptet er sendt');
    expect(replies.join()).not.toContain('Kun mødelederen ser dette.');

    const intro = await w.app.service.view(roundId, { kind: 'step', step: 'intro' });
    const introTitle = q(String((intro as { title?: unknown }).title));
    await waitFor(
      () => JSON.stringify(connector.activitiesIn(THREAD)).includes(introTitle),
      'the intro card',
    );

    // The hint's button shows the controls to the facilitator only.
    const controls = await act(w, STARTER, { command: 'facilitator' });
    expect(controls).toContain('Til mødelederen');
    const refusedControls = await act(w, 'aad-member', { command: 'facilitator' });
    expect(refusedControls).toContain('Det er kun mødelederen, der kan gøre det.');

    const refused = await act(w, 'aad-member', { command: 'next', value: 'intro' });
    expect(refused).toContain('Det er kun mødelederen, der kan gøre det.');
    expect((await w.app.store.load(roundId))?.state.step).toBe('intro');
    const moved = await act(w, STARTER, { command: 'next', value: 'intro' });
    expect(moved).toContain('Til mødelederen');
    expect((await w.app.store.load(roundId))?.state.step).toBe('scope');
  });

  it('start with options: mode and deck in any order', async () => {
    await say(w, mention(STARTER, `start asynkron ${DECK} alle`));
    const [round] = await rounds(w);
    const state = (await w.app.store.load(round?.id ?? ''))?.state;
    expect(state?.settings.mode).toBe('async');
    expect(state?.settings.deckId).toBe(DECK);
  });

  it('status replies with the current step, or says there is no round', async () => {
    const none = await say(w, mention(STARTER, 'status'));
    expect(none.join()).toContain(q('Runden findes ikke (længere).'));

    await say(w, mention(STARTER, 'start'));
    const [round] = await rounds(w);
    const roundId = round?.id ?? '';
    await act(w, STARTER, { command: 'next', value: 'intro' });
    const scope = await w.app.service.view(roundId, { kind: 'step', step: 'scope' });
    const replies = await say(w, mention('aad-member', 'status'));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain(q(String((scope as { title?: unknown }).title)));
  });

  it('stop: refused for a member, ends the round for the facilitator', async () => {
    await say(w, mention(STARTER, 'start'));
    const [round] = await rounds(w);
    const roundId = round?.id ?? '';

    const refused = await say(w, mention('aad-member', 'stop'));
    expect(refused.join()).toContain('Det er kun mødelederen, der kan gøre det.');
    expect((await w.app.store.load(roundId))?.state.status).not.toBe('ended');

    // The group's "round ended" card comes from the outbox; the command adds no second copy.
    const stopped = await say(w, mention(STARTER, 'stop'));
    expect(stopped).toEqual([]);
    expect((await w.app.store.load(roundId))?.state.status).toBe('ended');
    const again = await say(w, mention(STARTER, 'stop'));
    expect(again.join()).toContain(q(errorMessage('da', { code: 'round_ended' })));
  });

  it('start while a round is running here is refused politely; after stop a new one starts', async () => {
    await say(w, mention(STARTER, 'start'));
    const second = await say(w, mention('aad-member', 'start'));
    expect(second.join()).toContain(q(errorMessage('da', { code: 'round_running' })));
    expect(await rounds(w)).toHaveLength(1);
    await say(w, mention(STARTER, 'stop'));
    await say(w, mention('aad-member', 'start'));
    expect(await rounds(w)).toHaveLength(2);
  });

  it('help and unknown commands answer with the help card (+ an error), in the user locale', async () => {
    const help = await say(w, mention(STARTER, 'hjælp'));
    expect(help).toHaveLength(1);
    expect(help[0]).toContain('Sådan bruger du Dialogrunde');

    const unknown = await say(w, mention(STARTER, 'dans'));
    expect(unknown).toHaveLength(2);
    expect(unknown[0]).toContain('Den kommando kender jeg ikke.');
    expect(unknown[1]).toContain('Sådan bruger du Dialogrunde');

    const english = await say(w, mention(STARTER, 'help', 'en-US'));
    expect(english.join()).toContain('How to use Dialogrunde');
    expect(await rounds(w)).toEqual([]);
  });

  it('in personal chat a plain command works without a mention', async () => {
    const personal = {
      ...envelope(STARTER, 'en-GB'),
      type: 'message',
      text: 'Help',
      conversation: { id: THREAD, conversationType: 'personal', tenantId: TENANT },
    };
    const replies = await say(w, personal);
    expect(replies.join()).toContain('How to use Dialogrunde');
  });

  it('the bot added to a team posts a welcome card; its Start button starts a round', async () => {
    const added = {
      ...envelope('aad-installer', 'da-DK'),
      type: 'conversationUpdate',
      membersAdded: [{ id: BOT_ID }],
      channelData: { tenant: { id: TENANT }, eventType: 'teamMemberAdded', team: { id: THREAD } },
    };
    const welcome = await say(w, added);
    expect(welcome).toHaveLength(1);
    expect(welcome[0]).toContain('Velkommen til Dialogrunde');
    const card = JSON.parse(welcome[0] ?? '{}') as {
      attachments: { content: { body: { type: string; actions?: unknown[] }[] } }[];
    };
    const actions = card.attachments[0]?.content.body.flatMap((b) => b.actions ?? []);
    expect(actions).toEqual([
      expect.objectContaining({
        type: 'Action.Execute',
        verb: 'start',
        title: 'Start en runde',
        data: { command: 'start' },
      }),
    ]);

    // Another member joining is no install: no second welcome.
    const member = { ...added, membersAdded: [{ id: '29:someone' }] };
    expect(await say(w, member)).toEqual([]);

    const controls = await act(w, 'aad-installer', { command: 'start' });
    expect(controls).toContain('Til mødelederen');
    const [round] = await rounds(w);
    expect(round?.step).toBe('intro');
    const moved = await act(w, 'aad-installer', { command: 'next', value: 'intro' });
    expect(moved).toContain('Til mødelederen');
  });
});

describe('command parsing', () => {
  it('strips the bot mention and Teams markup', () => {
    expect(
      commandText({
        text: '<at>Dialogrunde Bot</at>&nbsp;start  sync',
        entities: [
          { type: 'mention', text: '<at>Dialogrunde Bot</at>', mentioned: { id: BOT_ID } },
        ],
        recipient: { id: BOT_ID, name: 'x' },
      } as never),
    ).toBe('start sync');
  });

  it('reads start options in any order; other words are area ids', () => {
    const isDeck = (id: string) => id === DECK;
    expect(parseStartArgs(['møde', 'ledelse'], isDeck)).toEqual({
      mode: 'sync',
      scope: { kind: 'area', areaId: 'ledelse' },
    });
    expect(parseStartArgs([DECK, 'async', 'all'], isDeck)).toEqual({
      deckId: DECK,
      mode: 'async',
      scope: { kind: 'all' },
    });
    expect(parseCommand('HJÆLP')).toEqual({ kind: 'help' });
    expect(parseCommand('dans nu')).toEqual({ kind: 'unknown', word: 'dans' });
  });
});
