/**
 * A whole asynchronous round in one Slack channel with six members, through
 * the real Bolt app with signed requests against the fake Slack, on virtual
 * time: `/dialogrunde start async`, votes pressed on the card messages, the
 * nudge job (one DM to each member who has not answered; a retry sends none),
 * the deadlines closing the steps by themselves, the priorities, the summary
 * with its files (files.uploadV2), a plan item owned by a Slack user, the
 * reminder in the channel and in the owner's DM, and Done pressed in the DM.
 *
 * Modals for the priority and plan forms are another part of issue 5, so
 * the priorities and the plan item go in through the app (`prioritize`,
 * `service.command`), as the modals do after their submission.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/app/logger.ts';
import { nudgeClaimKey } from '../../src/app/nudges.ts';
import { prioritize } from '../../src/app/voting.ts';
import type { Job } from '../../src/core/ports.ts';
import type { PriorityView } from '../../src/core/views/types.ts';
import { button, buttonsIn, press, runDueJobs } from './driving.ts';
import type { StoredMessage } from './fake-slack.ts';
import {
  actionBody,
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

const ANNA = 'U0ANNA';
const BO = 'U0BO';
const CARL = 'U0CARL';
const DITTE = 'U0DITTE';
const EMIL = 'U0EMIL';
/** The six people in the channel; the bot and another app's bot are members too. */
const PEOPLE = [FACILITATOR, ANNA, BO, CARL, DITTE, EMIL];
const HELPER_BOT = 'U0HELPERBOT';
const CONVERSATION = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
/** Rummelighed: 8 cards. */
const AREA = 'rummelighed';
const MIN = 60_000;

/** Real milliseconds: lets HTTP round trips to the fake and Bolt finish. */
async function roundState(w: World, roundId: string) {
  const record = await w.app.store.load(roundId);
  if (!record) throw new Error('round gone');
  return record.state;
}

/** The message showing view `key` of the round in the channel. */
async function messageOf(w: World, roundId: string, key: string): Promise<StoredMessage> {
  const ts = await w.app.store.channelMemory.message('slack', CHANNEL, `${roundId}:${key}`);
  const message = w.slack.message(CHANNEL, ts ?? '');
  if (!message) throw new Error(`no message for ${key}`);
  return message;
}

const shown = (m: StoredMessage) => `${m.text}\n${JSON.stringify(m.blocks)}`;

/** Every member's DMs so far, by user. */
function dmsByUser(w: World): Record<string, string[]> {
  return Object.fromEntries(
    w.slack.directRecipients().map((u) => [u, w.slack.directMessagesTo(u).map(shown)]),
  );
}

function pendingOf(jobs: Job[], type: Job['type']) {
  return jobs.filter((j) => j.type === type);
}

