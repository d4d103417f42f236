/**
 * Driving the Slack channel like people do: pressing buttons taken from the
 * messages the bot actually sent (channel messages, ephemeral answers).
 */
import { expect } from 'vitest';
import {
  actionBody,
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  TEAM,
  type World,
} from './harness.ts';

export interface Button {
  text: { text: string };
  value: string;
  action_id: string;
}

/** Every button in a list of blocks. */
export function buttonsIn(blocks: unknown): Button[] {
  return ((blocks ?? []) as { type: string; elements?: Button[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);
}

/** The button whose value has this command (and, if given, this value). */
export function button(blocks: unknown, command: string, value?: string): Button {
  const found = buttonsIn(blocks).find((b) => {
    const data = JSON.parse(b.value) as { command: string; value?: string };
    return data.command === command && (value === undefined || data.value === value);
  });
  if (!found) throw new Error(`no ${command} ${value ?? ''} button in ${JSON.stringify(blocks)}`);
  return found;
}

/** Presses a button as `user`; returns what Slack's response_url received. */
export async function press(
  w: World,
  user: string,
  pressed: Button,
  options: { ephemeral?: boolean } = {},
) {
  const { body, responseId } = actionBody(w, user, pressed.value, options);
  const posted = await deliver(w, body, FORM);
  expect(posted.status).toBe(200);
  const answers = w.slack.responsesTo(responseId);
  return { answers, last: answers.at(-1)?.body };
}

/** Starts a round as the facilitator and moves to the first open card, using the controls shown. */
export async function openFirstCard(w: World) {
  await deliver(w, commandBody(w, FACILITATOR, 'start', 'start'), FORM);
  let controls = w.slack.responsesTo('start')[0]?.body;
  expect(JSON.stringify(controls)).toContain('Kun mødelederen ser dette.');
  for (const step of ['intro', 'scope', 'status']) {
    const answer = await press(w, FACILITATOR, button(controls?.blocks, 'next', step), {
      ephemeral: true,
    });
    // Pressed on the facilitator's own ephemeral controls: replaced in place.
    expect(answer.last).toMatchObject({ replace_original: true });
    controls = answer.last;
  }
  const opened = await press(w, FACILITATOR, button(controls?.blocks, 'openNextCard'), {
    ephemeral: true,
  });
  controls = opened.last;
  await drain(w);
  const [round] = await w.app.store.listByConversation(
    { platform: 'slack', tenant: TEAM, conversationId: CHANNEL },
    1,
  );
  if (!round) throw new Error('no round');
  const state = (await w.app.store.load(round.id))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open') ?? '';
  expect(state?.step).toBe('rating');
  const ts = await w.app.store.channelMemory.message(
    'slack',
    CHANNEL,
    `${round.id}:card:${cardId}`,
  );
  const message = w.slack.message(CHANNEL, ts ?? '');
  if (!message) throw new Error('the card was not posted');
  return { roundId: round.id, cardId, controls, message };
}
