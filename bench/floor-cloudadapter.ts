/**
 * The floor of the Teams vote path: a bare CloudAdapter (the same
 * @microsoft/agents-hosting, anonymous like our Teams path in the benchmark:
 * no app id, so no JWT) behind express (`express.json`, `authorizeRequest`,
 * `adapter.process`), with an ActivityHandler that answers every
 * `adaptiveCard/action` invoke with one fixed adaptive-card invoke response,
 * in a child process on 127.0.0.1. Loaded with the very bodies
 * bench/vote-teams.ts sends (bench/scenarios/teams-vote.ts), at the same
 * rates. Whatever our path costs beyond this (activity claim, conversation
 * reference, join, vote, views, the card edit) is ours.
 *
 *   node bench/floor-cloudadapter.ts [--quick]   the benchmark
 *   node bench/floor-cloudadapter.ts --serve     the floor server itself (prints LISTENING <url>)
 */
import { fileURLToPath } from 'node:url';
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  CloudAdapter,
  OutboundHostValidator,
} from '@microsoft/agents-hosting';
import express from 'express';
import {
  announceListening,
  floorBench,
  type Measured,
  measureFloor,
} from './lib/platform-bench.ts';
import { CARD_TYPE } from './lib/platform-teams.ts';
import type { Bench } from './lib/report.ts';
import { runStandalone } from './lib/report.ts';
import type { TeamsVoteArgs } from './scenarios/teams-vote.ts';

const SELF = fileURLToPath(import.meta.url);
const SCENARIO = fileURLToPath(new URL('./scenarios/teams-vote.ts', import.meta.url));

/** A personal vote card's shape: a heading, a line, five vote buttons. */
const FIXED_CARD = {
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [
    { type: 'TextBlock', text: 'Mentorordninger', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'Din stemme: 3', wrap: true },
  ],
  actions: [1, 2, 3, 4, 5].map((v) => ({
    type: 'Action.Execute',
    title: String(v),
    verb: 'vote',
    data: { command: 'vote', value: String(v), cardId: 'mentorordninger' },
  })),
};

class EchoBot extends ActivityHandler {
  protected override async onAdaptiveCardInvoke(): Promise<AdaptiveCardInvokeResponse> {
    return { statusCode: 200, type: CARD_TYPE, value: FIXED_CARD };
  }
}

/** The bare adapter, wired as ours is (anonymous: outbound host check off). */
async function serve(): Promise<void> {
  const adapter = new CloudAdapter(
    {},
    undefined,
    undefined,
    { validateServiceUrl: true },
    new OutboundHostValidator({ enabled: false }),
  );
  const bot = new EchoBot();
  const app = express();
  app.post(
    '/api/messages',
    express.json({ limit: '256kb' }),
    (req, res, next) => adapter.authorizeRequest(req, res, next),
    async (req, res) => {
      await adapter.process(req, res, (context) => bot.run(context));
    },
  );
  announceListening(app.listen(0, '127.0.0.1'));
}

/** Invokes like ours: a channel thread, vote actions of our card's shape. */
function floorArgs(run: string): TeamsVoteArgs {
  const channel = '19:floorfloorfloorfloorfloorfloor00@thread.tacv2';
  return {
    serviceUrl: 'http://127.0.0.1:9/',
    place: { conversationId: `${channel};messageid=1795424500000`, teamId: channel },
    actions: [1, 2, 3, 4, 5].map((v) => ({
      verb: 'vote',
      data: { command: 'vote', value: String(v), cardId: 'mentorordninger' },
    })),
    run,
  };
}

/** Measures the floor at the plan's rates; rows carry `_achieved`, `_p99`, `_quick`, `_at`. */
export function measureCloudAdapterFloor(quick: boolean): Promise<Measured> {
  // The SDK refuses an adapter without an app id when NODE_ENV=production (as our config does).
  const env = { NODE_ENV: 'development' };
  return measureFloor({ file: SELF, env, scenario: SCENARIO, args: floorArgs, quick });
}

const bench: Bench = floorBench({
  name: 'floor-cloudadapter',
  title: 'Floor: bare CloudAdapter behind express (anonymous), fixed adaptive-card invoke response',
  measure: measureCloudAdapterFloor,
  notes: (plan) => [
    `Open loop from a separate process on 127.0.0.1; ${plan.warmupSeconds} s warm-up + ${plan.seconds} s measured per rate. Same bodies as the Teams vote path (bench/scenarios/teams-vote.ts), no Authorization header (the adapter without an app id accepts anonymous requests, as our TEAMS_ALLOW_ANONYMOUS path does). Answer: a fixed ${JSON.stringify(FIXED_CARD).length}-byte card.`,
    'Latency = scheduled send → end of the HTTP response (the invoke response). CPU % of one core and peak RSS of the floor process over the measured window; CPU ms/req = CPU % ÷ achieved rate. A new member and activity id per invoke.',
  ],
});

export default bench;

if (import.meta.main) {
  if (process.argv.includes('--serve')) await serve();
  else await runStandalone(bench);
}
