/**
 * The Teams vote path through its real entry: the bot (`node src/main.ts`, a
 * child process) with the Teams channel in anonymous mode
 * (TEAMS_ALLOW_ANONYMOUS=true, hence NODE_ENV=development: no JWT on inbound
 * activities, no token on outbound calls), on SQLite and on Redis. The
 * serviceUrl of every activity is a lean local fake Bot Connector
 * (bench/lib/platform-teams.ts). For each rate a new round is opened in a new
 * channel thread as people would: an @mention "start", the facilitator's
 * controls from the hint card, next × 3 and "open next card" (invokes),
 * until the group card with its vote actions is posted to the connector.
 * Then the load generator (another process) sends `adaptiveCard/action`
 * invokes with verb `vote`, each from a new member with its own activity id
 * (bench/scenarios/teams-vote.ts), open loop at a fixed rate.
 *
 * Latency = the invoke's HTTP response, which in Teams carries the result
 * (the presser's own card), so it includes the whole vote: activity claim,
 * conversation reference, join, ballot, views. After it the outbox edits the
 * group card (PUT to the connector, coalesced); those edits are counted.
 *
 * Why not the JWT path: the tests validate real tokens only in-process
 * (tests/teams/auth-fixture.ts swaps https.globalAgent so the SDK's hard-coded
 * login.botframework.com key download reaches a local JWKS, and replaces the
 * MSAL token provider); `node src/main.ts` has no such seam, and adding one
 * would put test-only hooks into production code. The floor
 * (bench/floor-cloudadapter.ts) runs in the same anonymous mode.
 *
 *   node bench/vote-teams.ts [--quick] [--cpu-prof]
 */
import { fileURLToPath } from 'node:url';
import { measureCloudAdapterFloor } from './floor-cloudadapter.ts';
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
import { settledValue, waitFor } from './lib/platform-slack.ts';
import {
  cardOf,
  envelope,
  executeActions,
  findAction,
  invokeActivity,
  type Json,
  type LeanConnector,
  mentionActivity,
  type PressedAction,
  startLeanConnector,
  TEAMS_FACILITATOR,
  type TeamsPlace,
} from './lib/platform-teams.ts';
import { type Bench, runStandalone } from './lib/report.ts';
import type { TeamsVoteArgs } from './scenarios/teams-vote.ts';

const SCENARIO = fileURLToPath(new URL('./scenarios/teams-vote.ts', import.meta.url));

/** Drives one Teams channel thread of the bot as a facilitator would. */
class TeamsDriver {
  #n = 0;
  readonly botUrl: string;
  readonly connector: LeanConnector;
  readonly run: string;
  constructor(botUrl: string, connector: LeanConnector, run: string) {
    this.botUrl = botUrl;
    this.connector = connector;
    this.run = run;
  }

  async #post(activity: Json): Promise<unknown> {
    const response = await fetch(`${this.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`teams setup: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  #base(place: TeamsPlace, id?: string): Json {
    this.#n += 1;
    return envelope({
      id: id ?? `f:${this.run}S${this.#n}`,
      serviceUrl: this.connector.url,
      who: TEAMS_FACILITATOR,
      place,
    });
  }

  /** Presses an Action.Execute as the facilitator; resolves with the card answered. */
  async press(place: TeamsPlace, action: PressedAction): Promise<Json> {
    const answer = (await this.#post(invokeActivity(this.#base(place), action))) as {
      value?: Json;
    };
    if (!answer?.value) throw new Error(`teams setup: no card for ${action.verb}`);
    return answer.value;
  }

