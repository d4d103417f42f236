/**
 * Teams for the vote benchmarks (`bench/vote-teams.ts`, `bench/floor-cloudadapter.ts`):
 *
 * - {@link startLeanConnector}: a lean local stand-in for the Bot Connector
 *   at an activity's `serviceUrl` (v3 routes: send, reply, update, delete,
 *   create conversation, members). It answers at once, without Teams'
 *   per-thread rate limits or faults (the tests' `tests/teams/fake-connector.ts`
 *   has those), so that during a load phase it costs the shared CPU as little
 *   as possible. It keeps the last version of every activity per
 *   conversation (the bench reads cards from them) and counts calls by route.
 * - Activity builders shaped like the tests' `tests/teams/harness.ts`
 *   (anonymous mode: the bot's id is `28:dialogrunde-bot`), and a finder for
 *   a card's `Action.Execute` actions.
 *
 * Listens on 127.0.0.1 only.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './local-server.ts';

export const TEAMS_TENANT = 'tenant-bench';
/** The bot's Teams id without an app id (anonymous mode). */
export const ANONYMOUS_BOT_ID = '28:dialogrunde-bot';
export const CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export type Json = Record<string, unknown>;

export interface Member {
  /** Entra object id. */
  aad: string;
  name: string;
}

export const TEAMS_FACILITATOR: Member = {
  aad: '0b5e7000-0000-4000-8000-00000000fac1',
  name: 'Mødeleder',
};

export interface StoredActivity {
  id: string;
  activity: Json;
  updates: number;
}

