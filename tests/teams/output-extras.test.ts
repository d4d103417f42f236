/**
 * What TeamsOutput adds to the shared cards, through the real CloudAdapter and
 * the local fake Bot Connector (see channel.test.ts for the setup):
 * - user-specific cards (`cardVote`, `priority`) carry `refresh` whose
 *   `userIds` are every member of the conversation as the connector lists
 *   them (paged, cached, at most 60), never who voted;
 * - a reminder to a Teams user @mentions them.
 *
 * Time: the app, the outbox, the member cache and the fake connector share
 * one ManualScheduler.
 */
import { Writable } from 'node:stream';
import {
  type AuthConfiguration,
  CloudAdapter,
  ConnectionManager,
  getAuthConfigWithDefaults,
} from '@microsoft/agents-hosting';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { createLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import type { ServiceCommand } from '../../src/app/round-service.ts';
import { prioritize, vote } from '../../src/app/voting.ts';
import { TeamsOutput } from '../../src/channels/teams/output.ts';
import { ConversationRoster } from '../../src/channels/teams/roster.ts';
import type { ConversationRef, StepId } from '../../src/core/model.ts';
import { addDays, epochToZonedDate } from '../../src/core/time.ts';
import { type FakeConnector, type FakeMember, startFakeConnector } from './fake-connector.ts';
import { DEFAULT_ROUND_DEFAULTS, LocalTokenProvider } from './harness.ts';

const APP_ID = '00000000-0000-0000-0000-0000000a9901';
const BOT_ID = `28:${APP_ID}`;
const TENANT = 'tenant-1';
/** A channel thread: the round lives in the thread, its people are the channel's. */
const CHANNEL = '19:5e1ec7ed0c0f4d1@thread.tacv2';
const THREAD = `${CHANNEL};messageid=1700000000001`;
const CONVERSATION: ConversationRef = { platform: 'teams', tenant: TENANT, conversationId: THREAD };
const SECRET = 'teams-output-extras-test-secret-0123456789';
const TZ = 'Europe/Copenhagen';
const FACILITATOR: Identity = { platform: 'teams', tenant: TENANT, userId: 'aad-facilitator' };

/** A Teams user id (MRI) as long as real ones (~90 characters). */
function mri(n: number): string {
  return `29:1${Buffer.from(`member-${n}-`.padEnd(64, 'x')).toString('base64url')}`;
}

function person(n: number): FakeMember {
  return {
    id: mri(n),
    name: `Person ${n}`,
    aadObjectId: `aad-member-${n}`,
    userRole: 'user',
    tenantId: TENANT,
  };
}

interface World {
  time: ManualScheduler;
  connector: FakeConnector;
  app: EmbeddedApp;
  output: TeamsOutput;
  logs: string[];
}

let world: World | undefined;

async function startWorld(
  options: { roster?: (time: ManualScheduler) => ConversationRoster } = {},
): Promise<World> {
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
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
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
  const roster = options.roster?.(time);
  output = new TeamsOutput({
    adapter,
    appId: APP_ID,
    memory: app.store.channelMemory,
    clock: time,
    timers: time,
    logger,
    ...(roster ? { roster } : {}),
  });
  await app.store.channelMemory.saveConversation({
    platform: 'teams',
    tenant: TENANT,
    conversationId: THREAD,
    data: JSON.stringify({
      reference: {
        serviceUrl: connector.url,
        channelId: 'msteams',
        conversation: { id: THREAD, tenantId: TENANT, isGroup: true, conversationType: 'channel' },
        agent: { id: BOT_ID, name: 'dialogrunde' },
        locale: 'da-DK',
      },
    }),
  });
  world = { time, connector, app, output, logs };
  return world;
}

afterEach(async () => {
  if (!world) return;
  await world.output.close();
  await world.app.close();
  await world.connector.close();
  world = undefined;
});

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

function must<T>(outcome: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!outcome.ok) throw new Error(outcome.error.code);
  return outcome.value;
}

async function command(w: World, roundId: string, cmd: ServiceCommand): Promise<void> {
  must(await w.app.service.command(roundId, FACILITATOR, cmd));
}

async function advanceTo(w: World, roundId: string, step: StepId): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const state = (await w.app.store.load(roundId))?.state;
    if (state?.step === step) return;
    await command(w, roundId, { type: 'next' });
  }
  throw new Error(`round did not reach ${step}`);
}

