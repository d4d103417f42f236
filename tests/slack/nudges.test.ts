/**
 * Nudges in Slack, piece by piece: who counts as a member (paged
 * conversations.members, bots and deactivated accounts left out), the DM
 * itself (escaped, within Block Kit's limits, a safe link), what is stored
 * (nothing that says who got one, besides the once-only claim under the
 * voter key), delivery failures (the claim is given back and the job
 * retried, reaching only those still missing), 429 with Retry-After, and
 * stale jobs (paused round, step moved on).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nudgeClaimKey } from '../../src/app/nudges.ts';
import { vote } from '../../src/app/voting.ts';
import { MAX_NUDGE_MEMBERS, nudgeMessage } from '../../src/channels/slack/nudges.ts';
import type { Job } from '../../src/core/ports.ts';
import type { NudgeView } from '../../src/core/views/types.ts';
import { violations } from './block-checks.ts';
import { runDueJobs } from './driving.ts';
import { CHANNEL, drain, FACILITATOR, startWorld, TEAM, type World } from './harness.ts';

const CONVERSATION = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
const ANNA = 'U0ANNA';
const BO = 'U0BO';
const who = (userId: string) => ({ platform: 'slack' as const, tenant: TEAM, userId });

/**
 * An async round (Rummelighed, 8 cards) started by the facilitator, moved
 * into the rating step by its status deadline; the facilitator rates every card.
 */
async function ratingRound(w: World) {
  const started = await w.app.service.start(who(FACILITATOR), {
    conversation: CONVERSATION,
    mode: 'async',
    scope: { kind: 'area', areaId: 'rummelighed' },
  });
  if (!started.ok) throw new Error('not started');
  const roundId = started.value.roundId;
  await w.time.advanceTo(started.value.state.deadline ?? 0);
  await runDueJobs(w);
  const state = (await w.app.store.load(roundId))?.state;
  if (state?.step !== 'rating') throw new Error('not rating');
  for (const cardId of Object.keys(state.cards)) {
    const cast = await vote(w.app.service, roundId, who(FACILITATOR), cardId, 4);
    if (!cast.ok) throw new Error('vote refused');
  }
  await drain(w);
  const [nudge] = (await w.app.scheduler.pending(roundId)).filter((j) => j.type === 'nudge');
  if (!nudge) throw new Error('no nudge job');
  return { roundId, state, nudge };
}

const dmTexts = (w: World, user: string) =>
  w.slack.directMessagesTo(user).map((m) => `${m.text}${JSON.stringify(m.blocks)}`);

