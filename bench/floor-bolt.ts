/**
 * The floor of the Slack vote path: a bare Bolt App (the same @slack/bolt,
 * an ExpressReceiver on its own express app, `processBeforeResponse: false`
 * like ours) with a no-op action handler that only acks, in a child process
 * on 127.0.0.1. Loaded with the very bodies bench/vote-slack.ts sends
 * (bench/scenarios/slack-vote.ts: signed `block_actions`, a new user and
 * trigger id each), at the same rates. Whatever our path costs beyond this
 * (store claim, vote, views, response_url, outbox) is ours.
 *
 *   node bench/floor-bolt.ts [--quick]     the benchmark
 *   node bench/floor-bolt.ts --serve       the floor server itself (prints LISTENING <url>)
 */
import { fileURLToPath } from 'node:url';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import {
  announceListening,
  floorBench,
  type Measured,
  measureFloor,
} from './lib/platform-bench.ts';
import type { Bench } from './lib/report.ts';
import { runStandalone } from './lib/report.ts';
import type { SlackVoteArgs } from './scenarios/slack-vote.ts';

const SELF = fileURLToPath(import.meta.url);
const SCENARIO = fileURLToPath(new URL('./scenarios/slack-vote.ts', import.meta.url));
const SIGNING_SECRET = 'bench-floor-bolt-signing-secret-0123456789';

/** The bare Bolt app: signature check, parse, route, ack. */
async function serve(): Promise<void> {
  const receiver = new ExpressReceiver({
    signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    receiver,
    // Like ours (one bot token, its auth.test answer cached): no Web API call per request.
    authorize: async () => ({
      botToken: 'xoxb-floor',
      botId: 'B0BOT',
      botUserId: 'U0BOT',
      teamId: 'T0BENCH',
    }),
    // Never reached (the handler only acks); a dead local port rather than slack.com.
    clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
    logLevel: (process.env.BOLT_LOG as LogLevel | undefined) ?? LogLevel.ERROR,
  });
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  announceListening(receiver.app.listen(0, '127.0.0.1'));
}

/** Vote buttons as our card carries them (same value sizes). */
function floorArgs(run: string): SlackVoteArgs {
  return {
    signingSecret: SIGNING_SECRET,
    channel: 'C0FLOOR',
    buttons: [1, 2, 3, 4, 5].map((v) => ({
      value: JSON.stringify({ command: 'vote', value: String(v), cardId: 'mentorordninger' }),
      actionId: `dialogrunde:vote:${v - 1}`,
    })),
    responseBase: 'http://127.0.0.1:9/respond/',
    run,
    messageTs: '1795424400.000001',
  };
}

/** Measures the floor at the plan's rates; rows carry `_achieved`, `_p99`, `_quick`, `_at`. */
export function measureBoltFloor(quick: boolean): Promise<Measured> {
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET };
  return measureFloor({ file: SELF, env, scenario: SCENARIO, args: floorArgs, quick });
}

const bench: Bench = floorBench({
  name: 'floor-bolt',
  title: 'Floor: bare Bolt app (ExpressReceiver, no-op action handler), signed block_actions',
  measure: measureBoltFloor,
  notes: (plan) => [
    `Open loop from a separate process on 127.0.0.1; ${plan.warmupSeconds} s warm-up + ${plan.seconds} s measured per rate. Same bodies as the Slack vote path (bench/scenarios/slack-vote.ts).`,
    'Latency = scheduled send → end of the HTTP response (the ack). CPU % of one core and peak RSS of the floor process over the measured window; CPU ms/req = CPU % ÷ achieved rate.',
  ],
});

export default bench;

if (import.meta.main) {
  if (process.argv.includes('--serve')) await serve();
  else await runStandalone(bench);
}
