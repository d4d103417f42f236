/**
 * Every form and button of the shared Adaptive Card templates, pressed in
 * Teams: through OUR route (createTeamsChannel in anonymous development mode,
 * mounted by createHttpApp on 127.0.0.1), the real CloudAdapter, the embedded
 * app (SQLite in memory) and the local fake Bot Connector, which records the
 * group cards and answers member look-ups. Nothing leaves 127.0.0.1.
 *
 * An `adaptiveCard/action` invoke's answer is the card that replaces the
 * pressed one for the presser only; these tests read it from the HTTP answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createTeamsChannel, type TeamsChannel } from '../../src/channels/teams/index.ts';
import type { TeamsConfig } from '../../src/config.ts';
import { type ConversationRef, cardBox, PRIORITY_BOX, type StepId } from '../../src/core/model.ts';
import type { RoundStore } from '../../src/core/ports.ts';
import { addDays, epochToZonedDate } from '../../src/core/time.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';
import { type FakeConnector, startFakeConnector } from './fake-connector.ts';
import { ANONYMOUS_BOT_ID as BOT_ID, CONTENT_TYPE, DEFAULT_ROUND_DEFAULTS } from './harness.ts';

const TENANT = 'tenant-forms';
const THREAD = '19:f0rm5@thread.v2';
const CONVERSATION: ConversationRef = { platform: 'teams', tenant: TENANT, conversationId: THREAD };
const SECRET = 'teams-forms-test-secret-0123456789-abcdefgh';
/** Entra object ids, as Teams sends them in `from.aadObjectId`. */
const FACILITATOR = '0a0a0a0a-1111-4111-8111-000000000001';
const MEMBER = '0b0b0b0b-2222-4222-8222-000000000002';
const OWNER = '0c0c0c0c-3333-4333-8333-000000000003';
const STRANGER = '0d0d0d0d-4444-4444-8444-000000000004';
const teams = (aad: string): Identity => ({ platform: 'teams', tenant: TENANT, userId: aad });

interface World {
  app: EmbeddedApp;
  teams: TeamsChannel;
  server: RunningServer;
  endpoint: string;
}

let connector: FakeConnector;

beforeAll(async () => {
  connector = await startFakeConnector();
  // The people picker's choices are the conversation's members.
  connector.addMember(THREAD, {
    id: `29:${FACILITATOR}`,
    name: 'Frida Facilitator',
    aadObjectId: FACILITATOR,
  });
  connector.addMember(THREAD, {
    id: `29:${OWNER}`,
    name: 'Olivia Owner',
    aadObjectId: OWNER,
    userPrincipalName: 'olivia@example.test',
  });
  connector.addMember(THREAD, { id: `29:${MEMBER}`, name: 'Mads Member', aadObjectId: MEMBER });
});

afterAll(async () => {
  await connector?.close();
});

/** `claims`: the store's activity-id claims, or one that admits every delivery. */
async function startWorld(claims?: Pick<RoundStore, 'claim' | 'release'>): Promise<World> {
  const logger = silentLogger();
  let channel: TeamsChannel | undefined;
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: SECRET,
    clock: systemClock,
    output: { send: (m) => channel?.output.send(m) ?? Promise.resolve() },
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
  channel = createTeamsChannel({
    config,
    logger,
    clock: systemClock,
    channelMemory: app.store.channelMemory,
    store: claims ?? app.store,
    service: app.service,
  });
  const mounted = channel;
  const http = createHttpApp({ logger, ready: async () => true }, (e) => mounted.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  return { app, teams: channel, server, endpoint: `${server.url}/api/messages` };
}

let sequence = 0;

interface Envelope {
  /** Activity id; default a fresh one. */
  id?: string;
  /** The message the pressed card is in. */
  replyToId?: string;
}

function envelope(aad: string, options: Envelope = {}) {
  sequence += 1;
  return {
    id: options.id ?? `forms-${sequence}`,
    ...(options.replyToId && { replyToId: options.replyToId }),
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: `29:${aad}`, name: aad, aadObjectId: aad },
    conversation: { id: THREAD, conversationType: 'groupChat', isGroup: true, tenantId: TENANT },
    recipient: { id: BOT_ID, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: { tenant: { id: TENANT } },
  };
}

function invoke(
  aad: string,
  data: Record<string, unknown>,
  options: Envelope & { trigger?: 'manual' | 'automatic' } = {},
) {
  return {
    ...envelope(aad, options),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: String(data.command), data },
      trigger: options.trigger ?? 'manual',
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

/** Presses a card button; returns the answer card as JSON text. */
async function act(
  w: World,
  aad: string,
  data: Record<string, unknown>,
  options: Envelope & { trigger?: 'manual' | 'automatic' } = {},
): Promise<string> {
  const response = await post(w, invoke(aad, data, options));
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ statusCode: 200, type: CONTENT_TYPE });
  const card = (response.body as { value: unknown }).value;
  expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  return JSON.stringify(card);
}

