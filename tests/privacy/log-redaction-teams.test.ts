/**
 * Log redaction on Teams: a whole round through OUR route with production
 * settings (JWT-validated activities, tenant allowlist, the real
 * CloudAdapter) against the fake Bot Connector (tests/teams/harness.ts),
 * every log line captured at trace level: install, `@dialogrunde start`, the
 * facilitator's controls, scope, a status note, votes and a card refresh, a
 * forged vote, a refused facilitator action, an unknown command, a foreign
 * tenant, a repeated activity, the store down before and after the claim,
 * the connector failing an edit, an own initiative, priorities, two plan
 * items (one picked in the people picker), the owner's reminder and Done. No
 * line may hold an Entra object id or Teams user id, a display name or
 * e-mail, a typed text, a token or secret, a voter key, or a field that ties
 * a vote to a voter.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import { postedCard } from '../teams/driving.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  installed,
  invoke,
  type Json,
  type Member,
  mention,
  OUTBOUND_TOKEN,
  type Place,
  type PressedAction,
  post,
  press,
  SECRET,
  startTeamsWorld,
  type TeamsWorld,
  textsOf,
  useAuthFixture,
} from '../teams/harness.ts';
import { type CapturedLogs, captureLogs, expectCleanLogs, TYPED_TEXTS } from './log-capture.ts';

const TENANT = 'tenant-redaction';
const CHANNEL = '19:5c1e0d9a7b3f4e2d8c6a1b0e9f8d7c6b@thread.tacv2';
const START_MESSAGE_ID = '1795424700000';
const THREAD = `${CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_CHANNEL: Place = { conversationId: CHANNEL, type: 'channel', teamId: CHANNEL };
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: CHANNEL };

const FAC: Member = { aad: '5c1e0d9a-f0f0-4f0f-8f0f-00000000fac1', name: 'Frida Fjeldgaard-Quist' };
const ZEB: Member = { aad: '5c1e0d9a-2e2e-4e2e-8e2e-000000002eb2', name: 'Zebulon Quarkmann' };
const MEM: Member = { aad: '5c1e0d9a-3a3a-4a3a-8a3a-000000003a33', name: 'Mette Mørkeberg-Zink' };
const PEOPLE = [FAC, ZEB, MEM];
const emailOf = (m: Member) => `${m.name.split(' ')[0]?.toLowerCase()}.q@kommune.example`;

/** Free text typed into the round (more than TYPED_TEXTS on this channel). */
const TYPED = {
  ...TYPED_TEXTS,
  typedOwner: 'Quirinus Zappelmeier',
  command: 'PRIVAT-KOMMANDO-93aa',
};

const fixture = useAuthFixture();