/** A sync round in the rating step with its first card open (posted and drained). */
async function openFirstCard(w: World): Promise<{ roundId: string; cardId: string }> {
  const { roundId } = must(
    await w.app.service.start(FACILITATOR, { conversation: CONVERSATION, starterJoins: false }),
  );
  await advanceTo(w, roundId, 'rating');
  await command(w, roundId, { type: 'openNextCard' });
  const state = (await w.app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open');
  if (!cardId) throw new Error('no open card');
  await drain(w);
  return { roundId, cardId };
}

type Json = Record<string, unknown>;

/** The Adaptive Card in an activity the connector holds. */
function cardOf(activity: Json | undefined): Json {
  const attachments = activity?.attachments as { content?: Json }[] | undefined;
  const content = attachments?.[0]?.content;
  if (!content) throw new Error('no card in the activity');
  return content;
}

/** The current card of the group message with this view key. */
async function message(w: World, key: string): Promise<{ id: string; card: Json }> {
  const id = await w.app.store.channelMemory.message('teams', THREAD, key);
  if (!id) throw new Error(`no message for ${key}`);
  return { id, card: cardOf(w.connector.activity(THREAD, id)?.activity) };
}

interface Refresh {
  action: { type: string; title: string; verb: string; data: Json };
  userIds?: string[];
}

const refreshOf = (card: Json) => card.refresh as Refresh | undefined;
const listings = (w: World) => w.connector.calls.filter((c) => c.route === 'pagedMembers');

describe('user-specific cards refresh for every member of the conversation', () => {
  it('lists all members (bot excluded), never who voted; the listing is reused for edits', async () => {
    const w = await startWorld();
    w.connector.addMember(CHANNEL, { id: BOT_ID, name: 'dialogrunde', userRole: 'bot' });
    for (let n = 0; n < 6; n++) w.connector.addMember(CHANNEL, person(n));
    const everyone = Array.from({ length: 6 }, (_, n) => mri(n));
    const { roundId, cardId } = await openFirstCard(w);
    const key = `${roundId}:card:${cardId}`;

    const posted = await message(w, key);
    expect(refreshOf(posted.card)).toEqual({
      action: {
        type: 'Action.Execute',
        title: 'Opdater',
        verb: 'refresh',
        data: { command: 'refresh', key },
      },
      userIds: everyone,
    });

    // Two people vote: the edited card still lists everybody, not the two of them.
    const voters = [0, 3];
    for (const n of voters) {
      const who: Identity = { platform: 'teams', tenant: TENANT, userId: `aad-member-${n}` };
      must(await vote(w.app.service, roundId, who, cardId, 4));
    }
    await drain(w);
    const edited = await message(w, key);
    expect(edited.id).toBe(posted.id);
    expect(w.connector.activity(THREAD, edited.id)?.updates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(edited.card)).toContain('2 af 2 har stemt');
    const userIds = refreshOf(edited.card)?.userIds ?? [];
    expect(userIds).toEqual(everyone);
    expect(userIds).not.toEqual(voters.map(mri));
    expect(userIds.length).toBeLessThanOrEqual(60);
    expect(userIds).not.toContain(BOT_ID);

    // The channel was listed (not the thread id with its ;messageid= suffix), once.
    expect(listings(w)).toHaveLength(1);
    expect(listings(w)[0]?.conversationId).toBe(CHANNEL);
    expect(listings(w)[0]?.status).toBe(200);
    // Only user-specific cards carry refresh.
    for (const stored of w.connector.activitiesIn(THREAD)) {
      const card = cardOf(stored.activity);
      const data = refreshOf(card)?.action.data;
      if (data) expect(String(data.key)).toMatch(/:card:|:priority/);
    }
    expect(w.connector.activitiesIn(THREAD).some((a) => !refreshOf(cardOf(a.activity)))).toBe(true);
  });

  it('the priority card refreshes too', async () => {
    const w = await startWorld();
    for (let n = 0; n < 4; n++) w.connector.addMember(CHANNEL, person(n));
    const { roundId } = await openFirstCard(w);
    await advanceTo(w, roundId, 'priority');
    await drain(w);
    const priority = w.connector
      .activitiesIn(THREAD)
      .map((a) => cardOf(a.activity))
      .filter((card) => String(refreshOf(card)?.action.data.key).endsWith(':priority'));
    expect(priority).toHaveLength(1);
    const key = String(refreshOf(priority[0] ?? {})?.action.data.key);
    const who: Identity = { platform: 'teams', tenant: TENANT, userId: 'aad-member-1' };
    const state = (await w.app.store.load(roundId))?.state;
    const first = Object.keys(state?.cards ?? {})[0];
    if (!first) throw new Error('no cards');
    must(await prioritize(w.app.service, roundId, who, [first]));
    await drain(w);
    expect(refreshOf((await message(w, key)).card)?.userIds).toEqual([0, 1, 2, 3].map(mri));
  });

  it('more than 60 members: refresh without userIds (not an arbitrary 60); listing stops at 61', async () => {
    const w = await startWorld();
    for (let n = 0; n < 130; n++) w.connector.addMember(CHANNEL, person(n));
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    const refresh = refreshOf(card);
    expect(refresh?.action.verb).toBe('refresh');
    expect(refresh).not.toHaveProperty('userIds');
    // One page of 100 held more than 61 people: no second page was asked for.
    expect(listings(w)).toHaveLength(1);
    expect(listings(w)[0]?.path).toContain('pageSize=100');
  });

  it('follows the continuation token across pages', async () => {
    const w = await startWorld({
      roster: (time) =>
        new ConversationRoster({ clock: time, logger: createLogger('silent'), pageSize: 50 }),
    });
    for (let n = 0; n < 55; n++) w.connector.addMember(CHANNEL, person(n));
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    expect(refreshOf(card)?.userIds).toEqual(Array.from({ length: 55 }, (_, n) => mri(n)));
    const pages = listings(w);
    expect(pages).toHaveLength(2);
    expect(pages[0]?.path).not.toContain('continuationToken');
    expect(pages[1]?.path).toContain('continuationToken=');
  });

  it('stops paging at 61 members when they come in small pages', async () => {
    const w = await startWorld({
      roster: (time) =>
        new ConversationRoster({ clock: time, logger: createLogger('silent'), pageSize: 50 }),
    });
    for (let n = 0; n < 200; n++) w.connector.addMember(CHANNEL, person(n));
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    expect(refreshOf(card)).not.toHaveProperty('userIds');
    expect(listings(w)).toHaveLength(2);
  });

  it('somebody who joins late is listed once the cached listing is 5 minutes old', async () => {
    const w = await startWorld();
    for (let n = 0; n < 3; n++) w.connector.addMember(CHANNEL, person(n));
    const { roundId, cardId } = await openFirstCard(w);
    const key = `${roundId}:card:${cardId}`;
    w.connector.addMember(CHANNEL, person(3));
    const ada: Identity = { platform: 'teams', tenant: TENANT, userId: 'aad-member-0' };
    must(await vote(w.app.service, roundId, ada, cardId, 2));
    await drain(w);
    expect(refreshOf((await message(w, key)).card)?.userIds).toEqual([0, 1, 2].map(mri));
    expect(listings(w)).toHaveLength(1);

    await w.time.advance(5 * 60_000);
    must(await vote(w.app.service, roundId, ada, cardId, 3));
    await drain(w);
    expect(refreshOf((await message(w, key)).card)?.userIds).toEqual([0, 1, 2, 3].map(mri));
    expect(listings(w)).toHaveLength(2);
  });

  it('a failed member listing never holds up the card: posted once, refresh without userIds', async () => {
    const w = await startWorld();
    for (let n = 0; n < 3; n++) w.connector.addMember(CHANNEL, person(n));
    w.connector.failNext(1, { status: 502, routes: ['pagedMembers'] });
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    expect(refreshOf(card)?.action.verb).toBe('refresh');
    expect(refreshOf(card)).not.toHaveProperty('userIds');
    expect(listings(w).map((c) => c.status)).toEqual([502]);
    const posts = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'send' && JSON.stringify(c.body).includes(cardId));
    expect(posts.map((c) => c.status)).toEqual([201]);
    expect(w.output.stats().failed).toBe(0);
    // Logged, with the status and without ids or names.
    const warning = w.logs.find((line) => line.includes('listing conversation members failed'));
    expect(warning).toContain('"status":502');
    const all = w.logs.join('\n');
    for (let n = 0; n < 3; n++) {
      expect(all).not.toContain(mri(n));
      expect(all).not.toContain(`Person ${n}`);
      expect(all).not.toContain(`aad-member-${n}`);
    }
  });

  it('a conversation whose members cannot be listed (404) still gets its cards', async () => {
    const w = await startWorld();
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    expect(refreshOf(card)).not.toHaveProperty('userIds');
    expect(listings(w).map((c) => c.status)).toEqual([404]);
  });

  it("lists the channel's team when the stored conversation names it", async () => {
    const w = await startWorld();
    const TEAM = '19:7ea3ea3ea3ea3@thread.tacv2';
    w.connector.addMember(TEAM, person(7));
    const stored = await w.app.store.channelMemory.conversation('teams', TENANT, THREAD);
    const data = JSON.parse(stored ?? '{}') as Json;
    await w.app.store.channelMemory.saveConversation({
      platform: 'teams',
      tenant: TENANT,
      conversationId: THREAD,
      data: JSON.stringify({ ...data, teamId: TEAM }),
    });
    const { roundId, cardId } = await openFirstCard(w);
    const { card } = await message(w, `${roundId}:card:${cardId}`);
    expect(refreshOf(card)?.userIds).toEqual([mri(7)]);
    expect(listings(w)[0]?.conversationId).toBe(TEAM);
  });
});

