/**
 * Log redaction on Slack: a whole round through the real Bolt app with signed
 * requests against the fake Slack (tests/slack/harness.ts), every log line
 * captured at trace level: the slash command, the facilitator's controls,
 * modals for a status note, an own initiative, priorities and two plan items
 * (one owned by a Slack user, one by a typed name), votes, a forged vote, a
 * refused facilitator action, an unknown command and a mention, a request
 * with a bad signature, the store down before and after a delivery's claim,
 * Slack failing a post, the summary files, and the owner's reminder DM with
 * Done. No line may hold a Slack user id, a display name, a typed text, a
 * token or secret, a voter key, or a field that ties a vote to a voter.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/app/identity.ts';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import {
  type Button,
  button,
  messageOf,
  openModal,
  press,
  runDueJobs,
  submitModal,
} from '../slack/driving.ts';
import {
  actionBody,
  BOT_TOKEN,
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FORM,
  mentionBody,
  SECRET,
  SIGNING_SECRET,
  signedHeaders,
  startWorld,
  TEAM,
  type World,
} from '../slack/harness.ts';
import { type CapturedLogs, captureLogs, expectCleanLogs, TYPED_TEXTS } from './log-capture.ts';

/** Slack user ids: the facilitator, Zebulon (a named user), and an Enterprise Grid member. */
const FAC = 'U07FACQRK1';
const ZEB = 'U07ZEBQRK2';
const MEM = 'W07MEMQRK3';
const PEOPLE = [FAC, ZEB, MEM];
const NAMES = { realName: 'Zebulon Quarkmann', displayName: 'Zebbe Quark' };
const CONVERSATION = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };

/** Free text typed into the round (more than TYPED_TEXTS on this channel). */
const TYPED = {
  ...TYPED_TEXTS,
  typedOwner: 'Quirinus Zappelmeier',
  command: 'PRIVAT-KOMMANDO-93aa',
  mention: 'PRIVAT-OMTALE-1e5c',
};

/** Opens the form of `command` from `blocks` as `user` and submits `entered`. */
async function fillForm(
  w: World,
  user: string,
  blocks: unknown,
  command: string,
  entered: Record<string, string | string[] | null>,
) {
  const { opened, last } = await openModal(w, user, blocks, command);
  if (!opened) throw new Error(`no ${command} modal: ${JSON.stringify(last)}`);
  return (await submitModal(w, user, opened, entered)).answer;
}

