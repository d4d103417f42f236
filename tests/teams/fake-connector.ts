/**
 * A local stand-in for the Bot Connector service that Teams exposes at the
 * `serviceUrl` of every inbound activity (in production e.g.
 * `https://smba.trafficmanager.net/emea/`). The Agents SDK's `ConnectorClient`
 * talks to it with plain `fetch`, so pointing `activity.serviceUrl` (or a stored
 * conversation reference) at `connector.url` is all a test needs.
 *
 * What it reproduces, and what it deliberately does not:
 * - The v3 REST routes the SDK calls: send (`POST .../activities`), reply
 *   (`POST .../activities/:id`), update (`PUT .../activities/:id`), delete and
 *   create conversation (`POST /v3/conversations`). Each returns a
 *   `ResourceResponse` (`{ id }`) like the real service; message ids are
 *   numeric strings because Teams uses epoch-millisecond message ids.
 * - Teams' per-bot, per-thread rate limits (Microsoft's "rate limiting and
 *   best practices" page for Teams bots, quoted from memory and not checked
 *   offline): 7 operations per second, 8 per 2 seconds,
 *   60 per 30 seconds and 1800 per hour for one conversation (the thread is the
 *   conversation id, including a channel's `;messageid=` suffix). Above them it
 *   answers `429` with a `Retry-After` header in seconds, computed from when the
 *   oldest operation in the violated window leaves it. Only accepted operations
 *   count; a throttled call does not extend the wait. The real service is
 *   fuzzier (limits are shared across bot instances and can change); these are
 *   the documented numbers, which is what our coalescing must respect.
 * - Transient faults on demand (`failNext`): 502/504 (gateway trouble), 412
 *   (Teams' "precondition failed" on concurrent edits of one message) and 429
 *   without a rate-limit reason (tenant-wide throttling).
 * - Bearer check (optional, `acceptBearer`): the real service answers 401
 *   "Authorization has been denied for this request." to calls without a valid
 *   bot token. In anonymous mode (Agents Playground) there is no token at all.
 * - Conversation members (`addMember`): `GET .../pagedmembers` pages them
 *   like the real service (`pageSize` below 50 counts as 50, above 500 as
 *   500; an opaque `continuationToken` until the last page; REST field names,
 *   e.g. the Entra object id is `objectId`), and the older, unpaged
 *   `GET .../members` returns them all as an array. A conversation without
 *   registered members answers 404. Member reads are not message operations:
 *   they do not count against the per-thread limits, and faults without
 *   `routes` do not hit them. `GET .../members/:userId` returns one member,
 *   found by Teams id or Entra object id, or 404 when it is not in the conversation.
 * - Not reproduced: attachments, message size limits.
 *
 * Time comes from `now` (default `Date.now`) so rate-limit tests can use a
 * manual clock and never sleep.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorRoute =
  | 'createConversation'
  | 'send'
  | 'reply'
  | 'update'
  | 'delete'
  | 'pagedMembers'
  | 'members'
  | 'member'
  | 'unknown';

/** Routes that send, edit or delete messages: rate limited, and hit by faults by default. */
const MESSAGE_ROUTES: ReadonlySet<ConnectorRoute> = new Set([
  'createConversation',
  'send',
  'reply',
  'update',
  'delete',
]);

export interface RecordedCall {
  method: string;
  /** Raw request path as received (conversation ids are not URL-encoded by the SDK). */
  path: string;
  route: ConnectorRoute;
  conversationId?: string;
  activityId?: string;
  /** The member asked for (`GET .../members/:userId`). */
  userId?: string;
  body: unknown;
  /** Whether an `Authorization` header was present. */
  hasAuth: boolean;
  /** The bearer token, when the header used the Bearer scheme. */
  bearer?: string;
  /** Clock time (ms) when the call arrived. */
  at: number;
  /** Status we answered. */
  status: number;
  /** `Retry-After` we sent, in seconds, when throttling. */
  retryAfter?: number;
  /** Id we returned (new activity, reply, updated activity, new conversation). */
  returnedId?: string;
}

export interface RateWindow {
  windowMs: number;
  max: number;
}

/** Per-bot, per-thread limits for sending/updating messages in Teams. */
export const TEAMS_THREAD_LIMITS: readonly RateWindow[] = [
  { windowMs: 1_000, max: 7 },
  { windowMs: 2_000, max: 8 },
  { windowMs: 30_000, max: 60 },
  { windowMs: 3_600_000, max: 1_800 },
];