describe('Teams: the logs of a whole round name nobody', () => {
  let w: TeamsWorld;
  let logs: CapturedLogs;
  let store: FlakyStore;
  beforeEach(async () => {
    logs = captureLogs();
    w = await startTeamsWorld({ tenant: TENANT, auth: fixture(), logger: logs.logger });
    for (const m of PEOPLE) {
      const [givenName, surname] = m.name.split(' ');
      w.connector.addMember(CHANNEL, {
        id: `29:${m.aad}`,
        name: m.name,
        aadObjectId: m.aad,
        ...(givenName && { givenName }),
        ...(surname && { surname }),
        email: emailOf(m),
        userPrincipalName: emailOf(m),
      });
    }
    store = flakyStore(w.app.store);
  });
  afterEach(async () => {
    store.up();
    await w.close();
  });

  it('install, start, note, votes, mistakes, outages, own initiative, priorities, plan, reminder', async () => {
    /** Presses an action in the thread as `who`; the card Teams shows them. */
    const act = async (who: Member, action: PressedAction) =>
      answerCard(await post(w, invoke(w, who, IN_THREAD, action)));
    const group = async (what: string) => {
      await drain(w);
      return (await postedCard(w, THREAD, `${roundId}:${what}`)).card;
    };
    let controls: Json = {};
    const steer = async (verb: string, where: Json = {}) => {
      controls = await act(FAC, press(controls, verb, where));
    };

    expect((await post(w, installed(w, FAC, IN_CHANNEL))).status).toBe(200);
    await post(w, mention(w, FAC, IN_THREAD, 'start', START_MESSAGE_ID));
    const [round] = await w.app.store.listByConversation(
      { platform: 'teams', tenant: TENANT, conversationId: THREAD },
      1,
    );
    const roundId = round?.id ?? '';
    const hint = w.connector.callsFor(THREAD).find((c) => c.route === 'reply');
    controls = await act(FAC, press(cardOfActivity(hint?.body) ?? {}, 'facilitator'));
    await steer('next', { value: 'intro' });
    await act(FAC, press(await group('step:scope'), 'setScope', {}, { scope: 'udvikling' }));
    await steer('next', { value: 'scope' });
    const note = { areaId: 'udvikling', text: TYPED.note };
    await act(ZEB, press(await group('step:status'), 'addNote', {}, note));

    // Rating: three votes, a refresh, a forged value, a member steering.
    await steer('next', { value: 'status' });
    /** Opens the next card; three votes on it; its id and card. */
    const rateNextCard = async (values: readonly string[]) => {
      await steer('openNextCard', { value: '' });
      const state = (await w.app.store.load(roundId))?.state;
      const id = Object.keys(state?.cards ?? {}).find((c) => state?.cards[c] === 'open') ?? '';
      const posted = await group(`card:${id}`);
      for (const [i, who] of PEOPLE.entries()) {
        const mine = await act(who, press(posted, 'vote', { value: values[i] ?? 'na' }));
        expect(textsOf(mine).join('\n')).toContain('Din stemme:');
      }
      return { cardId: id, card: posted };
    };
    const { cardId, card } = await rateNextCard(['4', '2', '5']);
    const refresh = {
      verb: 'refresh',
      data: { command: 'refresh', key: `${roundId}:card:${cardId}` },
    };
    await post(w, invoke(w, ZEB, IN_THREAD, refresh, 'automatic'));
    const real = press(card, 'vote', { value: '3' });
    const forged = await act(MEM, { ...real, data: { ...real.data, value: TYPED.badVote } });
    expect(JSON.stringify(forged)).not.toContain('Din stemme');
    const steering = await act(MEM, press(controls, 'next', { value: 'rating' }));
    expect(textsOf(steering).join('\n')).toContain('Det er kun mødelederen');

    // An unknown command, a tenant not on the allowlist, a repeated activity.
    await post(w, mention(w, MEM, IN_THREAD, TYPED.command));
    const foreign = mention(w, ZEB, IN_THREAD, 'status');
    const elsewhere = { tenantId: 'tenant-not-allowed', id: THREAD, conversationType: 'channel' };
    await post(w, { ...foreign, conversation: elsewhere, channelData: {} });
    const twice = invoke(w, ZEB, IN_THREAD, press(card, 'vote', { value: '1' }));
    await post(w, twice);
    await post(w, twice);

    // The store down before the claim, then after it (mid-turn).
    store.down();
    await post(w, invoke(w, MEM, IN_THREAD, press(card, 'vote', { value: '2' })));
    store.down(['claim', 'release']);
    await post(w, invoke(w, MEM, IN_THREAD, press(card, 'vote', { value: '2' })));
    store.up();

    // The connector refuses the card's edit: the outbox gives up and says so.
    w.connector.failNext(1, { status: 500, routes: ['update'], conversationId: THREAD });
    await steer('closeCard', { value: cardId });
    await drain(w);
    // A second card: three more votes, closed by the next step.
    await rateNextCard(['1', 'na', '3']);

    // Own initiative, priorities.
    await steer('next', { value: 'rating' });
    const initiative = {
      title: TYPED.customTitle,
      description: TYPED.customDescription,
      missionId: 'ledere',
    };
    await act(ZEB, press(await group('step:custom'), 'addCustomCard', {}, initiative));
    const customId = (await w.app.store.load(roundId))?.state.customCards[0]?.id ?? '';
    expect(customId).not.toBe('');
    await steer('next', { value: 'custom' });
    const priority = await group('step:priority');
    for (const who of PEOPLE) {
      await act(who, press(priority, 'prioritize', {}, { cardIds: `${customId},${cardId}` }));
    }

    // Summary and two plan items: Zebulon picked in the people picker, a typed name.
    await steer('next', { value: 'priority' });
    const plan = await group('plan');
    const fields = { what: TYPED.what, goal: TYPED.goal, actions: TYPED.actions };
    await act(
      FAC,
      press(plan, 'addPlanItem', {}, { ...fields, ownerUser: ZEB.aad, due: '2026-12-03' }),
    );
    await act(
      FAC,
      press(plan, 'addPlanItem', {}, { ...fields, owner: TYPED.typedOwner, due: '2026-12-10' }),
    );
    const [item] = (await w.app.store.load(roundId))?.state.plan ?? [];
    expect(item?.owner.name).toBe(ZEB.name);

    // The reminder, and Done pressed by a member (refused) and by the owner.
    const reminder = (await w.app.scheduler.pending(roundId)).find((j) => j.type === 'reminder');
    if (!reminder) throw new Error('no reminder scheduled');
    await w.app.service.handleJob(reminder);
    const current = await group('plan');
    for (const who of [MEM, ZEB]) await act(who, press(current, 'planDone', { value: item?.id }));
    expect((await w.app.store.load(roundId))?.state.plan[0]?.status).toBe('done');
    await drain(w);

    // The logs: the run logged, its failures among it, and nothing personal.
    const forbidden: Record<string, string> = {
      'app secret': SECRET,
      'outbound token': OUTBOUND_TOKEN,
      // Every JWT of ours starts with the base64url of '{"alg":'.
      'inbound token': 'eyJhbGciOi',
    };
    for (const m of PEOPLE) {
      const who = { platform: 'teams' as const, tenant: TENANT, userId: m.aad };
      forbidden[`object id of ${m.name}`] = m.aad;
      forbidden[`name ${m.name}`] = m.name;
      forbidden[`e-mail of ${m.name}`] = emailOf(m);
      forbidden[`voter key of ${m.name}`] = w.app.service.keyOf(roundId, who);
    }
    expectCleanLogs(logs.lines, {
      logged: [
        'round started',
        'teams: unknown text command',
        'teams: activity from a tenant not on the allowlist ignored',
        'teams: repeated activity ignored',
        'teams: store unreachable; answering "not saved"',
        'teams: card action failed',
        'teams send given up',
      ],
      forbidden,
      typed: TYPED,
    });
  }, 120_000);
});
