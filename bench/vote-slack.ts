/**
 * The Slack vote path through its real entry: the bot (`node src/main.ts`,
 * a child process) in Slack HTTP mode (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)
 * with its Web API pointed at a lean local fake (SLACK_API_URL, see
 * bench/lib/platform-slack.ts), on SQLite and on Redis. For each rate a new
 * round is opened in a new channel as people would: a signed `/dialogrunde
 * start`, the facilitator's next × 3 and "open next card" presses (answers
 * read from the fake's response_urls), until the card with its vote buttons
 * is posted. Then the load generator (another process) sends signed
 * `block_actions` presses of those buttons, each from a new user with its own
 * trigger id (bench/scenarios/slack-vote.ts), open loop at a fixed rate.
 *
 * Ack latency = the HTTP response of the action request: Bolt answers as
 * soon as the handler calls ack(), which ours does first (after the
 * delivery claim in the store). After the ack the bot records the vote,
 * answers the voter through the response_url ("Din stemme: …", a POST to the
 * fake) and edits the card (chat.update, coalesced by the outbox). Those
 * after-ack effects are counted (`responded`) but not timed.
 *
 * Ratios: against the floor (bench/floor-bolt.ts, a bare Bolt app with a
 * no-op action handler) measured earlier in the same suite run, or now.
 *
 *   node bench/vote-slack.ts [--quick] [--cpu-prof]
 */
import { fileURLToPath } from 'node:url';
import { measureBoltFloor } from './floor-bolt.ts';
import { startBotProcess } from './lib/bot-process.ts';
import { dropRunKeys, phaseNotes, voteBench } from './lib/platform-bench.ts';
import {
  measurePhase,
  type PhaseRow,
  phasePlan,
  phaseRow,
  REDIS_URL,
  settle,
} from './lib/platform-phase.ts';
import {
  blockActionsBody,
  buttonsIn,
  FORM,
  findButton,
  type LeanSlack,
  SLACK_FACILITATOR,
  type SlackButton,
  settledValue,
  slackSignature,
  slashCommandBody,
  startLeanSlack,
  waitFor,
} from './lib/platform-slack.ts';
import { type Bench, runStandalone } from './lib/report.ts';
import { fmt } from './lib/stats.ts';
import type { SlackVoteArgs } from './scenarios/slack-vote.ts';

const SCENARIO = fileURLToPath(new URL('./scenarios/slack-vote.ts', import.meta.url));
const SIGNING_SECRET = 'bench-slack-signing-secret-0123456789';
const BOT_TOKEN = 'xoxb-bench-token';

/** Drives one Slack channel of the bot as a facilitator would, through signed requests. */
class SlackDriver {
  #n = 0;
  readonly botUrl: string;
  readonly slack: LeanSlack;
  readonly run: string;
  constructor(botUrl: string, slack: LeanSlack, run: string) {
    this.botUrl = botUrl;
    this.slack = slack;
    this.run = run;
  }

  async #post(body: string): Promise<void> {
    const response = await fetch(`${this.botUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': FORM, ...slackSignature(body, SIGNING_SECRET) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    if (response.status !== 200) throw new Error(`slack setup: HTTP ${response.status}`);
  }

  #ids() {
    this.#n += 1;
    return { id: `keep-${this.run}-${this.#n}`, trigger: `${this.run}S${this.#n}.3333.setup` };
  }

  /** `/dialogrunde start` in `channel`; resolves with the facilitator's controls. */
  async start(channel: string): Promise<{ blocks?: unknown }> {
    const { id, trigger } = this.#ids();
    await this.#post(
      slashCommandBody({
        channel,
        user: SLACK_FACILITATOR,
        text: 'start',
        responseUrl: this.slack.responseUrl(id),
        triggerId: trigger,
      }),
    );
    return waitFor('the start controls', () => this.slack.responsesTo(id)[0]);
  }

  /** Presses a button on the facilitator's (ephemeral) controls; resolves with the new controls. */
  async press(channel: string, button: SlackButton): Promise<{ blocks?: unknown }> {
    const { id, trigger } = this.#ids();
    await this.#post(
      blockActionsBody({
        channel,
        user: SLACK_FACILITATOR,
        actionId: button.action_id,
        value: button.value,
        responseUrl: this.slack.responseUrl(id),
        triggerId: trigger,
        ephemeral: true,
      }),
    );
    return waitFor(`the answer to ${button.action_id}`, () => this.slack.responsesTo(id).at(-1));
  }

  /** A new round in `channel` with its first card open; the card's message and vote buttons. */
  async openCard(channel: string): Promise<{ ts: string; buttons: SlackButton[] }> {
    let controls = await this.start(channel);
    for (const step of ['intro', 'scope', 'status']) {
      controls = await this.press(channel, findButton(controls.blocks, 'next', step));
    }
    await this.press(channel, findButton(controls.blocks, 'openNextCard'));
    const card = await waitFor('the card in the channel', () =>
      this.slack
        .messagesIn(channel)
        .find((m) => buttonsIn(m.blocks).some((b) => b.value.includes('"vote"'))),
    );
    const buttons = [1, 2, 3, 4, 5].map((v) => findButton(card.blocks, 'vote', String(v)));
    return { ts: card.ts, buttons };
  }
}