describe('Slack: the logs of a whole round name nobody', () => {
  let w: World;
  let logs: CapturedLogs;
  let store: FlakyStore;
  beforeEach(async () => {
    logs = captureLogs();
    w = await startWorld({
      logger: logs.logger,
      slack: { members: { [CHANNEL]: [...PEOPLE, 'U0BOT'] }, users: { [ZEB]: NAMES } },
    });
    store = flakyStore(w.app.store);
  });
  afterEach(async () => {
    store.up();
    await w.close();
  });

  it('start, note, votes, mistakes, outages, own initiative, priorities, plan, reminder DM', async () => {
    await deliver(w, commandBody(w, FAC, 'start', 'start'), FORM);
    let controls = w.slack.responsesTo('start')[0]?.body;
    const steer = async (command: string, value?: string) => {
      const pressed = button(controls?.blocks, command, value);
      controls = (await press(w, FAC, pressed, { ephemeral: true })).last;
    };
    await steer('next', 'intro');
    await steer('next', 'scope');
    const [round] = await w.app.store.listByConversation(CONVERSATION, 1);
    const roundId = round?.id ?? '';

    // Status: a note, and an empty one refused on its field.
    const status = await messageOf(w, roundId, 'step:status');
    expect(await fillForm(w, ZEB, status.blocks, 'addNote', { text: TYPED.note })).toBeUndefined();
    const empty = await fillForm(w, MEM, status.blocks, 'addNote', { text: ' ' });
    expect(empty?.errors).toBeDefined();

    // Rating: three votes, a forged value, a member closing the card.
    await steer('next', 'status');
    /** Opens the next card; three votes on it; its id and message. */
    const rateNextCard = async (values: readonly string[]) => {
      await steer('openNextCard');
      const state = (await w.app.store.load(roundId))?.state;
      const id = Object.keys(state?.cards ?? {}).find((c) => state?.cards[c] === 'open') ?? '';
      const message = await messageOf(w, roundId, `card:${id}`);
      for (const [i, user] of PEOPLE.entries()) {
        const value = values[i] ?? 'na';
        const answer = await press(w, user, button(message.blocks, 'vote', value));
        expect(answer.last?.text).toContain('Din stemme:');
      }
      return { cardId: id, card: message };
    };
    const { cardId, card } = await rateNextCard(['4', '2', '5']);
    const real = button(card.blocks, 'vote', '3');
    const forged: Button = {
      ...real,
      value: JSON.stringify({ ...JSON.parse(real.value), value: TYPED.badVote }),
    };
    expect(JSON.stringify((await press(w, MEM, forged)).last)).not.toContain('Din stemme');
    const refused = await press(w, MEM, button(controls?.blocks, 'closeCard', cardId));
    expect(JSON.stringify(refused.last)).toContain('Det er kun mødelederen');

    // An unknown command, a mention, and a request Slack did not sign.
    const unknown = commandBody(w, MEM, TYPED.command, 'unknown');
    await deliver(w, unknown, FORM);
    expect(JSON.stringify(w.slack.responsesTo('unknown'))).toContain(
      'Den kommando kender jeg ikke',
    );
    // Slack's retry of the same delivery: ignored, and logged as such.
    await deliver(w, unknown, FORM, { ...signedHeaders(unknown), 'x-slack-retry-num': '1' });
    await deliver(w, mentionBody(ZEB, TYPED.mention), 'application/json');
    const unsigned = commandBody(w, ZEB, `start ${TYPED.command}`);
    const wrong = signedHeaders(unsigned, { secret: 'not-the-signing-secret-0123456789' });
    expect((await deliver(w, unsigned, FORM, wrong)).status).toBe(401);

    // The store down before the claim, then after it (mid-handling).
    const vote = button(card.blocks, 'vote', '1');
    store.down();
    await press(w, ZEB, vote);
    store.down(['claim', 'release']);
    await press(w, MEM, vote);
    store.up();

    // Slack refuses the card's edit for a while: the outbox gives up and says so.
    w.slack.failNext('chat.update', 20, { status: 500 });
    await steer('closeCard', cardId);
    await drain(w);
    // A second card: three more votes, closed by the next step.
    await rateNextCard(['1', 'na', '3']);

    // Own initiative, priorities.
    await steer('next', 'rating');
    const custom = await messageOf(w, roundId, 'step:custom');
    const initiative = {
      title: TYPED.customTitle,
      description: TYPED.customDescription,
      missionId: 'ledere',
    };
    expect(await fillForm(w, ZEB, custom.blocks, 'addCustomCard', initiative)).toBeUndefined();
    await steer('next', 'custom');
    const customId = (await w.app.store.load(roundId))?.state.customCards[0]?.id ?? '';
    const priority = await messageOf(w, roundId, 'step:priority');
    for (const user of PEOPLE) {
      const picks = { cardIds: [customId, cardId] };
      expect(await fillForm(w, user, priority.blocks, 'prioritize', picks)).toBeUndefined();
    }

    // Summary (with its files) and two plan items.
    await steer('next', 'priority');
    const plan = await messageOf(w, roundId, 'plan');
    const fields = { what: TYPED.what, goal: TYPED.goal, actions: TYPED.actions };
    const picked = { ...fields, ownerUser: ZEB, due: '2026-12-03' };
    expect(await fillForm(w, FAC, plan.blocks, 'addPlanItem', picked)).toBeUndefined();
    const typed = { ...fields, owner: TYPED.typedOwner, due: '2026-12-10' };
    expect(await fillForm(w, FAC, plan.blocks, 'addPlanItem', typed)).toBeUndefined();
    expect((await openModal(w, MEM, plan.blocks, 'addPlanItem')).opened).toBeUndefined();

    // The reminder reaches Zebulon by DM; Done pressed by a member, then by him.
    const [item] = (await w.app.store.load(roundId))?.state.plan ?? [];
    expect(item?.owner.name).toBe(NAMES.displayName);
    const reminder = (await w.app.scheduler.pending(roundId)).find((j) => j.type === 'reminder');
    await w.time.advanceTo(reminder?.runAt ?? 0);
    expect(await runDueJobs(w)).toBeGreaterThan(0);
    const dm = w.slack.directMessagesTo(ZEB).at(-1);
    const done = button(dm?.blocks, 'planDone', item?.id);
    for (const user of [MEM, ZEB]) {
      const where = { channel: w.slack.dmChannelOf(user), actionId: done.action_id };
      await deliver(w, actionBody(w, user, done.value, where).body, FORM);
    }
    expect((await w.app.store.load(roundId))?.state.plan[0]?.status).toBe('done');
    await drain(w);

    // The logs: the run logged, its failures among it, and nothing personal.
    const forbidden: Record<string, string> = {
      'bot token': BOT_TOKEN,
      'signing secret': SIGNING_SECRET,
      'app secret': SECRET,
      'real name': NAMES.realName,
      'display name': NAMES.displayName,
    };
    for (const userId of PEOPLE) {
      const who: Identity = { platform: 'slack', tenant: TEAM, userId };
      forbidden[`user id ${userId}`] = userId;
      forbidden[`voter key of ${userId}`] = w.app.service.keyOf(roundId, who);
    }
    expectCleanLogs(logs.lines, {
      logged: [
        'round started',
        'slack: unknown command',
        'slack: repeated delivery ignored',
        'slack: store unreachable; answering "not saved"',
        'slack: handling failed',
        'slack send given up',
        'slack: summary files uploaded',
      ],
      forbidden,
      typed: TYPED,
    });
  }, 120_000);
});
