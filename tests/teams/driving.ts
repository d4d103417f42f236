/**
 * Driving a Teams round like people do: a facilitator starting it in a
 * channel thread and pressing the buttons of the cards the bot sent.
 */
import { expect } from 'vitest';
import {
  answerCard,
  cardOfActivity,
  invoke,
  type Json,
  type Member,
  mention,
  type Place,
  type PressedAction,
  post,
  press,
  type TeamsWorld,
} from './harness.ts';

/**
 * `facilitator` starts a round with a mention (the message `startMessageId`
 * that opens `thread`), steps through intro, scope and status with the
 * facilitator's card and opens the first card. Answers the round's id and
 * the open card's id.
 */
export async function openFirstCard(
  w: TeamsWorld,
  facilitator: Member,
  thread: Place,
  startMessageId: string,
): Promise<{ roundId: string; cardId: string }> {
  const conversationId = thread.conversationId;
  expect((await post(w, mention(w, facilitator, thread, 'start', startMessageId))).status).toBe(
    200,
  );
  const act = async (action: PressedAction) =>
    answerCard(await post(w, invoke(w, facilitator, thread, action)));
  const hint = w.connector.callsFor(conversationId).find((c) => c.route === 'reply');
  let controls = await act(press(cardOfActivity(hint?.body) ?? {}, 'facilitator'));
  for (const step of ['intro', 'scope', 'status']) {
    controls = await act(press(controls, 'next', { value: step }));
  }
  await act(press(controls, 'openNextCard', { value: '' }));
  const [round] = await w.app.store.listByConversation(
    { platform: 'teams', tenant: w.tenant, conversationId },
    1,
  );
  const roundId = round?.id ?? '';
  const state = (await w.app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open') ?? '';
  return { roundId, cardId };
}

/** The card the bot posted to `conversationId` for `key`, as the connector holds it now. */
export async function postedCard(
  w: TeamsWorld,
  conversationId: string,
  key: string,
): Promise<{ id: string; card: Json; updates: number }> {
  const id = (await w.app.store.channelMemory.message('teams', conversationId, key)) ?? '';
  const stored = w.connector.activity(conversationId, id);
  return { id, card: cardOfActivity(stored?.activity) ?? {}, updates: stored?.updates ?? 0 };
}