export interface LeanConnector {
  /** serviceUrl, e.g. http://127.0.0.1:40123/ */
  url: string;
  /** Activities of a conversation (sent or replied; edits replace them), in order. */
  activitiesIn(conversationId: string): StoredActivity[];
  /** Members listed for a conversation (and its threads). */
  addMembers(conversationId: string, members: Member[]): void;
  /** Calls by route ('send', 'reply', 'update', 'members', …). */
  readonly counts: Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export async function startLeanConnector(): Promise<LeanConnector> {
  const activities = new Map<string, StoredActivity[]>();
  const members = new Map<string, Member[]>();
  let counts: Record<string, number> = {};
  let nextId = 1_795_424_500_000;
  let nextConversation = 1;
  const count = (route: string) => {
    counts[route] = (counts[route] ?? 0) + 1;
  };
  const listOf = (conversationId: string) => {
    let list = activities.get(conversationId);
    if (!list) {
      list = [];
      activities.set(conversationId, list);
    }
    return list;
  };
  // A channel thread's members are the channel's.
  const membersOf = (conversationId: string) =>
    members.get(conversationId) ?? members.get(conversationId.split(';')[0] ?? '') ?? [];
  const rest = (m: Member) => ({ id: `29:${m.aad}`, name: m.name, objectId: m.aad });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = (status: number, payload?: unknown) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const body = (raw ? JSON.parse(raw) : {}) as Json;
    if (/^\/v3\/conversations\/?$/.test(path) && method === 'POST') {
      count('createConversation');
      const id = `a:bench-conversation-${nextConversation++}`;
      const activity = body.activity as Json | undefined;
      if (!activity) return answer(201, { id });
      const activityId = String(nextId++);
      listOf(id).push({ id: activityId, activity: { ...activity, id: activityId }, updates: 0 });
      return answer(201, { id, activityId });
    }
    const listed = /^\/v3\/conversations\/(.+?)\/(pagedmembers|members)\/?$/.exec(path);
    if (listed?.[1] && method === 'GET') {
      count(listed[2] ?? 'members');
      const list = membersOf(decode(listed[1])).map(rest);
      return answer(200, listed[2] === 'pagedmembers' ? { members: list } : list);
    }
    const one = /^\/v3\/conversations\/(.+?)\/members\/([^/]+)\/?$/.exec(path);
    if (one?.[1] && one[2] && method === 'GET') {
      count('member');
      const user = decode(one[2]);
      const found = membersOf(decode(one[1])).find((m) => `29:${m.aad}` === user || m.aad === user);
      return found ? answer(200, rest(found)) : answer(404, { error: { code: 'NotFound' } });
    }
    const match = /^\/v3\/conversations\/(.+?)\/activities(?:\/([^/]+))?\/?$/.exec(path);
    if (!match?.[1]) {
      count('unknown');
      return answer(404, { error: { code: 'NotFound', message: `${method} ${path}` } });
    }
    const conversationId = decode(match[1]);
    const activityId = match[2] === undefined ? undefined : decode(match[2]);
    if (method === 'POST') {
      count(activityId === undefined ? 'send' : 'reply');
      const id = String(nextId++);
      listOf(conversationId).push({ id, activity: { ...body, id }, updates: 0 });
      return answer(201, { id });
    }
    if (method === 'PUT' && activityId !== undefined) {
      count('update');
      const found = listOf(conversationId).find((a) => a.id === activityId);
      if (found) {
        found.activity = { ...body, id: activityId };
        found.updates += 1;
      }
      return answer(200, { id: activityId });
    }
    if (method === 'DELETE' && activityId !== undefined) {
      count('delete');
      const list = listOf(conversationId);
      const at = list.findIndex((a) => a.id === activityId);
      if (at >= 0) list.splice(at, 1);
      return answer(200);
    }
    count('unknown');
    answer(404, { error: { code: 'NotFound' } });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const { base, close } = await listenLocal(server);
  const url = `${base}/`;
  return {
    url,
    activitiesIn: (conversationId) => activities.get(conversationId) ?? [],
    addMembers(conversationId, list) {
      members.set(conversationId, [...(members.get(conversationId) ?? []), ...list]);
    },
    get counts() {
      return counts;
    },
    resetCounts() {
      counts = {};
    },
    close,
  };
}

/** Where an activity comes from: a channel thread (`<channel>;messageid=<root>`). */
export interface TeamsPlace {
  conversationId: string;
  /** The channel (team) id. */
  teamId: string;
}

/** The fields every activity from Teams carries. */
export function envelope(o: {
  id: string;
  serviceUrl: string;
  who: Member;
  place: TeamsPlace;
}): Json {
  return {
    id: o.id,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${o.who.aad}`, name: o.who.name, aadObjectId: o.who.aad },
    conversation: {
      id: o.place.conversationId,
      conversationType: 'channel',
      isGroup: true,
      tenantId: TEAMS_TENANT,
    },
    recipient: { id: ANONYMOUS_BOT_ID, name: 'dialogrunde' },
    locale: 'da-DK',
    channelData: {
      tenant: { id: TEAMS_TENANT },
      team: { id: o.place.teamId },
      channel: { id: o.place.teamId },
    },
  };
}

/** A channel message that @mentions the bot. */
export function mentionActivity(base: Json, text: string): Json {
  return {
    ...base,
    type: 'message',
    text: `<at>dialogrunde</at> ${text}`,
    textFormat: 'plain',
    entities: [
      {
        type: 'mention',
        text: '<at>dialogrunde</at>',
        mentioned: { id: ANONYMOUS_BOT_ID, name: 'dialogrunde' },
      },
    ],
  };
}

export interface PressedAction {
  verb: string;
  data: Json;
}

/** An `adaptiveCard/action` invoke (Action.Execute pressed by a person). */
export function invokeActivity(base: Json, action: PressedAction): Json {
  return {
    ...base,
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', verb: action.verb, data: action.data },
      trigger: 'manual',
    },
  };
}

/** The Adaptive Card of a message activity (first card attachment). */
export function cardOf(activity: unknown): Json | undefined {
  const attachments = (activity as { attachments?: { contentType?: string; content?: unknown }[] })
    ?.attachments;
  return attachments?.find((a) => a.contentType === CARD_TYPE)?.content as Json | undefined;
}

/** Every `Action.Execute` of a card (inside ShowCards too), as Teams would send it (no inputs). */
export function executeActions(card: unknown): PressedAction[] {
  const found: PressedAction[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Json;
    if (obj.type === 'Action.Execute') {
      found.push({ verb: String(obj.verb), data: (obj.data ?? {}) as Json });
    }
    for (const [key, child] of Object.entries(obj)) {
      if (key !== 'fallback' && key !== 'refresh') walk(child);
    }
  };
  walk(card);
  return found;
}

/** The card's action with this verb whose data matches `where`; throws when there is none. */
export function findAction(card: unknown, verb: string, where: Json = {}): PressedAction {
  const found = executeActions(card).find(
    (a) => a.verb === verb && Object.entries(where).every(([k, v]) => a.data[k] === v),
  );
  if (!found) {
    const offered = executeActions(card).map((a) => `${a.verb} ${JSON.stringify(a.data)}`);
    throw new Error(
      `no ${verb} ${JSON.stringify(where)} on the card; offered: ${offered.join(' | ')}`,
    );
  }
  return found;
}