describe('Slack: an asynchronous round with six members', () => {
  let w: World;
  let logs: string[];

  beforeEach(async () => {
    logs = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    });
    w = await startWorld({
      defaults: { nudgeAtPercent: 75 },
      slack: {
        members: { [CHANNEL]: [...PEOPLE, 'U0BOT', HELPER_BOT] },
        users: { [HELPER_BOT]: { isBot: true } },
      },
      logger: createLogger('info', sink),
    });
  });
  afterEach(async () => {
    await w.close();
  });

  it('start async → votes → one nudge each to those who have not answered → deadlines → priorities → summary files → reminder DM → Done in the DM', async () => {
    // ── Start: `/dialogrunde start async rummelighed` ───────────────────────
    await deliver(w, commandBody(w, FACILITATOR, `start async ${AREA}`, 'start'), FORM);
    await drain(w);
    const [row] = await w.app.store.listByConversation(CONVERSATION, 1);
    if (!row) throw new Error('no round');
    const roundId = row.id;
    let state = await roundState(w, roundId);
    expect(state.settings.mode).toBe('async');
    expect(state.settings.nudgeAtPercent).toBe(75);
    expect(state.step).toBe('status');
    // 10:00 in Copenhagen + 60 minutes: the deadline is shown in the step's message.
    expect(shown(await messageOf(w, roundId, 'step:status'))).toContain(
      'Åben til 23. november 2026 kl. 11.00',
    );
    expect(pendingOf(await w.app.scheduler.pending(roundId), 'nudge')).toEqual([]);

    // ── The status deadline opens the rating step by itself ─────────────────
    await w.time.advanceTo(state.deadline ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    state = await roundState(w, roundId);
    expect(state.step).toBe('rating');
    const cards = Object.keys(state.cards);
    expect(cards).toHaveLength(8);
    expect(Object.values(state.cards).every((p) => p === 'open')).toBe(true);
    const ratingDeadline = state.deadline ?? 0;
    expect(shown(await messageOf(w, roundId, 'step:rating'))).toContain(
      'Åben til 23. november 2026 kl. 13.00',
    );
    const nudgeJobs = pendingOf(await w.app.scheduler.pending(roundId), 'nudge');
    expect(nudgeJobs).toEqual([
      {
        id: `nudge:${roundId}:rating`,
        roundId,
        runAt: ratingDeadline - 30 * MIN,
        type: 'nudge',
        step: 'rating',
        deadline: ratingDeadline,
      },
    ]);

    // ── Votes, pressed on the card messages ──────────────────────────────────
    // Facilitator, Anna and Carl rate every card; Bo rates three; Ditte and Emil none.
    const cardMessages = await Promise.all(cards.map((id) => messageOf(w, roundId, `card:${id}`)));
    for (const message of cardMessages) {
      expect(shown(message)).toContain('Åben til 23. november 2026 kl. 13.00');
    }
    const votes: [string, number][] = [
      [FACILITATOR, 8],
      [ANNA, 8],
      [CARL, 8],
      [BO, 3],
    ];
    for (const [user, count] of votes) {
      for (const [i, message] of cardMessages.slice(0, count).entries()) {
        const value = i % 3 === 0 ? 'na' : String((i % 5) + 1);
        const answer = await press(w, user, button(message.blocks, 'vote', value));
        expect(answer.last?.response_type).toBe('ephemeral');
      }
    }
    await drain(w);
    const channelPostsBefore = w.slack.messagesIn(CHANNEL).length;

    // ── The nudge: 75 % into the step ────────────────────────────────────────
    const [nudgeJob] = nudgeJobs;
    if (!nudgeJob) throw new Error('no nudge job');
    await w.time.advanceTo(nudgeJob.runAt);
    expect(await runDueJobs(w)).toBe(1);
    // Exactly the three who have not rated every card, one DM each; no bot.
    expect(w.slack.directRecipients()).toEqual([BO, DITTE, EMIL].sort());
    const first = dmsByUser(w);
    for (const user of [BO, DITTE, EMIL]) expect(first[user]).toHaveLength(1);
    const rating = await messageOf(w, roundId, 'step:rating');
    for (const user of [BO, DITTE, EMIL]) {
      const [dm] = first[user] ?? [];
      expect(dm).toContain('3 af 6 har svaret – husk at svare inden 23. november 2026 kl. 13.00');
      expect(dm).toContain('Trin 4 af 7');
      // The link leads back to the rating step's message in the channel.
      expect(dm).toContain(
        `https://fake.slack.com/archives/${CHANNEL}/p${rating.ts.replace('.', '')}`,
      );
      // Nothing about anybody else.
      for (const other of PEOPLE) expect(dm).not.toContain(other);
    }
    expect(first[BO]?.[0]).toContain('Du mangler at vurdere 5 af 8 kort.');
    expect(first[DITTE]?.[0]).toContain('Du mangler at vurdere 8 af 8 kort.');
    // The channel got nothing: no new message, no names.
    expect(w.slack.messagesIn(CHANNEL)).toHaveLength(channelPostsBefore);
    expect(w.slack.callsTo('chat.postEphemeral').filter((c) => c.status === 200)).toHaveLength(0);

    // ── A retried job, a second delivery, a second process: no second DM ───
    await w.app.service.handleJob(nudgeJob);
    await w.app.scheduler.schedule({ ...nudgeJob, id: 'nudge-copy' });
    expect(await runDueJobs(w)).toBe(1);
    // Ditte answers meanwhile; a late retry still sends nobody anything.
    for (const message of cardMessages) {
      await press(w, DITTE, button(message.blocks, 'vote', '4'));
    }
    await w.app.service.handleJob(nudgeJob);
    await drain(w);
    expect(dmsByUser(w)).toEqual(first);

    // ── The rating deadline closes every card and opens the next step ───────
    await w.time.advanceTo(ratingDeadline);
    expect(await runDueJobs(w)).toBe(1);
    state = await roundState(w, roundId);
    expect(state.step).toBe('custom');
    expect(Object.values(state.cards).every((p) => p === 'closed')).toBe(true);
    // The first card was rated by five: its result is out; no "Åben til" any more.
    const closedCard = shown(await messageOf(w, roundId, `card:${cards[0]}`));
    expect(closedCard).not.toContain('Åben til');
    expect(buttonsIn((await messageOf(w, roundId, `card:${cards[1]}`)).blocks)).toEqual([]);
    expect(shown(await messageOf(w, roundId, `card:${cards[1]}`))).toContain('har vurderet');

    // Own initiatives: nobody added one, so the custom step's nudge reaches nobody.
    const customNudge = pendingOf(await w.app.scheduler.pending(roundId), 'nudge')[0];
    expect(customNudge).toMatchObject({ step: 'custom', deadline: state.deadline });
    await w.time.advanceTo(customNudge?.runAt ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    expect(dmsByUser(w)).toEqual(first);
    await w.time.advanceTo(state.deadline ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    state = await roundState(w, roundId);
    expect(state.step).toBe('priority');
    expect(state.priority).toBe('open');

    // ── Priorities: four of six; the nudge reaches the other two ─────────────
    const priorityView = (await w.app.service.view(roundId, {
      kind: 'step',
      step: 'priority',
    })) as PriorityView;
    const options = priorityView.options.map((o) => o.value);
    for (const [i, user] of [FACILITATOR, ANNA, BO, DITTE].entries()) {
      const picked = await prioritize(
        w.app.service,
        roundId,
        { platform: 'slack', tenant: TEAM, userId: user },
        [options[i % options.length] ?? '', options[(i + 1) % options.length] ?? ''],
      );
      expect(picked.ok).toBe(true);
    }
    const priorityNudge = pendingOf(await w.app.scheduler.pending(roundId), 'nudge')[0];
    expect(priorityNudge).toMatchObject({ step: 'priority' });
    await w.time.advanceTo(priorityNudge?.runAt ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    const second = dmsByUser(w);
    expect(Object.keys(second).sort()).toEqual([BO, CARL, DITTE, EMIL].sort());
    // Carl and Emil: one priority nudge each; nobody got two for one step.
    expect(second[CARL]).toHaveLength(1);
    expect(second[EMIL]).toHaveLength(2);
    expect(second[BO]).toEqual(first[BO]);
    expect(second[DITTE]).toEqual(first[DITTE]);
    for (const dm of [second[CARL]?.[0], second[EMIL]?.[1]]) {
      expect(dm).toContain('4 af 6 har svaret');
      expect(dm).toContain('Du har ikke valgt dine prioriteter endnu.');
      expect(dm).toContain('Trin 6 af 7');
    }

    // ── Summary: the blocks, then the måloversigt PNG, the CSV and the minutes ─
    await w.time.advanceTo(state.deadline ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    state = await roundState(w, roundId);
    expect(state.step).toBe('summary');
    const summary = await messageOf(w, roundId, 'step:summary');
    expect(shown(summary)).toContain('Opsamling');
    const files = w.slack.filesIn(CHANNEL);
    expect(files.map((f) => f.filename)).toEqual([
      `dialogrunde-${roundId}-maaloversigt.png`,
      `dialogrunde-${roundId}-opsummering.csv`,
      `dialogrunde-${roundId}-referat.md`,
    ]);
    expect([...(files[0]?.bytes.subarray(0, 8) ?? [])]).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
    expect(files[0]?.altText).toContain('Måloversigten');
    expect(files[1]?.bytes.toString('utf8')).toContain('area,mission,card');
    expect(files[2]?.bytes.toString('utf8')).toContain('#');
    const completes = w.slack.callsTo('files.completeUploadExternal');
    expect(completes).toHaveLength(1);
    expect(completes[0]?.args.channel_id).toBe(CHANNEL);
    // After the summary message itself.
    const summaryPost = w.slack.calls.findIndex(
      (c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('Opsamling'),
    );
    expect(summaryPost).toBeGreaterThanOrEqual(0);
    expect(w.slack.calls.indexOf(completes[0] as (typeof w.slack.calls)[number])).toBeGreaterThan(
      summaryPost,
    );
    // Shown again (the facilitator ends the round): no second upload.
    await w.app.service.command(
      roundId,
      { platform: 'slack', tenant: TEAM, userId: FACILITATOR },
      { type: 'end' },
    );
    const again = await w.app.service.view(roundId, { kind: 'step', step: 'summary' });
    if (!again) throw new Error('no summary');
    await w.channel.output.send({ conversation: CONVERSATION, audience: 'group', view: again });
    await drain(w);
    expect(w.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);

    // ── A plan item owned by a Slack user; the reminder reaches the owner ───
    const added = await w.app.service.command(
      roundId,
      { platform: 'slack', tenant: TEAM, userId: FACILITATOR },
      {
        type: 'addPlanItem',
        itemId: 'item-1',
        input: {
          what: 'Praktikpladser til elever',
          goal: 'To elever om året',
          actions: 'Tal med skolen',
          owner: { name: 'Bo', user: { platform: 'slack', userId: BO } },
          due: '2026-12-03',
          link: null,
        },
      },
    );
    expect(added.ok).toBe(true);
    await drain(w);
    const plan = await messageOf(w, roundId, 'plan');
    expect(shown(plan)).toContain('Praktikpladser til elever');
    const reminders = pendingOf(await w.app.scheduler.pending(roundId), 'reminder');
    expect(reminders.map((j) => (j.type === 'reminder' ? j.daysBefore : -1))).toEqual([7, 0]);
    const dmsBeforeReminder = w.slack.directMessagesTo(BO).length;
    await w.time.advanceTo(reminders[0]?.runAt ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    const reminder = await messageOf(w, roundId, 'reminder:item-1:2026-12-03:7');
    expect(shown(reminder)).toContain('Om 7 dage');
    const ownerDms = w.slack.directMessagesTo(BO);
    expect(ownerDms).toHaveLength(dmsBeforeReminder + 1);
    const reminderDm = ownerDms.at(-1);
    expect(shown(reminderDm as StoredMessage)).toContain('Om 7 dage');
    // Only the owner got it.
    expect(w.slack.directMessagesTo(EMIL)).toHaveLength(2);

    // ── Someone else pressing Done (in their own DM, forged value) is refused ─
    const done = button(reminderDm?.blocks, 'planDone', 'item-1');
    expect(JSON.parse(done.value)).toMatchObject({ roundId });
    const forged = actionBody(w, EMIL, done.value, {
      channel: w.slack.dmChannelOf(EMIL),
      blockId: 'reminder:item-1',
      actionId: done.action_id,
    });
    await deliver(w, forged.body, FORM);
    expect(JSON.stringify(w.slack.responsesTo(forged.responseId))).toContain('ansvarlige');
    expect((await roundState(w, roundId)).plan[0]?.status).toBe('open');

    // ── The owner presses Done in the DM ─────────────────────────────────────
    const pressed = actionBody(w, BO, done.value, {
      channel: w.slack.dmChannelOf(BO),
      blockId: 'reminder:item-1',
      actionId: done.action_id,
    });
    const delivered = await deliver(w, pressed.body, FORM);
    expect(delivered.status).toBe(200);
    await drain(w);
    expect((await roundState(w, roundId)).plan[0]?.status).toBe('done');
    // The DM's reminder is replaced in place: status done, no buttons.
    const [replaced] = w.slack.responsesTo(pressed.responseId);
    expect(replaced?.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(replaced?.body)).toContain('Udført');
    expect(buttonsIn(replaced?.body.blocks)).toEqual([]);
    // The plan in the channel shows it too.
    const updatedPlan = await messageOf(w, roundId, 'plan');
    expect(shown(updatedPlan)).toContain('Udført');
    expect(buttonsIn(updatedPlan.blocks).filter((b) => b.value.includes('item-1'))).toEqual([]);
    // The reminder on the day is gone with it.
    expect(pendingOf(await w.app.scheduler.pending(roundId), 'reminder')).toEqual([]);

    // ── Anonymity: no channel message and no log line names a member ─────────
    for (const m of w.slack.messagesIn(CHANNEL)) {
      for (const user of PEOPLE) expect(shown(m)).not.toContain(user);
    }
    const logText = logs.join('');
    expect(logText).toContain('nudges sent');
    for (const user of PEOPLE) expect(logText).not.toContain(user);
    // The claims that keep nudges once-only hold voter keys, never user ids.
    const key = w.app.service.keyOf(roundId, { platform: 'slack', tenant: TEAM, userId: BO });
    expect(await w.app.store.claim(nudgeClaimKey(roundId, 'rating', key), 1)).toBe(false);
    expect(w.channel.output.stats().failed).toBe(0);
  }, 120_000);
});

describe('Slack: the summary files', () => {
  let w: World;
  let logs: string[];
  const facilitator = { platform: 'slack' as const, tenant: TEAM, userId: FACILITATOR };

  beforeEach(async () => {
    logs = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        logs.push(String(chunk));
        callback();
      },
    });
    w = await startWorld({ logger: createLogger('info', sink) });
  });
  afterEach(async () => {
    await w.close();
  });

  /** A round ended at once: its summary (ended early) is shown in the channel. */
  async function endedRound() {
    const started = await w.app.service.start(facilitator, { conversation: CONVERSATION });
    if (!started.ok) throw new Error('not started');
    const roundId = started.value.roundId;
    const ended = await w.app.service.command(roundId, facilitator, { type: 'end' });
    expect(ended.ok).toBe(true);
    return roundId;
  }

  it('a 429 on files.completeUploadExternal is retried after Retry-After: the files arrive once', async () => {
    w.slack.failNext('files.completeUploadExternal', 1, { status: 429, retryAfter: 2 });
    const roundId = await endedRound();
    await drain(w);
    expect(shown(await messageOf(w, roundId, 'step:summary'))).toContain(
      'Runden blev afsluttet før tid.',
    );
    const completes = w.slack.callsTo('files.completeUploadExternal');
    expect(completes.map((c) => c.status)).toEqual([429, 200]);
    expect((completes[1]?.at ?? 0) - (completes[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(w.slack.filesIn(CHANNEL)).toHaveLength(3);
  });

  it('an upload Slack keeps refusing is given up politely: the summary stands, the next showing tries again', async () => {
    // Three files per attempt, five attempts.
    w.slack.failNext('files.getUploadURLExternal', 15, { status: 500 });
    const roundId = await endedRound();
    await drain(w);
    expect(shown(await messageOf(w, roundId, 'step:summary'))).toContain('Opsamling');
    expect(w.slack.filesIn(CHANNEL)).toEqual([]);
    expect(logs.join('')).toContain('the summary files could not be uploaded');
    // The claim was given back: the summary shown again uploads them.
    const view = await w.app.service.view(roundId, { kind: 'step', step: 'summary' });
    if (!view) throw new Error('no summary');
    await w.channel.output.send({ conversation: CONVERSATION, audience: 'group', view });
    await drain(w);
    expect(w.slack.filesIn(CHANNEL)).toHaveLength(3);
    expect(w.slack.callsTo('files.completeUploadExternal')).toHaveLength(1);
  });
});