  /** A card the bot posted to the thread that offers `verb`. */
  #posted(place: TeamsPlace, verb: string) {
    return this.connector
      .activitiesIn(place.conversationId)
      .find((a) => executeActions(cardOf(a.activity)).some((x) => x.verb === verb));
  }

  /** A new round in a new thread with its first card open; the card's activity id and vote actions. */
  async openCard(place: TeamsPlace, rootId: string) {
    await this.#post(mentionActivity(this.#base(place, rootId), 'start'));
    const hint = await waitFor('the hint card', () => this.#posted(place, 'facilitator'));
    let controls = await this.press(place, findAction(cardOf(hint.activity), 'facilitator'));
    for (const step of ['intro', 'scope', 'status']) {
      controls = await this.press(place, findAction(controls, 'next', { value: step }));
    }
    await this.press(place, findAction(controls, 'openNextCard', { value: '' }));
    const card = await waitFor('the group card', () => this.#posted(place, 'vote'));
    const actions = [1, 2, 3, 4, 5].map((v) =>
      findAction(cardOf(card.activity), 'vote', { value: String(v) }),
    );
    return { activityId: card.id, actions };
  }
}

/** "12 af 13 har stemt" as the group card last showed it, for a sanity note. */
function shownCount(card: unknown): string {
  return /(\d+) af (\d+) har stemt/.exec(JSON.stringify(card ?? {}))?.[0] ?? '?';
}

/** One store: a bot process and a fake connector, one phase (new thread, new round) per rate. */
async function measureStore(store: 'sqlite' | 'redis', quick: boolean) {
  const plan = phasePlan(quick);
  const prefix = `bench:teams:${process.pid}:${Date.now()}:`;
  const connector = await startLeanConnector();
  const bot = await startBotProcess(
    {
      NODE_ENV: 'development',
      STORE: store,
      ...(store === 'redis' && { REDIS_URL, REDIS_PREFIX: prefix }),
      TEAMS_ALLOW_ANONYMOUS: 'true',
    },
    { profileName: `teams-${store}` },
  );
  const rows: PhaseRow[] = [];
  const notes: string[] = [];
  try {
    for (const [p, rate] of plan.rates.entries()) {
      const run = `${store === 'redis' ? 'r' : 's'}${p}`;
      const channel = `19:bench${run}${'0'.repeat(24)}@thread.tacv2`;
      const rootId = String(1_795_424_600_000 + p);
      const place: TeamsPlace = {
        conversationId: `${channel};messageid=${rootId}`,
        teamId: channel,
      };
      connector.addMembers(channel, [TEAMS_FACILITATOR]);
      const driver = new TeamsDriver(bot.url, connector, run);
      const card = await driver.openCard(place, rootId);
      await settle(() => Object.values(connector.counts).reduce((a, b) => a + b, 0), 300, 5000);
      connector.resetCounts();
      const args: TeamsVoteArgs = {
        serviceUrl: connector.url,
        place,
        actions: card.actions,
        run,
      };
      const r = await measurePhase({
        pid: bot.pid,
        target: bot.url,
        scenario: SCENARIO,
        scenarioArgs: args,
        rate,
        plan,
      });
      const sent = Math.round((plan.warmupSeconds + plan.seconds) * rate);
      const groupCard = () =>
        cardOf(
          connector.activitiesIn(place.conversationId).find((a) => a.id === card.activityId)
            ?.activity,
        );
      // The card's last coalesced edit comes up to an outbox interval (2 s) after the last vote.
      const shown = await settledValue(
        () => shownCount(groupCard()),
        (now) => now.startsWith(`${sent} af`),
      );
      const edits = connector.counts.update ?? 0;
      rows.push({ store, ...phaseRow({}, r), 'card edits': edits });
      notes.push(
        `${store} ${rate}/s: group card edited ${edits}× (coalesced), then "${shown}" (${sent} invokes sent, warm-up included); connector calls ${JSON.stringify(connector.counts)}.`,
      );
      notes.push(...phaseNotes(`${store} ${rate}/s`, r.load));
    }
  } finally {
    await bot.stop();
    await connector.close();
    notes.push(...(await dropRunKeys(store, prefix)));
  }
  return { rows, notes };
}

const bench: Bench = voteBench({
  name: 'vote-teams',
  title:
    'Vote path through Teams (adaptiveCard/action invokes → CloudAdapter → our bot), per store',
  columns: ['card edits'],
  floor: { name: 'floor-cloudadapter', measure: measureCloudAdapterFloor },
  measureStore,
  notes: (plan) => [
    `Open loop from a separate process on 127.0.0.1; ${plan.warmupSeconds} s warm-up + ${plan.seconds} s measured per rate; a new round in a new channel thread per rate; every invoke a new member and activity id. Bot: node src/main.ts, NODE_ENV=development, LOG_LEVEL=warn, TEAMS_ALLOW_ANONYMOUS=true (no JWT: see the file comment); serviceUrl on a lean local fake connector (bench/lib/platform-teams.ts).`,
    "Latency = scheduled send → end of the invoke's HTTP response (it carries the presser's card, so it includes the whole vote). Ok = HTTP 200 with an invoke response of statusCode 200. CPU % of one core and peak RSS of the bot over the measured window.",
  ],
});

export default bench;

if (import.meta.main) await runStandalone(bench);
