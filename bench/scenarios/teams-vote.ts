/**
 * Load scenario (bench/lib/load.ts): Teams `adaptiveCard/action` invokes
 * (Action.Execute, verb `vote`) on one open card, as Teams delivers them to
 * the bot's /api/messages: each from a different member (Entra object id
 * `…<run><i>`) with its own activity id (so the bot's one-effect-per-activity
 * claim does not drop it), the serviceUrl on the lean fake connector. No
 * Authorization header (anonymous mode, TEAMS_ALLOW_ANONYMOUS=true). The
 * rating cycles 1…5. An answer counts as ok when it is HTTP 200 with an
 * adaptive card invoke response (`statusCode` 200). Used by bench/vote-teams.ts
 * and, with the same bodies, by bench/floor-cloudadapter.ts.
 */
import type { LoadRequest } from '../lib/load.ts';
import {
  envelope,
  invokeActivity,
  type PressedAction,
  TEAMS_FACILITATOR,
  type TeamsPlace,
} from '../lib/platform-teams.ts';

export interface TeamsVoteArgs {
  serviceUrl: string;
  place: TeamsPlace;
  /** The card's vote actions, rating 1…5. */
  actions: PressedAction[];
  /** Makes member and activity ids unique across phases, e.g. 'R2'. */
  run: string;
}

export function prepare(args: TeamsVoteArgs): TeamsVoteArgs {
  if (args.actions.length === 0) throw new Error('teams-vote: no actions');
  return args;
}

export function request(s: TeamsVoteArgs, i: number): LoadRequest {
  const action = s.actions[i % s.actions.length] as PressedAction;
  const suffix = `${s.run}${i}`
    .replace(/[^0-9a-zA-Z]/g, '')
    .toLowerCase()
    .padStart(12, '0');
  const who = { aad: `${TEAMS_FACILITATOR.aad.slice(0, 24)}${suffix}`, name: `Deltager ${i}` };
  const base = envelope({ id: `f:${s.run}${i}`, serviceUrl: s.serviceUrl, who, place: s.place });
  return {
    method: 'POST',
    path: '/api/messages',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(invokeActivity(base, action)),
  };
}

export function check(status: number, body: string): boolean {
  return status === 200 && body.includes('"statusCode":200');
}
