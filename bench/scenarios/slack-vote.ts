/**
 * Load scenario (bench/lib/load.ts): Slack `block_actions` vote presses on
 * one open card, signed exactly as Slack signs them (v0, HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>`, the current time), each from a different
 * user (`U<run><i>`) with its own trigger_id (so the bot's one-effect-per-
 * delivery claim does not drop it) and its own response_url on the fake
 * Slack. The rating cycles 1…5. Used by bench/vote-slack.ts and, with the
 * same bodies, by bench/floor-bolt.ts.
 */
import type { LoadRequest } from '../lib/load.ts';
import { blockActionsBody, FORM, slackSignature } from '../lib/platform-slack.ts';

export interface SlackVoteArgs {
  signingSecret: string;
  channel: string;
  /** The card's vote buttons, rating 1…5. */
  buttons: { value: string; actionId: string }[];
  /** response_url base, e.g. http://127.0.0.1:4000/respond/ (the id is appended). */
  responseBase: string;
  /** Makes user and trigger ids unique across phases, e.g. 'P2'. */
  run: string;
  messageTs: string;
}

export function prepare(args: SlackVoteArgs): SlackVoteArgs {
  if (args.buttons.length === 0) throw new Error('slack-vote: no buttons');
  return args;
}

export function request(s: SlackVoteArgs, i: number): LoadRequest {
  const button = s.buttons[i % s.buttons.length] as { value: string; actionId: string };
  const body = blockActionsBody({
    channel: s.channel,
    user: `U${s.run}X${i}`,
    actionId: button.actionId,
    value: button.value,
    responseUrl: `${s.responseBase}v-${s.run}-${i}`,
    triggerId: `${s.run}${i}.4444.bench${i}`,
    messageTs: s.messageTs,
  });
  return {
    method: 'POST',
    path: '/slack/events',
    headers: { 'content-type': FORM, ...slackSignature(body, s.signingSecret) },
    body,
  };
}
