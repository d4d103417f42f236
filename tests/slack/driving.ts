/**
 * Driving the Slack channel like people do: pressing buttons taken from the
 * messages the bot actually sent (channel messages, ephemeral answers).
 */
import { expect } from 'vitest';
import type { OpenedView } from './fake-slack.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  TEAM,
  viewSubmissionBody,
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
  const { body, responseId, triggerId } = actionBody(w, user, pressed.value, {
    ...options,
    actionId: pressed.action_id,
  });
  const posted = await deliver(w, body, FORM);
  expect(posted.status).toBe(200);
  const answers = w.slack.responsesTo(responseId);
  return { answers, last: answers.at(-1)?.body, triggerId };
}

/** The button that opens the form of `command` in a modal. */
export function formButton(blocks: unknown, command: string): Button {
  const found = buttonsIn(blocks).find(
    (b) =>
      b.action_id.startsWith('dialogrunde-form:') &&
      (JSON.parse(b.value) as { command: string }).command === command,
  );
  if (!found) throw new Error(`no ${command} form button in ${JSON.stringify(blocks)}`);
  return found;
}

/** Presses a form's button as `user`: the modal Slack opened for them, if any, and the answers. */
export async function openModal(w: World, user: string, blocks: unknown, command: string) {
  const pressed = await press(w, user, formButton(blocks, command));
  return { ...pressed, opened: w.slack.viewOpenedWith(pressed.triggerId) };
}

interface InputBlock {
  type: string;
  block_id: string;
  element: {
    type: string;
    action_id: string;
    options?: Option[];
    option_groups?: { options: Option[] }[];
    initial_option?: Option;
    initial_options?: Option[];
    initial_value?: string;
    initial_date?: string;
  };
}
interface Option {
  text: { text: string };
  value: string;
}

/**
 * `state.values` as Slack builds it from what the person entered: each input
 * block's element by its type; an input left alone keeps its initial value
 * (Slack sends preselected options back), else it is empty (null). Options
 * are given by value and sent with their text, as Slack does.
 */
export function stateValues(
  opened: OpenedView,
  entered: Record<string, string | string[] | null>,
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  const blocks = (opened.view.blocks ?? []) as InputBlock[];
  for (const block of blocks.filter((b) => b.type === 'input')) {
    const e = block.element;
    const given = entered[block.block_id];
    const options = [...(e.options ?? []), ...(e.option_groups ?? []).flatMap((g) => g.options)];
    const pick = (value: string) =>
      options.find((o) => o.value === value) ?? { text: { text: value }, value };
    let value: Record<string, unknown>;
    switch (e.type) {
      case 'plain_text_input':
        value = { value: given === undefined ? (e.initial_value ?? null) : given };
        break;
      case 'static_select':
      case 'radio_buttons':
        value = {
          selected_option:
            given === undefined ? (e.initial_option ?? null) : given && pick(String(given)),
        };
        break;
      case 'multi_static_select':
        value = {
          selected_options:
            given === undefined ? (e.initial_options ?? []) : [given ?? []].flat().map(pick),
        };
        break;
      case 'users_select':
        value = { selected_user: given ?? null };
        break;
      case 'datepicker':
        value = { selected_date: given === undefined ? (e.initial_date ?? null) : given };
        break;
      default:
        throw new Error(`unknown element ${e.type}`);
    }
    values[block.block_id] = { [e.action_id]: { type: e.type, ...value } };
  }
  return values;
}

/**
 * Submits a modal as `user` with these inputs (by block_id); `extra` values
 * are added as they are (a forged field). Returns the HTTP answer: undefined
 * when the modal closes (an empty 200), else the parsed response_action.
 */
export async function submitModal(
  w: World,
  user: string,
  opened: OpenedView,
  entered: Record<string, string | string[] | null>,
  options: {
    extra?: Record<string, Record<string, unknown>>;
    privateMetadata?: string;
    team?: string;
  } = {},
) {
  const values = { ...stateValues(opened, entered), ...options.extra };
  const { body, triggerId } = viewSubmissionBody(user, opened, values, options);
  const posted = await deliver(w, body, FORM);
  expect(posted.status).toBe(200);
  const answer =
    posted.text === ''
      ? undefined
      : (JSON.parse(posted.text) as {
          response_action: string;
          errors?: Record<string, string>;
          view?: Record<string, unknown>;
        });
  return { answer, body, triggerId };
}

/** The channel message with this view key (`step:status`, `plan`), as Slack shows it now. */
export async function messageOf(w: World, roundId: string, key: string) {
  await drain(w);
  const ts = await w.app.store.channelMemory.message('slack', CHANNEL, `${roundId}:${key}`);
  const message = w.slack.message(CHANNEL, ts ?? '');
  if (!message) throw new Error(`no ${key} message`);
  return message;
}

/**
 * A refused delivery changed nothing: no round in the channel, no call to
 * Slack, no answer, and its trigger id (when it has one) is still unclaimed.
 */
export async function expectNothingChanged(w: World, body: string): Promise<void> {
  const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
  expect(await w.app.store.listByConversation(conversation, 10)).toEqual([]);
  expect(w.slack.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  expect(w.slack.responses).toEqual([]);
  const trigger = new URLSearchParams(body).get('trigger_id');
  if (trigger) expect(await w.app.store.claim(`slack:trigger:${trigger}`, 1000)).toBe(true);
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

/**
 * Runs the jobs due now, then drains the outbox; resolves with how many ran.
 * The handler may wait for the outbox (virtual time): time moves on only
 * while timers wait, so the job's own clock readings are the moment it was due.
 */
export async function runDueJobs(w: World): Promise<number> {
  let done = false;
  const polled = w.app.scheduler
    .pollOnce((job) => w.app.service.handleJob(job))
    .finally(() => {
      done = true;
    });
  for (let i = 0; !done && i < 20_000; i++) {
    if (w.time.pendingTimers > 0) await w.time.advance(100);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const ran = await polled;
  await drain(w);
  return ran;
}
