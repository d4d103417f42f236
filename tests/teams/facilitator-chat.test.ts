/**
 * The facilitator's controls in a 1:1 chat with the bot (issue 4), through
 * OUR route with production-shaped JWT validation, against the fake Bot
 * Connector: a start in a channel thread opens a personal conversation with
 * the starter (`POST /v3/conversations`), the facilitator card is posted
 * there and edited in place (votes move its count), its buttons carry the
 * round id and steer the group's round; a forged round id gains a member
 * nothing; and when the 1:1 chat cannot be created (403) the hint card's
 * button is the way to the controls, as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeckCatalog } from '../../src/app/decks.ts';
import { facilitatorChatKey } from '../../src/channels/teams/facilitator-chat.ts';
import { errorView } from '../../src/core/views/messages.ts';
import { testDeck } from '../fixtures/test-deck.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  executeActions,
  invoke,
  type Json,
  type Member,
  mention,
  type Place,
  post,
  press,
  startTeamsWorld,
  type TeamsWorld,
  textsOf,
  useAuthFixture,
} from './harness.ts';

const TENANT = 'tenant-facilitator-chat';
const CHANNEL = '19:fac111tat0r@thread.tacv2';
const START_MESSAGE_ID = '1795424400123';
const THREAD = `${CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: CHANNEL };

const FRIDA: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000f101', name: 'Frida Mødeleder' };
const ANDERS: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000a102', name: 'Anders' };
const BENTE: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000b103', name: 'Bente' };

const FACILITATOR_ONLY = 'Kun mødelederen ser dette.';
const NOT_FACILITATOR = errorView('da', { code: 'not_facilitator' }).message;
const ERROR_TITLE = errorView('da', { code: 'not_facilitator' }).title;

const fixture = useAuthFixture();

function errorOf(card: Json): string | undefined {
  const texts = textsOf(card);
  return texts[0] === ERROR_TITLE ? texts[1] : undefined;
}

describe('Teams: the facilitator controls in a 1:1 chat', () => {
  let w: TeamsWorld;
  let roundId = '';

  beforeEach(async () => {
    const decks = DeckCatalog.load();
    decks.add(testDeck);
    w = await startTeamsWorld({
      tenant: TENANT,
      auth: fixture(),
      decks,
      defaults: { deckId: testDeck.id },
    });
    for (const m of [FRIDA, ANDERS, BENTE]) {
      w.connector.addMember(CHANNEL, { id: `29:${m.aad}`, name: m.name, aadObjectId: m.aad });
    }
  });
  afterEach(async () => {
    await w.close();
  });

  const memory = () => w.app.store.channelMemory;
  const state = async () => {
    const record = await w.app.store.load(roundId);
    if (!record) throw new Error('no round');
    return record.state;
  };

  /** `@dialogrunde start` in the thread; returns the hint card the bot replied with. */
  async function start(): Promise<Json> {
    const activity = mention(w, FRIDA, IN_THREAD, 'start', START_MESSAGE_ID);
    expect((await post(w, activity)).status).toBe(200);
    const [round] = await w.app.store.listByConversation(
      { platform: 'teams', tenant: TENANT, conversationId: THREAD },
      1,
    );
    roundId = round?.id ?? '';
    expect(roundId).not.toBe('');
    const replies = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'reply' && c.activityId === START_MESSAGE_ID);
    expect(replies).toHaveLength(1);
    return cardOfActivity(replies[0]?.body) ?? {};
  }

  /** The latest version of a message the bot posted in a conversation, by view key. */
  async function latest(conversationId: string, what: string) {
    const id = await memory().message('teams', conversationId, `${roundId}:${what}`);
    expect(id, `no message for ${what} in ${conversationId}`).toBeDefined();
    const stored = w.connector.activity(conversationId, id ?? '');
    return { id: id ?? '', card: cardOfActivity(stored?.activity) ?? {}, updates: stored?.updates };
  }

  it('a start in a channel opens a 1:1 chat whose card stays current and steers the round', async () => {
    const hint = await start();
    // The hint says the controls went to a private chat, and keeps the button as a fallback.
    expect(textsOf(hint).join('\n')).toContain('sendt til dig i en privat chat');
    expect(executeActions(hint).map(({ action }) => action.verb)).toEqual(['facilitator']);

    // One createConversation: a 1:1 (not a group) with the facilitator's Teams id from
    // the envelope, in the tenant; the bot named as `bot` (REST) and `agent` (SDK).
    const creates = w.connector.calls.filter((c) => c.route === 'createConversation');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.status).toBe(201);
    expect(creates[0]?.bearer).toBe('local-outbound-token');
    expect(creates[0]?.body).toMatchObject({
      isGroup: false,
      members: [{ id: `29:${FRIDA.aad}` }],
      tenantId: TENANT,
      channelData: { tenant: { id: TENANT } },
      bot: { id: w.botId },
      agent: { id: w.botId },
    });
    const personal = creates[0]?.returnedId ?? '';
    expect(await memory().message('teams', THREAD, facilitatorChatKey(roundId))).toBe(personal);
    expect(await memory().conversation('teams', TENANT, personal)).toContain(personal);

    // The facilitator card is posted in the 1:1 chat (a new message, not a reply), never in
    // the group; every button names the round.
    await drain(w);
    const posts = w.connector.callsFor(personal).filter((c) => c.status === 201);
    expect(posts.map((c) => c.route)).toEqual(['send']);
    let controls = await latest(personal, 'facilitator');
    expect(textsOf(controls.card)).toContain(FACILITATOR_ONLY);
    const buttons = executeActions(controls.card);
    expect(buttons.length).toBeGreaterThan(0);
    for (const { action } of buttons) expect(action.data).toMatchObject({ roundId });
    const inGroup = JSON.stringify(w.connector.activitiesIn(THREAD));
    expect(inGroup).not.toContain(FACILITATOR_ONLY);

    // Next pressed in the 1:1 chat moves the group's round; the group gets the next step's card.
    const personalPlace: Place = { conversationId: personal, type: 'personal' };
    const steer = async (where: Json) => {
      const answer = answerCard(
        await post(w, invoke(w, FRIDA, personalPlace, press(controls.card, 'next', where))),
      );
      expect(errorOf(answer)).toBeUndefined();
      // The answer replaces the pressed card: its buttons still name the round.
      for (const { action } of executeActions(answer)) {
        expect(action.data).toMatchObject({ roundId });
      }
      await w.time.advance(3000);
      await drain(w);
      controls = await latest(personal, 'facilitator');
    };
    await steer({ value: 'intro' });
    expect((await state()).step).toBe('scope');
    expect(textsOf((await latest(THREAD, 'step:scope')).card).length).toBeGreaterThan(0);
    await steer({ value: 'scope' });
    await steer({ value: 'status' });
    expect((await state()).step).toBe('rating');

    // Open the first card from the 1:1 chat; votes in the group move the 1:1 card's count.
    const opened = answerCard(
      await post(w, invoke(w, FRIDA, personalPlace, press(controls.card, 'openNextCard'))),
    );
    expect(errorOf(opened)).toBeUndefined();
    await w.time.advance(3000);
    await drain(w);
    const open = Object.entries((await state()).cards).find(([, p]) => p === 'open')?.[0];
    expect(open).toBeDefined();
    const vote = await latest(THREAD, `card:${open}`);
    const before = await latest(personal, 'facilitator');
    expect(textsOf(before.card).join('\n')).toMatch(/0 af \d+ har stemt/);
    for (const who of [ANDERS, BENTE]) {
      const mine = answerCard(
        await post(w, invoke(w, who, IN_THREAD, press(vote.card, 'vote', { value: '4' }))),
      );
      expect(errorOf(mine)).toBeUndefined();
    }
    await drain(w);
    const after = await latest(personal, 'facilitator');
    expect(after.id).toBe(before.id);
    expect(after.updates ?? 0).toBeGreaterThan(before.updates ?? 0);
    const joined = (await w.app.store.counts(roundId)).participants;
    expect(textsOf(after.card)).toContain(`2 af ${joined} har stemt`);
    // Still one message in the 1:1 chat: edited in place, never posted again.
    expect(
      w.connector.callsFor(personal).filter((c) => c.route === 'send' || c.route === 'reply'),
    ).toHaveLength(1);
  });

  it("a member's invoke with the round's id in its data is refused and changes nothing", async () => {
    await start();
    await drain(w);
    const before = await state();
    const groupCalls = w.connector.callsFor(THREAD).length;
    // From Anders' own 1:1 chat with the bot, data copied from the facilitator's card.
    const elsewhere: Place = { conversationId: 'a:anders-own-chat', type: 'personal' };
    const forged = { verb: 'next', data: { command: 'next', value: 'intro', roundId } };
    const refused = answerCard(await post(w, invoke(w, ANDERS, elsewhere, forged)));
    expect(errorOf(refused)).toBe(NOT_FACILITATOR);
    // From the group thread too.
    const inThread = answerCard(await post(w, invoke(w, ANDERS, IN_THREAD, forged)));
    expect(errorOf(inThread)).toBe(NOT_FACILITATOR);
    await drain(w);
    expect(await state()).toEqual(before);
    expect(w.connector.callsFor(THREAD)).toHaveLength(groupCalls);
    // A round id on anything but a facilitator command is not read: no round in that chat.
    const vote = { verb: 'vote', data: { command: 'vote', cardId: 'x', value: '4', roundId } };
    const noRound = answerCard(await post(w, invoke(w, ANDERS, elsewhere, vote)));
    expect(errorOf(noRound)).toBe(errorView('da', { code: 'round_not_found' }).message);
  });

  it('when the 1:1 chat cannot be created (403), the hint card offers the controls as before', async () => {
    w.connector.failNext(1, { status: 403, routes: ['createConversation'] });
    const hint = await start();
    expect(textsOf(hint).join('\n')).toContain('Du er mødeleder – brug knapperne på kortene.');
    expect(w.logs.some((l) => l.startsWith('warn: teams: no personal chat'))).toBe(true);
    // No link, and the facilitator views went nowhere (never to the group).
    expect(await memory().message('teams', THREAD, facilitatorChatKey(roundId))).toBeUndefined();
    await drain(w);
    expect(JSON.stringify(w.connector.activitiesIn(THREAD))).not.toContain(FACILITATOR_ONLY);
    const sent = w.connector.calls.filter((c) => c.route === 'send' || c.route === 'reply');
    expect(sent.every((c) => c.conversationId === THREAD)).toBe(true);
    // The button: the controls for the facilitator, a refusal for anybody else.
    const refused = answerCard(
      await post(w, invoke(w, ANDERS, IN_THREAD, press(hint, 'facilitator'))),
    );
    expect(errorOf(refused)).toBe(NOT_FACILITATOR);
    const controls = answerCard(
      await post(w, invoke(w, FRIDA, IN_THREAD, press(hint, 'facilitator'))),
    );
    expect(textsOf(controls)).toContain(FACILITATOR_ONLY);
    // Pressed in the group, the controls need no round id (the thread has the round).
    const moved = answerCard(
      await post(w, invoke(w, FRIDA, IN_THREAD, press(controls, 'next', { value: 'intro' }))),
    );
    expect(errorOf(moved)).toBeUndefined();
    expect((await state()).step).toBe('scope');
  });
});