async function waitFor<T>(get: () => Promise<T | undefined> | T | undefined, what: string) {
  for (let i = 0; i < 300; i++) {
    const value = await get();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Text as it appears inside the card's JSON. */
const q = (text: string) => JSON.stringify(text).slice(1, -1);

async function state(w: World, roundId: string) {
  const record = await w.app.store.load(roundId);
  if (!record) throw new Error('round gone');
  return record.state;
}

/** The welcome card's Start: a round with FACILITATOR as facilitator. */
async function startRound(w: World): Promise<string> {
  expect(await act(w, FACILITATOR, { command: 'start' })).toContain('Til mødelederen');
  const [round] = await w.app.store.listByConversation(CONVERSATION, 1);
  if (!round) throw new Error('no round');
  return round.id;
}

/** The facilitator's "next" until the round is at `step`. */
async function advanceTo(w: World, roundId: string, step: StepId): Promise<void> {
  for (let i = 0; i < 7; i++) {
    const current = (await state(w, roundId)).step;
    if (current === step) return;
    expect(await act(w, FACILITATOR, { command: 'next', value: current })).toContain(
      'Til mødelederen',
    );
  }
  throw new Error(`never reached ${step}`);
}

/** A due date `days` from today in the round's time zone. */
const dueIn = (days: number) =>
  addDays(epochToZonedDate(Date.now(), DEFAULT_ROUND_DEFAULTS.timeZone), days);

describe('Teams forms and buttons', () => {
  let w: World;
  afterEach(async () => {
    await w.teams.close();
    await w.server.close(100);
    await w.app.close();
    connector.reset();
  });

  it('scope form: the facilitator chooses one area; anybody else is refused politely', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'scope');

    const refused = await act(w, MEMBER, { command: 'setScope', scope: 'udvikling' });
    expect(refused).toContain(q('Det er kun mødelederen, der kan gøre det.'));
    expect((await state(w, roundId)).scope).toEqual({ kind: 'all' });

    const chosen = await act(w, FACILITATOR, { command: 'setScope', scope: 'udvikling' });
    // The answer is the scope card itself, now showing the choice.
    expect(chosen).toContain(q('Omfang: Kun Udvikling, i dybden'));
    expect((await state(w, roundId)).scope).toEqual({ kind: 'area', areaId: 'udvikling' });

    const back = await act(w, FACILITATOR, { command: 'setScope', scope: 'all' });
    expect(back).toContain(q('Omfang: Alle tre områder'));
    expect(back).not.toContain(q('Omfang: Kun Udvikling'));
    expect((await state(w, roundId)).scope).toEqual({ kind: 'all' });
  });

  it('status notes: with an area, "_general" and none; each presser becomes a participant', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'status');
    expect((await w.app.store.counts(roundId)).participants).toBe(1);

    const withArea = await act(w, MEMBER, {
      command: 'addNote',
      areaId: 'udvikling',
      text: 'Mentorordningen er kommet godt i gang',
    });
    // The status card as the presser now sees it, listing the new note.
    expect(withArea).toContain('Mentorordningen er kommet godt i gang');
    await act(w, OWNER, { command: 'addNote', areaId: '_general', text: 'Generel note' });
    await act(w, OWNER, { command: 'addNote', text: 'Note uden område' });

    const notes = (await state(w, roundId)).statusNotes.map((n) => [n.areaId, n.text]);
    expect(notes).toEqual([
      ['udvikling', 'Mentorordningen er kommet godt i gang'],
      [null, 'Generel note'],
      [null, 'Note uden område'],
    ]);
    // "n of m": the facilitator and the two who pressed.
    expect((await w.app.store.counts(roundId)).participants).toBe(3);

    const empty = await act(w, MEMBER, { command: 'addNote', areaId: '_general', text: '   ' });
    expect(empty).toContain(q('Skriv venligst en tekst.'));
    const unknownArea = await act(w, MEMBER, { command: 'addNote', areaId: 'nope', text: 'x' });
    expect(unknownArea).toContain(q('Området findes ikke i denne runde.'));
    expect((await state(w, roundId)).statusNotes).toHaveLength(3);
  });

  it('own initiative: added to the round and shown on the answer card', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'custom');
    const answer = await act(w, MEMBER, {
      command: 'addCustomCard',
      missionId: 'ledere',
      title: 'Walk and talk',
      description: 'Ledermøder på gåben',
    });
    expect(answer).toContain('Walk and talk');
    const custom = (await state(w, roundId)).customCards;
    expect(custom.map((c) => [c.missionId, c.title, c.description])).toEqual([
      ['ledere', 'Walk and talk', 'Ledermøder på gåben'],
    ]);
    const unknown = await act(w, MEMBER, {
      command: 'addCustomCard',
      missionId: 'nope',
      title: 'X',
    });
    expect(unknown).toContain(q('Målsætningen findes ikke i denne runde.'));
  });

  it('priorities: a comma string from the multi-select; too many is refused in Danish', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'priority');
    const ids = Object.keys((await state(w, roundId)).cards).slice(0, 4);

    const mine = await act(w, MEMBER, { command: 'prioritize', cardIds: ` ${ids[0]}, ${ids[1]},` });
    expect(mine).toContain('Dine valg:');
    expect(await w.app.service.ballotOf(roundId, teams(MEMBER), PRIORITY_BOX)).toEqual([
      ids[0],
      ids[1],
    ]);

    const tooMany = await act(w, MEMBER, { command: 'prioritize', cardIds: ids.join(',') });
    expect(tooMany).toContain(q('Du kan højst vælge 3 indsatser.'));
    expect(await w.app.service.ballotOf(roundId, teams(MEMBER), PRIORITY_BOX)).toHaveLength(2);
  });

  it('votes: the answer and a refresh show the presser their own vote, nobody else', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'rating');
    await act(w, FACILITATOR, { command: 'openNextCard', value: '' });
    const s = await state(w, roundId);
    const cardId = Object.keys(s.cards).find((id) => s.cards[id] === 'open') ?? '';
    expect(cardId).not.toBe('');

    const voted = await act(w, MEMBER, { command: 'vote', cardId, value: '4' });
    expect(voted).toContain('Din stemme: 4');
    // The presser's copy keeps refreshing to their own version.
    expect(JSON.parse(voted).refresh).toMatchObject({
      action: { verb: 'refresh', data: { command: 'refresh', key: `${roundId}:card:${cardId}` } },
      userIds: [`29:${MEMBER}`],
    });

    // Teams' automatic refresh after a group edit: each member gets their own card.
    const key = `${roundId}:card:${cardId}`;
    const own = await act(w, MEMBER, { command: 'refresh', key }, { trigger: 'automatic' });
    expect(own).toContain('Din stemme: 4');
    const other = await act(w, OWNER, { command: 'refresh', key }, { trigger: 'automatic' });
    expect(other).not.toContain('Din stemme');
    const title = (await w.app.service.view(roundId, { kind: 'card', cardId }))?.title ?? '?';
    expect(other).toContain(q(title));
    expect(own).toContain(q(title));

    // A key that names nothing (any more): the current card of the conversation's round.
    const stale = await act(w, MEMBER, { command: 'refresh', key: 'gone:card:x' });
    expect(stale).toContain(q('Placér dialogkortene'));
    // The facilitator's view is never refreshed to anybody else.
    const script = await act(w, MEMBER, { command: 'refresh', key: `${roundId}:facilitator` });
    expect(script).toContain(q('Det er kun mødelederen, der kan gøre det.'));
    expect((await w.app.store.counts(roundId)).participants).toBe(2);
  });

  it('a forged userId in the card data changes nothing: identity is the envelope', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'rating');
    await act(w, FACILITATOR, { command: 'openNextCard', value: '' });
    const s = await state(w, roundId);
    const cardId = Object.keys(s.cards).find((id) => s.cards[id] === 'open') ?? '';

    const forged = {
      userId: FACILITATOR,
      aadObjectId: FACILITATOR,
      from: { id: `29:${FACILITATOR}` },
    };
    await act(w, MEMBER, { command: 'vote', cardId, value: '2', ...forged });
    expect(await w.app.service.ballotOf(roundId, teams(MEMBER), cardBox(cardId))).toBe(2);
    expect(await w.app.service.ballotOf(roundId, teams(FACILITATOR), cardBox(cardId))).toBe(
      undefined,
    );
    const next = await act(w, MEMBER, { command: 'next', value: 'rating', ...forged });
    expect(next).toContain(q('Det er kun mødelederen, der kan gøre det.'));
    expect((await state(w, roundId)).step).toBe('rating');
  });

  describe('follow-up plan', () => {
    /** A round at the summary step with the plan form open. */
    async function atSummary() {
      w = await startWorld();
      const roundId = await startRound(w);
      await advanceTo(w, roundId, 'summary');
      return roundId;
    }

    const item = (extra: Record<string, unknown>) => ({
      command: 'addPlanItem',
      what: 'Fælles morgenmøde',
      goal: 'Bedre overblik',
      actions: 'Ti minutter hver mandag',
      due: dueIn(30),
      ...extra,
    });

    it('adds an item with a typed owner, for the facilitator only', async () => {
      const roundId = await atSummary();
      const refused = await act(w, MEMBER, item({ owner: 'Kim' }));
      expect(refused).toContain(q('Det er kun mødelederen, der kan gøre det.'));
      const plan = await act(w, FACILITATOR, item({ owner: 'Kim' }));
      expect(plan).toContain('Fælles morgenmøde');
      expect(plan).toContain('Kim');
      const [added] = (await state(w, roundId)).plan;
      expect(added?.owner).toEqual({ name: 'Kim' });
      expect(added?.due).toBe(dueIn(30));
      expect(connector.calls.some((c) => c.route === 'member')).toBe(false);
    });

    it('resolves a person picked in the people picker through the connector', async () => {
      const roundId = await atSummary();
      const plan = await act(w, FACILITATOR, item({ owner: '', ownerUser: OWNER }));
      expect(plan).toContain('Olivia Owner');
      const [added] = (await state(w, roundId)).plan;
      expect(added?.owner).toEqual({
        name: 'Olivia Owner',
        user: { platform: 'teams', userId: OWNER },
        key: w.app.service.keyOf(roundId, teams(OWNER)),
      });
      const lookups = connector.calls.filter((c) => c.route === 'member');
      expect(lookups.map((c) => [c.method, c.conversationId, c.userId, c.status])).toEqual([
        ['GET', THREAD, OWNER, 200],
      ]);

      // A typed name wins over the directory's.
      await act(w, FACILITATOR, item({ what: 'Andet', owner: 'Olivia', ownerUser: OWNER }));
      expect((await state(w, roundId)).plan[1]?.owner.name).toBe('Olivia');
    });

    it('refuses a picked person who is not in the conversation', async () => {
      const roundId = await atSummary();
      const refused = await act(w, FACILITATOR, item({ owner: 'Sam', ownerUser: STRANGER }));
      expect(refused).toContain(
        q('Personen er ikke med i denne samtale. Vælg en anden, eller skriv et navn.'),
      );
      expect((await state(w, roundId)).plan).toEqual([]);
      const member = connector.calls.find((c) => c.route === 'member');
      expect(member?.status).toBe(404);
    });

    it('Done / Postpone / Blocked on the plan card: facilitator and owner yes, others no', async () => {
      const roundId = await atSummary();
      await act(w, FACILITATOR, item({ owner: '', ownerUser: OWNER }));
      const itemId = (await state(w, roundId)).plan[0]?.id ?? '';
      const planMessage = await waitFor(
        () => w.app.store.channelMemory.message('teams', THREAD, `${roundId}:plan`),
        'the plan card to be posted',
      );
      const on = { replyToId: planMessage };

      const refused = await act(w, MEMBER, { command: 'planDone', value: itemId }, on);
      expect(refused).toContain(q('Kun den ansvarlige eller mødelederen kan opdatere aftalen.'));
      expect((await state(w, roundId)).plan[0]?.status).toBe('open');

      const blocked = await act(w, OWNER, { command: 'planBlocked', value: itemId }, on);
      expect(blocked).toContain(q('Opfølgningsplan'));
      expect(blocked).toContain('Blokeret');
      expect((await state(w, roundId)).plan[0]?.status).toBe('blocked');

      const postponed = await act(w, FACILITATOR, { command: 'planPostpone', value: itemId }, on);
      expect(postponed).toContain(q('Udskudt én gang'));
      const after = (await state(w, roundId)).plan[0];
      expect([after?.status, after?.due, after?.postponed]).toEqual(['open', dueIn(37), 1]);

      const done = await act(w, OWNER, { command: 'planDone', value: itemId }, on);
      expect(done).toContain('Udført');
      expect((await state(w, roundId)).plan[0]?.status).toBe('done');
    });

    it('the same buttons on a reminder answer with the reminder, showing the new status', async () => {
      const roundId = await atSummary();
      await act(w, FACILITATOR, item({ owner: '', ownerUser: OWNER }));
      const planItem = (await state(w, roundId)).plan[0];
      if (!planItem) throw new Error('no item');
      await waitFor(
        () => w.app.store.channelMemory.message('teams', THREAD, `${roundId}:plan`),
        'the plan card',
      );
      // The reminder job fires: the reminder card goes to the conversation.
      await w.app.service.handleJob({
        id: `reminder:${roundId}:${planItem.id}:0`,
        roundId,
        runAt: Date.now(),
        type: 'reminder',
        itemId: planItem.id,
        due: planItem.due,
        daysBefore: 0,
      });
      const reminderKey = `${roundId}:reminder:${planItem.id}:${planItem.due}:0`;
      const reminderMessage = await waitFor(
        () => w.app.store.channelMemory.message('teams', THREAD, reminderKey),
        'the reminder card',
      );
      const on = { replyToId: reminderMessage };

      const refused = await act(w, STRANGER, { command: 'planDone', value: planItem.id }, on);
      expect(refused).toContain(q('Kun den ansvarlige eller mødelederen kan opdatere aftalen.'));

      const postponed = await act(w, OWNER, { command: 'planPostpone', value: planItem.id }, on);
      // Still the reminder (not the plan), now a week further out.
      expect(postponed).toContain(q('Påmindelse'));
      expect(postponed).not.toContain(q('Opfølgningsplan'));
      expect(postponed).toContain(q('Udskudt én gang'));
      expect(postponed).toContain(q('Om 37 dage'));

      const blocked = await act(w, FACILITATOR, { command: 'planBlocked', value: planItem.id }, on);
      expect(blocked).toContain(q('Påmindelse'));
      expect(blocked).toContain('Blokeret');
      // A second press on the same reminder, after its date moved: still the reminder.
      const done = await act(w, OWNER, { command: 'planDone', value: planItem.id }, on);
      expect(done).toContain(q('Påmindelse'));
      expect(done).toContain('Udført');
      expect((await state(w, roundId)).plan[0]?.status).toBe('done');
    });
  });

  describe('repeated deliveries', () => {
    it('the same activity twice through the channel: one note', async () => {
      w = await startWorld();
      const roundId = await startRound(w);
      await advanceTo(w, roundId, 'status');
      const activity = invoke(MEMBER, { command: 'addNote', text: 'Kun én gang' });
      expect((await post(w, activity)).status).toBe(200);
      expect((await post(w, activity)).status).toBe(200);
      expect((await state(w, roundId)).statusNotes.map((n) => n.text)).toEqual(['Kun én gang']);
    });

    it('past the channel (claim lost): the activity id is the service idempotency key', async () => {
      // A store whose claims never hold, as after a released or expired claim.
      w = await startWorld({ claim: async () => true, release: async () => true });
      const roundId = await startRound(w);
      await advanceTo(w, roundId, 'status');
      const first = await act(
        w,
        MEMBER,
        { command: 'addNote', text: 'Gentaget' },
        { id: 'same-1' },
      );
      const again = await act(
        w,
        MEMBER,
        { command: 'addNote', text: 'Gentaget' },
        { id: 'same-1' },
      );
      expect(first).toContain('Gentaget');
      // The redelivery gets the same card (the note once), not an error.
      expect(again).toContain('Gentaget');
      expect((await state(w, roundId)).statusNotes).toHaveLength(1);

      // A facilitator command redelivered after it went through: no error, no second step.
      await act(w, FACILITATOR, { command: 'next', value: 'status' }, { id: 'same-2' });
      const repeated = await act(
        w,
        FACILITATOR,
        { command: 'next', value: 'status' },
        { id: 'same-2' },
      );
      expect(repeated).toContain('Til mødelederen');
      expect((await state(w, roundId)).step).toBe('rating');

      // A second press is a new activity: a second note, as a second click on the web.
      await advanceTo(w, roundId, 'rating');
      await act(w, FACILITATOR, { command: 'back', value: 'rating' });
      await act(w, MEMBER, { command: 'addNote', text: 'Gentaget' }, { id: 'other-1' });
      expect((await state(w, roundId)).statusNotes).toHaveLength(2);
    });
  });

  it('Action.Submit fallback: a message with the form as value runs the same intent', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    await advanceTo(w, roundId, 'status');
    const activity = {
      ...envelope(MEMBER),
      type: 'message',
      value: { command: 'addNote', areaId: '_general', text: 'Fra en ældre klient' },
    };
    const response = await post(w, activity);
    expect(response.status).toBe(200);
    const s = await state(w, roundId);
    expect(s.statusNotes.map((n) => [n.areaId, n.text])).toEqual([[null, 'Fra en ældre klient']]);
    expect((await w.app.store.counts(roundId)).participants).toBe(2);
    // No card to answer with, and nothing said in the conversation about it.
    const replies = connector.calls.filter(
      (c) => c.route === 'reply' && c.activityId === activity.id,
    );
    expect(replies).toEqual([]);
  });

  it('unknown buttons and data no card of ours sends get a polite error card', async () => {
    w = await startWorld();
    const roundId = await startRound(w);
    const unknown = await act(w, MEMBER, { command: 'deleteEverything' });
    expect(unknown).toContain(q('Den kommando kender jeg ikke.'));
    const badId = await act(w, FACILITATOR, { command: 'closeCard', value: 'x'.repeat(500) });
    expect(badId).toContain(q('Kortet findes ikke i denne runde.'));
    expect((await state(w, roundId)).step).toBe('intro');
  });
});
