/**
 * The facilitator deletes the round from Teams, through OUR route (the real
 * CloudAdapter, anonymous development mode) and the fake Bot Connector:
 * `@dialogrunde slet` answers with the question card; its buttons are
 * pressed as Teams sends them (`adaptiveCard/action` invokes). Only the
 * facilitator may; nothing is deleted before the second, explicit press; the
 * conversation gets a notice; the round and what the channel remembered of it
 * are gone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorView } from '../../src/core/views/messages.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  invoke,
  type Json,
  type Member,
  mention,
  offered,
  type Place,
  post,
  press,
  startTeamsWorld,
  type TeamsWorld,
  textsOf,
} from './harness.ts';

const TENANT = 'tenant-delete';
const CHAT: Place = { conversationId: '19:delete-chat@thread.v2', type: 'groupChat' };
const FRIDA: Member = { aad: '6f1c2a7e-0000-4000-8000-0000000de001', name: 'Frida' };
const ANDERS: Member = { aad: '6f1c2a7e-0000-4000-8000-0000000de002', name: 'Anders' };
const CONVERSATION = {
  platform: 'teams' as const,
  tenant: TENANT,
  conversationId: CHAT.conversationId,
};

const NOT_FACILITATOR = errorView('da', { code: 'not_facilitator' }).message;

let w: TeamsWorld;
let roundId: string;

beforeEach(async () => {
  w = await startTeamsWorld({ tenant: TENANT });
  expect((await post(w, mention(w, FRIDA, CHAT, 'start'))).status).toBe(200);
  await drain(w);
  roundId = (await w.app.store.listByConversation(CONVERSATION, 1))[0]?.id ?? '';
  expect(roundId).not.toBe('');
});

afterEach(async () => {
  await w.close();
});

/** The cards the bot posted into the chat after `since` calls (replies and sends). */
function postedSince(since: number): Json[] {
  return w.connector
    .callsFor(CHAT.conversationId)
    .slice(since)
    .filter((c) => c.method === 'POST')
    .map((c) => cardOfActivity(c.body))
    .filter((c): c is Json => c !== undefined);
}

/** `slet` from `who`: the card the bot replied with. */
async function askToDelete(who: Member): Promise<Json> {
  const since = w.connector.callsFor(CHAT.conversationId).length;
  expect((await post(w, mention(w, who, CHAT, 'slet'))).status).toBe(200);
  const [reply] = postedSince(since);
  if (!reply) throw new Error('no reply to "slet"');
  return reply;
}

describe('deleting a round in Teams', () => {
  it('asks the facilitator first; Keep changes nothing; Delete deletes and tells the chat', async () => {
    const question = await askToDelete(FRIDA);
    expect(textsOf(question)).toContain('Slet runden?');
    expect(offered(question)).toEqual([
      { verb: 'deleteRound', data: { command: 'deleteRound', value: roundId } },
      { verb: 'keepRound', data: { command: 'keepRound', value: roundId } },
    ]);
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);

    const kept = answerCard(await post(w, invoke(w, FRIDA, CHAT, press(question, 'keepRound'))));
    expect(textsOf(kept)).toContain('Runden er ikke slettet');
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);

    const memory = w.app.store.channelMemory;
    const remembered = [`${roundId}:step:intro`, `facilitator-chat:${roundId}`];
    for (const key of remembered) {
      expect(await memory.message('teams', CHAT.conversationId, key)).toBeDefined();
    }
    const since = w.connector.callsFor(CHAT.conversationId).length;
    const done = answerCard(await post(w, invoke(w, FRIDA, CHAT, press(question, 'deleteRound'))));
    expect(textsOf(done)).toEqual([
      'Runden er slettet',
      'Mødelederen har slettet runden og alt, hvad der var gemt om den.',
    ]);
    // Everybody in the chat learns it from a new message.
    expect(postedSince(since).map(textsOf)).toEqual([textsOf(done)]);
    expect(await w.app.store.load(roundId)).toBeUndefined();
    expect(await w.app.scheduler.pending(roundId)).toEqual([]);
    for (const key of remembered) {
      expect(await memory.message('teams', CHAT.conversationId, key)).toBeUndefined();
    }

    // A second press finds nothing left to delete.
    const again = answerCard(await post(w, invoke(w, FRIDA, CHAT, press(question, 'deleteRound'))));
    expect(textsOf(again)).toContain(errorView('da', { code: 'round_not_found' }).message);
  });

  it('refuses everybody else politely, for the question and for a pressed Delete', async () => {
    const refused = await askToDelete(ANDERS);
    expect(textsOf(refused)).toContain(NOT_FACILITATOR);
    expect(offered(refused)).toEqual([]);

    // Anders presses the Delete button of the facilitator's question (it is visible in the chat).
    const question = await askToDelete(FRIDA);
    const since = w.connector.callsFor(CHAT.conversationId).length;
    const pressed = answerCard(
      await post(w, invoke(w, ANDERS, CHAT, press(question, 'deleteRound'))),
    );
    expect(textsOf(pressed)).toContain(NOT_FACILITATOR);
    expect(postedSince(since)).toEqual([]);
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);
  });

  it('refuses a forged round id: the round named must be the presser’s own to delete', async () => {
    const forged = {
      verb: 'deleteRound',
      data: { command: 'deleteRound', value: 'r-someone-else' },
    };
    const answer = answerCard(await post(w, invoke(w, FRIDA, CHAT, forged)));
    expect(textsOf(answer)).toContain(errorView('da', { code: 'round_not_found' }).message);
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);
  });
});