describe('reminders @mention a Teams owner', () => {
  /** A round at the summary step with one plan item; its reminder jobs. */
  async function planItem(
    w: World,
    owner: { name: string; user?: { platform: 'teams'; userId: string } },
  ) {
    const { roundId } = must(
      await w.app.service.start(FACILITATOR, { conversation: CONVERSATION, starterJoins: false }),
    );
    await advanceTo(w, roundId, 'summary');
    const due = addDays(epochToZonedDate(w.time.now(), TZ), 10);
    await command(w, roundId, {
      type: 'addPlanItem',
      itemId: 'p1',
      input: { what: 'Stressforebyggelse', goal: '', actions: '', owner, due, link: null },
    });
    await drain(w);
    const jobs = (await w.app.scheduler.pending(roundId)).filter((j) => j.type === 'reminder');
    expect(jobs).toHaveLength(2);
    return { roundId, jobs };
  }

  const reminderPosts = (w: World) =>
    w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'send' && JSON.stringify(c.body).includes('Påmindelse'));

  it('each reminder is a new message that mentions the owner, with its buttons', async () => {
    const w = await startWorld();
    const owner = { name: 'Kim Larsen', user: { platform: 'teams' as const, userId: 'aad-kim' } };
    const { jobs } = await planItem(w, owner);
    const listedBefore = listings(w).length;
    for (const job of jobs) {
      await w.app.service.handleJob(job);
      await drain(w);
    }
    const posts = reminderPosts(w);
    expect(posts.map((c) => c.status)).toEqual([201, 201]);
    expect(new Set(posts.map((c) => c.returnedId)).size).toBe(2);
    expect(
      w.connector
        .callsFor(THREAD)
        .some((c) => c.route === 'update' && JSON.stringify(c.body).includes('Påmindelse')),
    ).toBe(false);
    for (const post of posts) {
      const card = cardOf(post.body as Json);
      const tag = '<at>Kim Larsen</at>';
      expect((card.msteams as Json).entities).toEqual([
        { type: 'mention', text: tag, mentioned: { id: 'aad-kim', name: 'Kim Larsen' } },
      ]);
      expect(JSON.stringify(card.body)).toContain(JSON.stringify(`Ansvarlig: ${tag}`));
      const verbs = [...JSON.stringify(card).matchAll(/"verb":"(\w+)"/g)].map((m) => m[1]);
      expect(verbs).toEqual(['planDone', 'planPostpone', 'planBlocked']);
      // A reminder is not user-specific: no refresh, and no member listing for it.
      expect(card).not.toHaveProperty('refresh');
    }
    expect(listings(w)).toHaveLength(listedBefore);
  });

  it('an owner who was typed as a name is named, not mentioned', async () => {
    const w = await startWorld();
    const { jobs } = await planItem(w, { name: 'AMR' });
    const [job] = jobs;
    if (!job) throw new Error('no job');
    await w.app.service.handleJob(job);
    await drain(w);
    const [post] = reminderPosts(w);
    const card = cardOf(post?.body as Json);
    expect(JSON.stringify(card)).toContain('Ansvarlig: AMR');
    expect(JSON.stringify(card)).not.toContain('<at>');
    expect(card.msteams).toEqual({ width: 'Full' });
  });

  it("the group's plan form offers Teams' people picker next to the typed owner", async () => {
    const w = await startWorld();
    await planItem(w, { name: 'AMR' });
    const forms = w.connector
      .activitiesIn(THREAD)
      .map((a) => JSON.stringify(cardOf(a.activity)))
      .filter((text) => text.includes('"id":"ownerUser"'));
    expect(forms.length).toBeGreaterThan(0);
    for (const form of forms) {
      expect(form).toContain(
        '"choices.data":{"type":"Data.Query","dataset":"graph.microsoft.com/users?scope=currentContext"}',
      );
    }
  });
});
