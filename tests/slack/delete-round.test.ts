/**
 * The facilitator deletes the round from Slack, through the real Bolt app
 * with signed requests against the local fake Slack: `/dialogrunde slet`
 * answers (only to the person) with the question; its buttons are pressed
 * as Slack sends them. Only the facilitator may; nothing goes before the
 * second, explicit press; the channel gets a notice; the round and the
 * message ids the channel kept for it are gone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorView } from '../../src/core/views/messages.ts';
import { button, buttonsIn, press } from './driving.ts';
import {
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  startWorld,
  TEAM,
  type World,
} from './harness.ts';

const MEMBER = 'U0MEMBER1';
const CONVERSATION = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
const NOT_FACILITATOR = errorView('da', { code: 'not_facilitator' }).message;

let w: World;
let roundId: string;

beforeEach(async () => {
  w = await startWorld();
  await deliver(w, commandBody(w, FACILITATOR, 'start', 'start'), FORM);
  await drain(w);
  roundId = (await w.app.store.listByConversation(CONVERSATION, 1))[0]?.id ?? '';
  expect(roundId).not.toBe('');
});

afterEach(async () => {
  await w.close();
});

let asked = 0;
/** `/dialogrunde slet` from `user`: the answer only they see. */
async function askToDelete(user: string) {
  asked += 1;
  await deliver(w, commandBody(w, user, 'slet', `slet-${asked}`), FORM);
  const answer = w.slack.responsesTo(`slet-${asked}`)[0]?.body;
  if (!answer) throw new Error('no answer to /dialogrunde slet');
  return answer as { text?: string; blocks?: unknown; response_type?: string };
}

/** Messages the bot posted into the channel (for everybody), as their fallback texts. */
const channelPosts = () =>
  w.slack
    .callsTo('chat.postMessage')
    .filter((c) => c.status === 200 && c.args.channel === CHANNEL)
    .map((c) => String(c.args.text));

describe('deleting a round in Slack', () => {
  it('asks the facilitator first; Keep changes nothing; Delete deletes and tells the channel', async () => {
    const question = await askToDelete(FACILITATOR);
    expect(question).toMatchObject({ response_type: 'ephemeral', text: 'Slet runden?' });
    expect(buttonsIn(question.blocks).map((b) => JSON.parse(b.value))).toEqual([
      { command: 'deleteRound', value: roundId },
      { command: 'keepRound', value: roundId },
    ]);

    const kept = await press(w, FACILITATOR, button(question.blocks, 'keepRound'), {
      ephemeral: true,
    });
    expect(kept.last).toMatchObject({ replace_original: true, text: 'Runden er ikke slettet' });
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);

    const memory = w.app.store.channelMemory;
    expect(await memory.message('slack', CHANNEL, `${roundId}:step:intro`)).toBeDefined();
    const before = channelPosts().length;
    const done = await press(w, FACILITATOR, button(question.blocks, 'deleteRound'), {
      ephemeral: true,
    });
    expect(done.last).toMatchObject({ replace_original: true, text: 'Runden er slettet' });
    expect(JSON.stringify(done.last)).toContain(
      'Mødelederen har slettet runden og alt, hvad der var gemt om den.',
    );
    expect(channelPosts().slice(before)).toEqual(['Runden er slettet']);
    expect(await w.app.store.load(roundId)).toBeUndefined();
    expect(await w.app.scheduler.pending(roundId)).toEqual([]);
    expect(await memory.message('slack', CHANNEL, `${roundId}:step:intro`)).toBeUndefined();
  });

  it('refuses everybody else politely, for the question and for a pressed Delete', async () => {
    const refused = await askToDelete(MEMBER);
    expect(JSON.stringify(refused)).toContain(NOT_FACILITATOR);
    expect(buttonsIn(refused.blocks)).toEqual([]);

    const question = await askToDelete(FACILITATOR);
    const before = channelPosts().length;
    const pressed = await press(w, MEMBER, button(question.blocks, 'deleteRound'));
    expect(JSON.stringify(pressed.last)).toContain(NOT_FACILITATOR);
    expect(channelPosts().slice(before)).toEqual([]);
    expect((await w.app.store.load(roundId))?.state.id).toBe(roundId);
  });
});