/** "12 af 13 har stemt" from the card's blocks as last edited, for a sanity note. */
function shownCount(blocks: unknown): string {
  return /(\d+) af (\d+) har stemt/.exec(JSON.stringify(blocks))?.[0] ?? '?';
}

export interface PathRun {
  rows: PhaseRow[];
  notes: string[];
}

/** One store: a bot process and a fake Slack, one phase (new channel, new round) per rate. */
async function measureStore(store: 'sqlite' | 'redis', quick: boolean) {
  const plan = phasePlan(quick);
  const prefix = `bench:slack:${process.pid}:${Date.now()}:`;
  const slack = await startLeanSlack({ members: [SLACK_FACILITATOR] });
  const bot = await startBotProcess(
    {
      STORE: store,
      ...(store === 'redis' && { REDIS_URL, REDIS_PREFIX: prefix }),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    { profileName: `slack-${store}` },
  );
  const rows: PhaseRow[] = [];
  const notes: string[] = [];
  try {
    for (const [p, rate] of plan.rates.entries()) {
      const run = `${store === 'redis' ? 'R' : 'S'}${p}`;
      const channel = `C0BENCH${run}`;
      const driver = new SlackDriver(bot.url, slack, run);
      const card = await driver.openCard(channel);
      // Let the card's post and the setup answers finish before the clock starts.
      await settle(() => Object.values(slack.counts).reduce((a, b) => a + b, 0), 300, 5000);
      slack.resetCounts();
      const args: SlackVoteArgs = {
        signingSecret: SIGNING_SECRET,
        channel,
        buttons: card.buttons.map((b) => ({ value: b.value, actionId: b.action_id })),
        responseBase: slack.responseUrl(''),
        run,
        messageTs: card.ts,
      };
      const r = await measurePhase({
        pid: bot.pid,
        target: bot.url,
        scenario: SCENARIO,
        scenarioArgs: args,
        rate,
        plan,
      });
      // After-ack work (response_url answers, card edits) may still be running: let it finish.
      const drainMs = await settle(() => slack.counts.response_url ?? 0);
      const sent = Math.round((plan.warmupSeconds + plan.seconds) * rate);
      const responded = slack.counts.response_url ?? 0;
      // The card's last coalesced edit comes up to an outbox interval (2 s) later.
      const shown = await settledValue(
        () => shownCount(slack.messagesIn(channel).find((m) => m.ts === card.ts)?.blocks),
        (now) => now.startsWith(`${sent} af`),
      );
      notes.push(
        `${store} ${rate}/s: ${responded} of ${sent} presses (warm-up included) answered via response_url, the last ${fmt(drainMs)} ms after the load ended; card edited ${slack.counts['chat.update'] ?? 0}× (coalesced), then "${shown}".`,
      );
      rows.push({
        store,
        ...phaseRow({}, r),
        responded: `${Math.round((responded / sent) * 100)} %`,
        'card edits': slack.counts['chat.update'] ?? 0,
      });
      notes.push(...phaseNotes(`${store} ${rate}/s`, r.load));
    }
  } finally {
    await bot.stop();
    await slack.close();
    notes.push(...(await dropRunKeys(store, prefix)));
  }
  return { rows, notes };
}

const bench: Bench = voteBench({
  name: 'vote-slack',
  title: 'Vote path through Slack (signed block_actions → Bolt → our handler), per store',
  columns: ['responded', 'card edits'],
  floor: { name: 'floor-bolt', measure: measureBoltFloor },
  measureStore,
  notes: (plan) => [
    `Open loop from a separate process on 127.0.0.1; ${plan.warmupSeconds} s warm-up + ${plan.seconds} s measured per rate; a new round in a new channel per rate; every press a new user and trigger id. Bot: node src/main.ts, NODE_ENV=production, LOG_LEVEL=warn, Slack HTTP mode; Web API and response_urls on a lean local fake (bench/lib/platform-slack.ts, SLACK_API_URL).`,
    'Latency = scheduled send → end of the HTTP response (Bolt\'s ack, after our delivery claim). CPU % of one core and peak RSS of the bot over the measured window. "responded" = response_url answers ÷ presses sent (warm-up included), after the after-ack work drained.',
  ],
});

export default bench;

if (import.meta.main) await runStandalone(bench);