export interface Fault {
  /** 403: e.g. a 1:1 create for a user who has not installed the app personally. */
  status: 403 | 412 | 429 | 500 | 502 | 503 | 504;
  /** Sent as `Retry-After` (seconds) when given. */
  retryAfterSeconds?: number;
  /** Only calls to this conversation consume the fault (default: any conversation). */
  conversationId?: string;
  /** Only calls to these routes consume the fault (default: the message routes). */
  routes?: readonly ConnectorRoute[];
}

/** A conversation member as the members routes return it. */
export interface FakeMember {
  /** Teams user id (MRI): `29:…` for people, `28:…` for bots. */
  id: string;
  name?: string;
  /** Entra object id; the REST payload calls it `objectId`. */
  aadObjectId?: string;
  userRole?: 'user' | 'anonymous' | 'bot';
  givenName?: string;
  surname?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export interface FakeConnectorOptions {
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** Rate-limit windows per conversation; default {@link TEAMS_THREAD_LIMITS}. `[]` disables. */
  limits?: readonly RateWindow[];
  /** When set, calls whose bearer token is missing or rejected get 401 like the real service. */
  acceptBearer?: (token: string | undefined) => boolean;
  /** First message id handed out; default 1_700_000_000_000 (ids increase by one). */
  firstMessageId?: number;
}

export interface StoredActivity {
  id: string;
  conversationId: string;
  /** The latest body (after updates). */
  activity: Record<string, unknown>;
  /** How many times it was updated. */
  updates: number;
}

export interface FakeConnector {
  /** Base URL to use as `serviceUrl`, e.g. `http://127.0.0.1:43123/` (trailing slash like Teams). */
  readonly url: string;
  readonly calls: RecordedCall[];
  /** Calls for one conversation (all routes). */
  callsFor(conversationId: string): RecordedCall[];
  /** Current state of an activity we accepted (after updates), if any. */
  activity(conversationId: string, activityId: string): StoredActivity | undefined;
  /** Activities accepted in a conversation, in order of creation. */
  activitiesIn(conversationId: string): StoredActivity[];
  /** Adds a member to a conversation (what the members routes list), in order. */
  addMember(conversationId: string, member: FakeMember): void;
  /** The next `count` matching calls fail with the given fault instead of being processed. */
  failNext(count: number, fault: Fault): void;
  /** Forget calls, activities, rate-limit history and pending faults (members stay). */
  reset(): void;
  close(): Promise<void>;
}

interface PendingFault extends Fault {
  remaining: number;
}

const ERROR_CODES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export async function startFakeConnector(
  options: FakeConnectorOptions = {},
): Promise<FakeConnector> {
  const now = options.now ?? Date.now;
  const limits = options.limits ?? TEAMS_THREAD_LIMITS;
  let nextId = options.firstMessageId ?? 1_700_000_000_000;
  let nextConversation = 1;

  const calls: RecordedCall[] = [];
  const activities = new Map<string, Map<string, StoredActivity>>();
  /** Accepted operation times per conversation, oldest first. */
  const history = new Map<string, number[]>();
  const faults: PendingFault[] = [];
  /** Registered members per conversation, in order. */
  const members = new Map<string, FakeMember[]>();

  function store(conversationId: string, id: string, activity: Record<string, unknown>): void {
    let byId = activities.get(conversationId);
    if (!byId) {
      byId = new Map();
      activities.set(conversationId, byId);
    }
    byId.set(id, { id, conversationId, activity: { ...activity, id }, updates: 0 });
  }

  /** Seconds until the conversation may send again, or 0 when it may send now. */
  function throttle(conversationId: string, at: number): number {
    const times = history.get(conversationId) ?? [];
    const longest = Math.max(0, ...limits.map((l) => l.windowMs));
    while (times.length > 0 && (times[0] ?? 0) <= at - longest) times.shift();
    let waitMs = 0;
    for (const { windowMs, max } of limits) {
      const inWindow = times.filter((t) => t > at - windowMs);
      if (inWindow.length >= max) {
        // The call may go once enough old calls have left the window.
        const freeing = inWindow[inWindow.length - max] ?? at;
        waitMs = Math.max(waitMs, freeing + windowMs - at);
      }
    }
    return waitMs > 0 ? Math.max(1, Math.ceil(waitMs / 1000)) : 0;
  }

  function admit(conversationId: string, at: number): void {
    const times = history.get(conversationId) ?? [];
    times.push(at);
    history.set(conversationId, times);
  }

  function takeFault(
    conversationId: string | undefined,
    route: ConnectorRoute,
  ): PendingFault | undefined {
    const index = faults.findIndex(
      (f) =>
        (f.conversationId === undefined || f.conversationId === conversationId) &&
        (f.routes ? f.routes.includes(route) : MESSAGE_ROUTES.has(route)),
    );
    if (index < 0) return undefined;
    const fault = faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.splice(index, 1);
    return fault;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = now();
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const authorization = req.headers.authorization;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const { route, conversationId, activityId, userId } = parseRoute(method, path);
    const call: RecordedCall = {
      method,
      path,
      route,
      ...(conversationId !== undefined ? { conversationId } : {}),
      ...(activityId !== undefined ? { activityId } : {}),
      ...(userId !== undefined ? { userId } : {}),
      body,
      hasAuth: authorization !== undefined,
      ...(bearer !== undefined ? { bearer } : {}),
      at,
      status: 0,
    };
    calls.push(call);

    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const error = (status: number, message: string, headers: Record<string, string> = {}) =>
      answer(status, { error: { code: ERROR_CODES[status] ?? 'Error', message } }, headers);

    if (route === 'unknown') {
      error(404, `No route for ${method} ${path}`);
      return;
    }
    if (options.acceptBearer && !options.acceptBearer(bearer)) {
      // Real wording of the Bot Connector's 401.
      answer(401, { message: 'Authorization has been denied for this request.' });
      return;
    }
    const fault = takeFault(conversationId, route);
    if (fault) {
      const headers: Record<string, string> = {};
      if (fault.retryAfterSeconds !== undefined) {
        headers['retry-after'] = String(fault.retryAfterSeconds);
        call.retryAfter = fault.retryAfterSeconds;
      }
      error(fault.status, `Injected fault ${fault.status}`, headers);
      return;
    }
    if (
      conversationId !== undefined &&
      MESSAGE_ROUTES.has(route) &&
      route !== 'createConversation'
    ) {
      const wait = throttle(conversationId, at);
      if (wait > 0) {
        call.retryAfter = wait;
        error(429, 'Too many requests in this conversation.', { 'retry-after': String(wait) });
        return;
      }
    }

    const record = isObject(body) ? body : {};
    switch (route) {
      case 'createConversation': {
        // Teams answers with the new conversation id (1:1 ids start with "a:").
        const id = `a:fake-conversation-${nextConversation++}`;
        const response: Record<string, unknown> = { id };
        if (isObject(record.activity)) {
          const activity = String(nextId++);
          store(id, activity, record.activity);
          admit(id, at);
          response.activityId = activity;
        }
        call.returnedId = id;
        answer(201, response);
        return;
      }
      case 'send':
      case 'reply': {
        const id = String(nextId++);
        store(conversationId ?? '', id, record);
        admit(conversationId ?? '', at);
        call.returnedId = id;
        answer(201, { id });
        return;
      }
      case 'update': {
        const existing = activities.get(conversationId ?? '')?.get(activityId ?? '');
        if (!existing) {
          error(404, 'The activity does not exist.');
          return;
        }
        existing.activity = { ...record, id: existing.id };
        existing.updates += 1;
        admit(conversationId ?? '', at);
        call.returnedId = existing.id;
        answer(200, { id: existing.id });
        return;
      }
      case 'member': {
        const found = members
          .get(conversationId ?? '')
          ?.find((m) => m.id === userId || m.aadObjectId === userId);
        if (!found) {
          error(404, 'The member was not found in the conversation.');
          return;
        }
        answer(200, restMember(found));
        return;
      }
      case 'pagedMembers':
      case 'members': {
        const list = members.get(conversationId ?? '');
        if (!list) {
          error(404, 'The conversation does not exist or has no members the bot can see.');
          return;
        }
        if (route === 'members') {
          answer(200, list.map(restMember));
          return;
        }
        const query = new URLSearchParams(path.split('?')[1] ?? '');
        const requested = Number(query.get('pageSize') ?? DEFAULT_PAGE_SIZE);
        const pageSize = Math.min(500, Math.max(50, Number.isFinite(requested) ? requested : 50));
        const token = query.get('continuationToken');
        const offset = token === null ? 0 : readPageToken(token, conversationId ?? '');
        if (offset === undefined) {
          error(400, 'Invalid continuation token.');
          return;
        }
        const page = list.slice(offset, offset + pageSize);
        const next = offset + page.length;
        answer(200, {
          members: page.map(restMember),
          ...(next < list.length
            ? { continuationToken: pageToken(conversationId ?? '', next) }
            : {}),
        });
        return;
      }
      case 'delete': {
        activities.get(conversationId ?? '')?.delete(activityId ?? '');
        admit(conversationId ?? '', at);
        answer(200, undefined);
        return;
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'FakeConnectorBug', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    callsFor: (conversationId) => calls.filter((c) => c.conversationId === conversationId),
    activity: (conversationId, activityId) => activities.get(conversationId)?.get(activityId),
    activitiesIn: (conversationId) => [...(activities.get(conversationId)?.values() ?? [])],
    addMember(conversationId, member) {
      const list = members.get(conversationId) ?? [];
      list.push(member);
      members.set(conversationId, list);
    },
    failNext(count, fault) {
      if (count > 0) faults.push({ ...fault, remaining: count });
    },
    reset() {
      calls.length = 0;
      activities.clear();
      history.clear();
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A clock for deterministic rate-limit tests. */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = 1_700_000_000_000): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

function parseRoute(
  method: string,
  rawPath: string,
): { route: ConnectorRoute; conversationId?: string; activityId?: string; userId?: string } {
  const path = rawPath.split('?')[0] ?? '';
  if (path === '/v3/conversations' || path === '/v3/conversations/') {
    return { route: method === 'POST' ? 'createConversation' : 'unknown' };
  }
  const listed = /^\/v3\/conversations\/(.+?)\/(pagedmembers|members)\/?$/.exec(path);
  if (listed?.[1] && method === 'GET') {
    const route: ConnectorRoute = listed[2] === 'pagedmembers' ? 'pagedMembers' : 'members';
    return { route, conversationId: safeDecode(listed[1]) };
  }
  // One member: the SDK puts the user id (Teams id or Entra object id) in the path as given.
  const one = /^\/v3\/conversations\/(.+?)\/members\/([^/]+)\/?$/.exec(path);
  if (one?.[1] && one[2] && method === 'GET') {
    return {
      route: 'member',
      conversationId: safeDecode(one[1]),
      userId: safeDecode(one[2]),
    };
  }
  // Teams conversation ids contain ':', '@' and ';' and the SDK does not encode
  // them; activity ids in replies are URI-encoded. Decode both.
  const match = /^\/v3\/conversations\/(.+?)\/activities(?:\/([^/]+))?\/?$/.exec(path);
  if (!match?.[1]) return { route: 'unknown' };
  const conversationId = safeDecode(match[1]);
  const activityId = match[2] === undefined ? undefined : safeDecode(match[2]);
  if (activityId === undefined) {
    return method === 'POST' ? { route: 'send', conversationId } : { route: 'unknown' };
  }
  const route: ConnectorRoute =
    method === 'POST'
      ? 'reply'
      : method === 'PUT'
        ? 'update'
        : method === 'DELETE'
          ? 'delete'
          : 'unknown';
  return { route, conversationId, activityId };
}

/** `pagedmembers` without `pageSize`: the real default is not documented (assumed). */
const DEFAULT_PAGE_SIZE = 200;

/** A member in the REST API's field names (the Entra object id is `objectId`). */
function restMember(member: FakeMember): Record<string, unknown> {
  const { aadObjectId, ...rest } = member;
  return { ...rest, ...(aadObjectId !== undefined ? { objectId: aadObjectId } : {}) };
}

/** An opaque continuation token: where the next page starts, bound to the conversation. */
function pageToken(conversationId: string, offset: number): string {
  return Buffer.from(JSON.stringify({ c: conversationId, o: offset })).toString('base64url');
}

function readPageToken(token: string, conversationId: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      c?: unknown;
      o?: unknown;
    };
    if (parsed.c !== conversationId || typeof parsed.o !== 'number' || parsed.o < 0)
      return undefined;
    return parsed.o;
  } catch {
    return undefined;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
