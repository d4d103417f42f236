/**
 * Burst on one card: N voters (1,000; quick 200) press a rating on the same
 * open card within one second, through the real inbound paths — Teams:
 * `adaptiveCard/action` invokes with Bot Framework JWTs through the real
 * CloudAdapter; Slack: signed `block_actions` through the real Bolt app — and
 * the real channel outputs (outbox: coalescing, rate limits, Retry-After)
 * against the test fakes of the platforms (tests/teams/fake-connector.ts,
 * tests/slack/fake-slack.ts), which enforce the platforms' limits with 429 +
 * Retry-After and can inject 429s. Real time (see bench/lib/burst-worlds.ts).
 *
 * Measured per platform × store × (clean | two 429s injected on the card's
 * edits): lost votes (ballots in the store vs clicks), the platform's edits
 * of the card (accepted, attempts, most accepted in any 2 s window, smallest
 * gap), 429s answered vs retried, time from the first click until the
 * platform holds the card with the final count, click latency (HTTP answer).
 */
import { DeckCatalog } from '../src/app/decks.ts';
import { cardBox } from '../src/core/model.ts';
import { testDeck } from '../tests/fixtures/test-deck.ts';
import { button } from '../tests/slack/driving.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  FORM,
  DEFAULTS as SLACK_DEFAULTS,
  FACILITATOR as SLACK_FACILITATOR,
  signedHeaders,
} from '../tests/slack/harness.ts';
import { startAuthFixture } from '../tests/teams/auth-fixture.ts';
import {
  answerCard,
  cardOfActivity,
  DEFAULT_ROUND_DEFAULTS,
  invoke,
  type Member,
  mention,
  type Place,
  post,
  press,
  textsOf,
} from '../tests/teams/harness.ts';
import {
  type BurstSlack,
  type BurstTeams,
  openCardMessage,
  type StoreKind,
  startBurstSlack,
  startBurstTeams,
  until,
} from './lib/burst-worlds.ts';
import { type Bench, type BenchTable, runStandalone } from './lib/report.ts';
import { fmt, summarize } from './lib/stats.ts';

const BURST_MS = 1000;
/** The outbox's edit interval (DEFAULT_INTERVAL_MS): the target is ≤ 1 edit per card per 2 s. */
const EDIT_WINDOW_MS = 2000;
/** Longest wait for the final card after the last click. */
const SETTLE_MS = 60_000;

interface Outcome {
  platform: 'Teams' | 'Slack';
  store: string;
  faults: string;
  voters: number;
  /** Clicks answered 200 (Teams: with the voter's personal card). */
  answered: number;
  ballots: number;
  /** Over how long the clicks actually went out (ms). */
  spreadMs: number;
  clickLatency: number[];
  /** First click → last click answered (ms). */
  lastAnswerMs: number;
  /** Accepted edit times (ms since the first click) and all edit attempts' statuses. */
  edits: number[];
  attempts: number;
  answered429: number;
  retried429: number;
  outboxFailed: number;
  /** First click → platform accepted the edit showing the final count (ms). */
  finalMs: number;
  finalText: string;
}

/** How many of `times` (ascending) fall into the busiest window of `windowMs`. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function minGap(times: readonly number[]): number {
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++)
    gap = Math.min(gap, (times[i] as number) - (times[i - 1] as number));
  return gap;
}

/**
 * Fires `count` clicks spread evenly over BURST_MS (a 5 ms pacing tick: every
 * click whose moment has come goes out), each via `click(i)`. Resolves with
 * the per-click latencies, how many succeeded, and the real spread.
 */