describe('Slack nudges', () => {
  let w: World;
  afterEach(async () => {
    await w.close();
  });

  it('members: every page of conversations.members, without bots, Slackbot or deactivated accounts', async () => {
    const people = Array.from({ length: 430 }, (_, i) => `U${String(i).padStart(5, '0')}`);
    w = await startWorld({
      slack: {
        members: { [CHANNEL]: [...people, 'U0BOT', 'USLACKBOT', 'U0APPBOT', 'U0GONE'] },
        users: { U0APPBOT: { isBot: true }, U0GONE: { deleted: true } },
      },
    });
    const members = await w.channel.output.members(CONVERSATION);
    expect(members).toEqual(people);
    const pages = w.slack.callsTo('conversations.members');
    expect(pages).toHaveLength(3);
    expect(pages.map((c) => c.args.limit)).toEqual(['200', '200', '200']);
    expect(pages[0]?.args.cursor).toBeUndefined();
    expect(pages[1]?.args.cursor).toBeTruthy();
    // users.info is asked once per person per process.
    const lookups = w.slack.callsTo('users.info').length;
    expect(lookups).toBe(people.length + 3);
    await w.channel.output.members(CONVERSATION);
    expect(w.slack.callsTo('users.info')).toHaveLength(lookups);
    // Another platform's conversation: not ours to list.
    expect(
      await w.channel.output.members({ platform: 'teams', tenant: 't', conversationId: 'c' }),
    ).toBeUndefined();
  });

  it('members: a channel larger than the limit gets no nudges at all', async () => {
    const crowd = Array.from({ length: MAX_NUDGE_MEMBERS + 1 }, (_, i) => `U${i}`);
    w = await startWorld({ slack: { members: { [CHANNEL]: crowd } } });
    expect(await w.channel.output.members(CONVERSATION)).toBeUndefined();
    expect(w.slack.callsTo('users.info')).toHaveLength(0);
  });

  it('the DM: escaped, within Block Kit limits, a link only when it is a plain http(s) URL', () => {
    const view: NudgeView = {
      kind: 'nudge',
      key: 'r1:nudge:rating',
      lang: 'da',
      roundId: 'r1',
      step: 'rating',
      title: 'Husk at svare <!channel>',
      stepLine: 'Trin 4 af 7 · Placér & vurdér',
      text: '3 af 6 har svaret – husk at svare inden 23. november 2026 kl. 13.00',
      yours: 'Du mangler at vurdere 5 af 8 kort.',
      progress: { done: 3, of: 6 },
      open: 'Gå til runden',
      privacy: 'Kun du får denne besked.',
    };
    const good = nudgeMessage(view, 'https://acme.slack.com/archives/C1/p123');
    expect(violations(good)).toEqual([]);
    const json = JSON.stringify(good);
    expect(json).toContain('<https://acme.slack.com/archives/C1/p123|Gå til runden>');
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).toContain('Placér &amp; vurdér');
    expect(good.text).toBe(view.text);
    for (const bad of [
      'https://evil.example/x|Mødereferat',
      'javascript:alert(1)',
      'https://x.example/<!channel>',
    ]) {
      expect(JSON.stringify(nudgeMessage(view, bad))).not.toContain('Gå til runden');
    }
    expect(JSON.stringify(nudgeMessage(view, undefined))).not.toContain('Gå til runden');
  });

  it('stores nothing that says who got a nudge, besides the once-only claim under the voter key', async () => {
    w = await startWorld({
      defaults: { nudgeAtPercent: 75 },
      slack: { members: { [CHANNEL]: [FACILITATOR, ANNA, BO] } },
    });
    const { roundId, nudge } = await ratingRound(w);
    await w.time.advanceTo(nudge.runAt);
    expect(await runDueJobs(w)).toBe(1);
    expect(w.slack.directRecipients()).toEqual([ANNA, BO]);
    expect(dmTexts(w, ANNA)[0]).toContain('1 af 3 har svaret');
    expect(dmTexts(w, ANNA)[0]).toContain('Du mangler at vurdere 8 af 8 kort.');
    // No DM message id was kept (unlike channel messages): nothing maps a DM to the round.
    for (const user of [ANNA, BO]) {
      const dm = w.slack.dmChannelOf(user);
      expect(
        await w.app.store.channelMemory.message('slack', dm, `${roundId}:nudge:rating`),
      ).toBeUndefined();
    }
    const rows = w.app.store.db
      .prepare('SELECT key FROM idempotency WHERE key LIKE ?')
      .all('claim:nudge:%')
      .map((r) => String(r.key));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).not.toContain(ANNA);
      expect(row).not.toContain(BO);
    }
    const annaKey = w.app.service.keyOf(roundId, who(ANNA));
    expect(rows).toContain(`claim:${nudgeClaimKey(roundId, 'rating', annaKey)}`);
  });

  it('a DM Slack refuses for good is given back: the job is retried and reaches only those still missing', async () => {
    w = await startWorld({
      defaults: { nudgeAtPercent: 75 },
      slack: { members: { [CHANNEL]: [FACILITATOR, ANNA] } },
    });
    const { roundId, nudge } = await ratingRound(w);
    await w.time.advanceTo(nudge.runAt);
    // Every attempt of the outbox (5) fails: the nudge is given up, its claim released.
    w.slack.failNext('chat.postMessage', 5, { status: 503 });
    expect(await runDueJobs(w)).toBe(1);
    expect(w.slack.directRecipients()).toEqual([]);
    expect(w.slack.callsTo('chat.postMessage').filter((c) => c.status === 503)).toHaveLength(5);
    const [retry] = (await w.app.scheduler.pending(roundId)).filter((j) => j.type === 'nudge');
    expect(retry).toMatchObject({ id: nudge.id });
    // The scheduler's backoff (5 s): this time it goes through, once.
    await w.time.advance(5_000);
    expect(await runDueJobs(w)).toBe(1);
    expect(w.slack.directRecipients()).toEqual([ANNA]);
    expect(dmTexts(w, ANNA)).toHaveLength(1);
  });

  it('429 on the DM: sent once, not before Retry-After', async () => {
    w = await startWorld({
      defaults: { nudgeAtPercent: 75 },
      slack: { members: { [CHANNEL]: [FACILITATOR, ANNA] } },
    });
    const { nudge } = await ratingRound(w);
    await w.time.advanceTo(nudge.runAt);
    w.slack.failNext('chat.postMessage', 1, { status: 429, retryAfter: 3 });
    expect(await runDueJobs(w)).toBe(1);
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DU0ANNA');
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_000);
    expect(dmTexts(w, ANNA)).toHaveLength(1);
  });

  it('a paused round, or a step that moved on, gets no nudge', async () => {
    w = await startWorld({
      defaults: { nudgeAtPercent: 75 },
      slack: { members: { [CHANNEL]: [FACILITATOR, ANNA] } },
    });
    const { roundId, nudge } = await ratingRound(w);
    const paused = await w.app.service.command(roundId, who(FACILITATOR), { type: 'pause' });
    expect(paused.ok).toBe(true);
    expect((await w.app.scheduler.pending(roundId)).filter((j) => j.type === 'nudge')).toEqual([]);
    await w.app.service.handleJob(nudge);
    await drain(w);
    expect(w.slack.directRecipients()).toEqual([]);
    // Resumed at once: the nudge moves with the deadline and is due again.
    const resumed = await w.app.service.command(roundId, who(FACILITATOR), { type: 'resume' });
    expect(resumed.ok).toBe(true);
    const [moved] = (await w.app.scheduler.pending(roundId)).filter(
      (j): j is Extract<Job, { type: 'nudge' }> => j.type === 'nudge',
    );
    expect(moved?.deadline).toBe(resumed.ok ? resumed.value.state.deadline : -1);
    // The old job is stale now.
    await w.app.service.handleJob(nudge);
    await drain(w);
    expect(w.slack.directRecipients()).toEqual([]);
    await w.time.advanceTo(moved?.runAt ?? 0);
    expect(await runDueJobs(w)).toBe(1);
    expect(w.slack.directRecipients()).toEqual([ANNA]);
  });

  it('a channel the bot cannot list: the job fails (and is retried), nobody is written to', async () => {
    w = await startWorld({ defaults: { nudgeAtPercent: 75 }, slack: { members: {} } });
    const { roundId, nudge } = await ratingRound(w);
    await w.time.advanceTo(nudge.runAt);
    expect(await runDueJobs(w)).toBe(1);
    expect(w.slack.callsTo('conversations.members').at(-1)?.error).toBe('channel_not_found');
    expect(w.slack.directRecipients()).toEqual([]);
    const pending = (await w.app.scheduler.pending(roundId)).filter((j) => j.type === 'nudge');
    expect(pending).toHaveLength(1);
  });
});