async function burst(
  count: number,
  click: (i: number) => Promise<boolean>,
): Promise<{
  latencies: number[];
  ok: number;
  spreadMs: number;
  t0: number;
  lastAnswerMs: number;
}> {
  const latencies: number[] = [];
  let lastAnswer = 0;
  const pending: Promise<void>[] = [];
  let ok = 0;
  const t0 = Date.now();
  const start = performance.now();
  let next = 0;
  let lastSent = start;
  while (next < count) {
    const due = ((performance.now() - start) / BURST_MS) * count;
    while (next < count && next <= due) {
      const i = next++;
      const sentAt = performance.now();
      lastSent = sentAt;
      pending.push(
        click(i).then(
          (good) => {
            latencies.push(performance.now() - sentAt);
            lastAnswer = Math.max(lastAnswer, performance.now() - start);
            if (good) ok++;
          },
          () => {
            latencies.push(performance.now() - sentAt);
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  return { latencies, ok, spreadMs: lastSent - start, t0, lastAnswerMs: lastAnswer };
}

const votedRe = /(\d+) af (\d+) har stemt/;

/* ------------------------------------------------------------------ Teams */

const TENANT = 'tenant-burst-bench';
const TEAM_CHANNEL = '19:b0a5f7e2c1d84e6f9a3b5c7d9e1f3a5b@thread.tacv2';
const START_MESSAGE_ID = '1795424500000';
const THREAD = `${TEAM_CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: TEAM_CHANNEL };
const FACILITATOR: Member = { aad: '0b5e7000-0000-4000-8000-000000000000', name: 'Mødeleder' };
const teamsVoter = (i: number): Member => ({
  aad: `0b5e7000-0000-4000-9000-${String(i + 1).padStart(12, '0')}`,
  name: `Deltager ${i + 1}`,
});
const ratingOf = (i: number) => String((i % 5) + 1);

/**
 * Waits (up to SETTLE_MS) for an accepted edit that `shows` the final count,
 * then for the outbox to go idle; returns the card's edits as they are then.
 */
async function settledEdits<C extends { status?: number }>(
  editsOf: () => C[],
  shows: (call: C) => boolean,
  idle: () => Promise<void>,
): Promise<{ edits: C[]; accepted: C[]; final: C | undefined }> {
  await until(
    'the final card',
    () => editsOf().some((c) => c.status === 200 && shows(c)),
    SETTLE_MS,
    10,
  ).catch(() => {});
  await idle();
  const edits = editsOf();
  const accepted = edits.filter((c) => c.status === 200);
  return { edits, accepted, final: accepted.find(shows) };
}

async function teamsBurst(store: StoreKind, voters: number, inject429: boolean): Promise<Outcome> {
  const auth = await startAuthFixture();
  const restoreHttps = auth.interceptMicrosoftKeyHosts();
  const decks = DeckCatalog.load();
  decks.add(testDeck);
  let t: BurstTeams | undefined;
  try {
    t = await startBurstTeams({
      store,
      tenant: TENANT,
      auth,
      decks,
      defaults: { ...DEFAULT_ROUND_DEFAULTS, deckId: testDeck.id },
    });
    const { world: w, connector, app } = t;
    const members = [FACILITATOR, ...Array.from({ length: voters }, (_, i) => teamsVoter(i))];
    for (const m of members) {
      connector.addMember(TEAM_CHANNEL, { id: `29:${m.aad}`, name: m.name, aadObjectId: m.aad });
    }
    const idle = async () => {
      await until(
        'the Teams outbox to go idle',
        () => {
          const s = t?.output.stats();
          return s !== undefined && s.queued === 0 && s.pending === 0;
        },
        30_000,
      );
    };
    const act = async (who: Member, action: ReturnType<typeof press>) =>
      answerCard(await post(w, invoke(w, who, IN_THREAD, action)));
    // Set-up as tests/teams/burst.test.ts: start, the facilitator's controls, the first card.
    const started = await post(w, mention(w, FACILITATOR, IN_THREAD, 'start', START_MESSAGE_ID));
    if (started.status !== 200) throw new Error(`start answered ${started.status}`);
    await until(
      'the hint',
      () => connector.callsFor(THREAD).some((c) => c.route === 'reply'),
      10_000,
    );
    const hint = connector.callsFor(THREAD).find((c) => c.route === 'reply');
    let controls = await act(FACILITATOR, press(cardOfActivity(hint?.body) ?? {}, 'facilitator'));
    for (const step of ['intro', 'scope', 'status']) {
      controls = await act(FACILITATOR, press(controls, 'next', { value: step }));
    }
    await act(FACILITATOR, press(controls, 'openNextCard', { value: '' }));
    const where = { platform: 'teams', tenant: TENANT, conversationId: THREAD } as const;
    const { roundId, cardId, messageId } = await openCardMessage(app, where, 15_000);
    await idle();
    const cardActivity = await messageId();
    // The burst starts on an idle message (past its own edit interval).
    await new Promise((resolve) => setTimeout(resolve, EDIT_WINDOW_MS));
    const posted = cardOfActivity(connector.activity(THREAD, cardActivity)?.activity) ?? {};

    // Built before the burst: one inbound token (Azure Bot Service reuses its tokens too).
    const headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${auth.token({ serviceUrl: connector.url })}`,
    };
    const bodies = Array.from({ length: voters }, (_, i) =>
      JSON.stringify(
        invoke(w, teamsVoter(i), IN_THREAD, press(posted, 'vote', { value: ratingOf(i) })),
      ),
    );
    if (inject429) {
      connector.failNext(2, { status: 429, retryAfterSeconds: 1, conversationId: THREAD });
    }
    const callsBefore = connector.calls.length;
    const result = await burst(voters, async (i) => {
      const response = await fetch(w.endpoint, {
        method: 'POST',
        headers,
        body: bodies[i],
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return response.status === 200 && text.includes('Din stemme');
    });
    const finalText = `${voters} af ${members.length} har stemt`;
    const editsOf = () =>
      connector.calls
        .slice(callsBefore)
        .filter(
          (c) =>
            c.conversationId === THREAD && c.route === 'update' && c.activityId === cardActivity,
        );
    const shows = (c: { body: unknown }) =>
      textsOf(cardOfActivity(c.body) ?? {}).includes(finalText);
    const { edits, accepted, final } = await settledEdits(editsOf, shows, idle);
    const lastText = textsOf(
      cardOfActivity(connector.activity(THREAD, cardActivity)?.activity) ?? {},
    )
      .map((x) => votedRe.exec(x)?.[0])
      .find(Boolean);
    const threadCalls = connector.calls
      .slice(callsBefore)
      .filter((c) => c.conversationId === THREAD);
    const throttled = threadCalls.filter((c) => c.status === 429);
    const retried = throttled.filter((c) => {
      const at = threadCalls.indexOf(c);
      return threadCalls
        .slice(at + 1)
        .some(
          (d) =>
            d.route === c.route &&
            d.activityId === c.activityId &&
            d.status >= 200 &&
            d.status < 300,
        );
    });
    return {
      platform: 'Teams',
      store: t.storeLabel,
      faults: inject429 ? '2 × 429 (Retry-After 1 s)' : 'none',
      voters,
      answered: result.ok,
      ballots: (await app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0,
      spreadMs: result.spreadMs,
      clickLatency: result.latencies,
      lastAnswerMs: result.lastAnswerMs,
      edits: accepted.map((c) => c.at - result.t0),
      attempts: edits.length,
      answered429: throttled.length,
      retried429: retried.length,
      outboxFailed: t.output.stats().failed,
      finalMs: final ? final.at - result.t0 : Number.NaN,
      finalText: lastText ?? '?',
    };
  } finally {
    await t?.close();
    restoreHttps();
    await auth.close();
  }
}

/* ------------------------------------------------------------------ Slack */

const slackVoter = (i: number) => `U0V${String(i).padStart(6, '0')}`;

async function slackBurst(store: StoreKind, voters: number, inject429: boolean): Promise<Outcome> {
  const users = [SLACK_FACILITATOR, ...Array.from({ length: voters }, (_, i) => slackVoter(i))];
  let s: BurstSlack | undefined;
  try {
    s = await startBurstSlack({
      store,
      decks: DeckCatalog.load(),
      defaults: SLACK_DEFAULTS,
      members: { [CHANNEL]: users },
    });
    const { world: w, slack, app, channel } = s;
    const deliver = async (body: string) => {
      const response = await fetch(s?.endpoint ?? '', {
        method: 'POST',
        headers: { 'content-type': FORM, ...signedHeaders(body) },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await response.text();
      return response.status;
    };
    const idle = async () => {
      await channel.idle();
      await until(
        'the Slack outbox to go idle',
        () => {
          const st = channel.output.stats();
          return st.queued === 0 && st.pending === 0;
        },
        60_000,
      );
    };
    // Set-up as tests/slack/driving.ts openFirstCard: start, next × 3, open the first card.
    await deliver(commandBody(w, SLACK_FACILITATOR, 'start', 'start'));
    await channel.idle();
    let controls = slack.responsesTo('start')[0]?.body;
    const pressEphemeral = async (command: string, value?: string) => {
      const { body, responseId } = actionBody(
        w,
        SLACK_FACILITATOR,
        button(controls?.blocks, command, value).value,
        {
          ephemeral: true,
          actionId: button(controls?.blocks, command, value).action_id,
        },
      );
      await deliver(body);
      await channel.idle();
      controls = slack.responsesTo(responseId).at(-1)?.body;
    };
    for (const step of ['intro', 'scope', 'status']) await pressEphemeral('next', step);
    await pressEphemeral('openNextCard');
    const where = { platform: 'slack', tenant: 'T0TEAM', conversationId: CHANNEL } as const;
    const { roundId, cardId, messageId } = await openCardMessage(app, where, 30_000);
    await idle();
    const ts = await messageId();
    const message = slack.message(CHANNEL, ts);
    if (!message) throw new Error('the card was not posted');
    await new Promise((resolve) => setTimeout(resolve, EDIT_WINDOW_MS));

    const bodies = Array.from({ length: voters }, (_, i) => {
      const pressed = button(message.blocks, 'vote', ratingOf(i));
      return actionBody(w, slackVoter(i), pressed.value, { actionId: pressed.action_id });
    });
    if (inject429) slack.failNext('chat.update', 2, { status: 429, retryAfter: 1 });
    const callsBefore = slack.calls.length;
    const result = await burst(voters, async (i) => (await deliver(bodies[i]?.body ?? '')) === 200);
    const finalPrefix = `${voters} af `;
    const editsOf = () =>
      slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.update' && c.args.ts === ts);
    const shows = (c: { args: unknown }) =>
      (votedRe.exec(JSON.stringify(c.args))?.[0] ?? '').startsWith(finalPrefix);
    const { edits, accepted, final } = await settledEdits(editsOf, shows, idle);
    const calls = slack.calls.slice(callsBefore);
    const throttled = calls.filter((c) => c.status === 429);
    const retried = throttled.filter((c) => {
      const at = calls.indexOf(c);
      return calls
        .slice(at + 1)
        .some((d) => d.method === c.method && d.args.ts === c.args.ts && d.status === 200);
    });
    const answers = new Set(
      bodies
        .filter((b) =>
          slack
            .responsesTo(b.responseId)
            .some((r) => String(r.body.text ?? '').startsWith('Din stemme')),
        )
        .map((b) => b.responseId),
    );
    return {
      platform: 'Slack',
      store: s.storeLabel,
      faults: inject429 ? '2 × 429 (Retry-After 1 s)' : 'none',
      voters,
      answered: Math.min(result.ok, answers.size),
      ballots: (await app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0,
      spreadMs: result.spreadMs,
      clickLatency: result.latencies,
      lastAnswerMs: result.lastAnswerMs,
      edits: accepted.map((c) => c.at - result.t0),
      attempts: edits.length,
      answered429: throttled.length,
      retried429: retried.length,
      outboxFailed: channel.output.stats().failed,
      finalMs: final ? final.at - result.t0 : Number.NaN,
      finalText: votedRe.exec(JSON.stringify(slack.message(CHANNEL, ts)?.blocks))?.[0] ?? '?',
    };
  } finally {
    await s?.close();
  }
}

/* ------------------------------------------------------------------ table */

function row(o: Outcome): Record<string, string | number> {
  const latency = summarize(o.clickLatency);
  return {
    platform: o.platform,
    store: o.store,
    'injected faults': o.faults,
    clicks: `${o.voters} in ${fmt(o.spreadMs)} ms`,
    'answered 200': o.answered,
    'ballots (lost)': `${o.ballots} (${o.voters - o.ballots})`,
    'card edits ok / attempts': `${o.edits.length} / ${o.attempts}`,
    'max edits in 2 s': maxInWindow(o.edits, EDIT_WINDOW_MS),
    'min gap ms': fmt(minGap(o.edits)),
    '429 answered / retried': `${o.answered429} / ${o.retried429}`,
    'outbox failed': o.outboxFailed,
    'final count shown after ms': fmt(o.finalMs),
    'card shows': o.finalText,
    'click p50 / p99 ms': `${fmt(latency.p50)} / ${fmt(latency.p99)}`,
    'last answer ms': fmt(o.lastAnswerMs),
  };
}

export const bench: Bench = async ({ quick }) => {
  const voters = quick ? 200 : 1000;
  // For profiling one case: --only=teams|slack, --store=sqlite|redis, --faults=none|429.
  const arg = (name: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = arg('only');
  const stores = (
    arg('store') ? [arg('store')] : quick ? ['sqlite'] : ['sqlite', 'redis']
  ) as StoreKind[];
  const faults = arg('faults') ? [arg('faults') === '429'] : quick ? [true] : [false, true];
  const outcomes: Outcome[] = [];
  for (const store of stores) {
    for (const inject of faults) {
      if (only !== 'slack') outcomes.push(await teamsBurst(store, voters, inject));
      if (only !== 'teams') outcomes.push(await slackBurst(store, voters, inject));
    }
  }
  const table: BenchTable = {
    name: 'burst',
    title: `Burst: ${voters} votes on one card within one second`,
    columns: [
      'platform',
      'store',
      'injected faults',
      'clicks',
      'answered 200',
      'ballots (lost)',
      'card edits ok / attempts',
      'max edits in 2 s',
      'min gap ms',
      '429 answered / retried',
      'outbox failed',
      'final count shown after ms',
      'card shows',
      'click p50 / p99 ms',
      'last answer ms',
    ],
    rows: outcomes.map(row),
    notes: [
      'One process: our HTTP server (real CloudAdapter with JWT validation / real Bolt with signature checks), the channel outbox, the fake platform (tests/teams/fake-connector.ts, tests/slack/fake-slack.ts) and the load generator; real clock and timers. The machine is shared: figures are indicative.',
      `Clicks are paced evenly over ${BURST_MS} ms (5 ms tick); "clicks … in" is the real spread. Teams: one invoke per voter (JWT reused, as Azure does); Slack: one signed block_actions per voter, acknowledged before the vote is processed.`,
      "ballots = the store's count for the card after the burst; lost = clicks − ballots (target 0).",
      'card edits = platform calls editing the group card after the first click (accepted / all attempts incl. 429s). Target: ≤ 1 accepted edit per 2 s ("max edits in 2 s" ≤ 1, "min gap" ≥ 2000 ms).',
      '429 answered / retried: every 429 the fake answered in the conversation (injected or by its own rate limits) and how many were followed by a successful call for the same message (target: equal, and outbox failed = 0).',
      'final count shown after = first click → the fake accepted the edit that shows all votes.',
    ],
  };
  return [table];
};

export default bench;

if (import.meta.main) await runStandalone(bench);
