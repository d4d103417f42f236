/**
 * A local stand-in for Slack's Web API (`https://slack.com/api/<method>`) and
 * for the `response_url`s Slack puts in slash commands and interactions. The
 * real `@slack/web-api` WebClient talks to it unchanged when created with
 * `slackApiUrl: fake.apiUrl`; Bolt's `respond()` posts to `fake.responseUrl(…)`.
 *
 * What it reproduces:
 * - The request format: `POST /api/<method>`, form-encoded (objects such as
 *   `blocks` JSON-encoded inside the form, as the WebClient sends them) or
 *   JSON, the token as `Authorization: Bearer …` (or a `token` field). Every
 *   method answers HTTP 200 with `{ ok: true, … }` or `{ ok: false, error }`;
 *   a token other than the configured bot token gets `invalid_auth`.
 * - `chat.postMessage` (returns a new `ts`), `chat.update` (`message_not_found`
 *   for an unknown ts), `chat.postEphemeral`, `conversations.members` (paged:
 *   `limit`, `cursor`, `response_metadata.next_cursor`, '' on the last page),
 *   `users.info`, `views.open` (needs a `trigger_id`), `auth.test`.
 * - Block Kit validation of the limits we rely on: more than 50 blocks, a
 *   section text over 3000 characters, a header over 150, a button label over
 *   75, an actions block over 25 elements or a button value over 2000 is
 *   refused with `invalid_blocks`, as Slack does.
 * - Rate limits, answered with HTTP 429, `Retry-After: <seconds>` and
 *   `{ ok: false, error: 'ratelimited' }`:
 *   - chat.postMessage per channel: Slack allows "about one message per
 *     second per channel, with short bursts above that". We allow bursts of
 *     3 in any second and 10 in any 10 s (so ~1/s sustained).
 *   - chat.update per workspace: Tier 3, "50+ per minute". We allow 50 in any
 *     60 s (the low end, so the test fails if we lean on Slack's slack).
 *   Retry-After is computed from when the oldest call in the violated window
 *   leaves it, rounded up to whole seconds (Slack sends integer seconds).
 *   Only accepted calls count; a throttled call does not extend the wait.
 * - Faults on demand (`failNext`): 429 with a given Retry-After, or 5xx; and
 *   response_urls answering 500 (`failResponses`).
 *
 * Not reproduced: other methods (answered `unknown_method`), OAuth, Socket
 * Mode, files, message threads, the 40,000-character text limit. Time comes
 * from `now` (default Date.now) so rate-limit tests can run on a ManualScheduler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token (or `token` field) the call carried. */
  token?: string;
  /** Clock time (ms) when the call arrived. */
  at: number;
  status: number;
  /** `error` of an `ok: false` answer. */
  error?: string;
  /** `Retry-After` we sent, in seconds. */
  retryAfter?: number;
}

export interface RecordedResponse {
  /** The id in the response_url path. */
  id: string;
  body: Record<string, unknown>;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  /** Successful chat.update calls. */
  updates: number;
}

export interface FakeSlackOptions {
  now?: () => number;
  /** The only token accepted. */
  token?: string;
  teamId?: string;
  enterpriseId?: string;
  botUserId?: string;
  /** Channel members for conversations.members. */
  members?: Record<string, string[]>;
}

interface Window {
  ms: number;
  max: number;
}

export const POST_LIMITS: readonly Window[] = [
  { ms: 1000, max: 3 },
  { ms: 10_000, max: 10 },
];
export const UPDATE_LIMITS: readonly Window[] = [{ ms: 60_000, max: 50 }];

const LIMITS = { blocks: 50, section: 3000, header: 150, button: 75, actions: 25, value: 2000 };

function invalidBlocks(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks is not an array';
  if (blocks.length > LIMITS.blocks) return `${blocks.length} blocks`;
  for (const block of blocks as Record<string, unknown>[]) {
    const text = (block.text as { text?: string } | undefined)?.text ?? '';
    if (block.type === 'section' && text.length > LIMITS.section) return 'section text too long';
    if (block.type === 'header' && text.length > LIMITS.header) return 'header too long';
    if (block.type === 'actions') {
      const elements = (block.elements ?? []) as { text?: { text?: string }; value?: string }[];
      if (elements.length > LIMITS.actions) return `${elements.length} elements`;
      for (const e of elements) {
        if ((e.text?.text ?? '').length > LIMITS.button) return 'button text too long';
        if ((e.value ?? '').length > LIMITS.value) return 'button value too long';
      }
    }
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The WebClient form-encodes arguments and JSON-encodes the objects among them. */
function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return raw ? JSON.parse(raw) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON after all: keep the text
      }
    }
    args[key] = value;
  }
  return args;
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  readonly #messages = new Map<string, StoredMessage>();
  readonly #accepted = new Map<string, number[]>();
  readonly #faults: { method: string; status: number; retryAfter?: number }[] = [];
  #failResponses = 0;
  readonly #o: Required<Omit<FakeSlackOptions, 'enterpriseId'>> & { enterpriseId?: string };
  #seq = 0;
  #server = createServer((req, res) => {
    this.#handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  url = '';

  constructor(options: FakeSlackOptions = {}) {
    this.#o = {
      now: options.now ?? Date.now,
      token: options.token ?? 'xoxb-test-token',
      teamId: options.teamId ?? 'T0TEAM',
      botUserId: options.botUserId ?? 'U0BOT',
      members: options.members ?? {},
      ...(options.enterpriseId && { enterpriseId: options.enterpriseId }),
    };
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url for one interaction (`id` names it in `responses`). */
  responseUrl(id: string): string {
    return `${this.url}/respond/${encodeURIComponent(id)}`;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(id: string): RecordedResponse[] {
    return this.responses.filter((r) => r.id === id);
  }

  messagesIn(channel: string): StoredMessage[] {
    return [...this.#messages.values()].filter((m) => m.channel === channel);
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.#messages.get(`${channel}/${ts}`);
  }

  /** The next `count` calls of `method` fail with `status` (429: with Retry-After seconds). */
  failNext(method: string, count: number, fault: { status: number; retryAfter?: number }): void {
    for (let i = 0; i < count; i++) this.#faults.push({ method, ...fault });
  }

  /** The next `count` posts to a response_url get HTTP 500 (and are recorded as failed, not as responses). */
  failResponses(count: number): void {
    this.#failResponses += count;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const raw = await readBody(req);
    const at = this.#o.now();
    if (path.startsWith('/respond/')) {
      const id = decodeURIComponent(path.slice('/respond/'.length));
      if (this.#failResponses > 0) {
        this.#failResponses -= 1;
        res.writeHead(500).end();
        return;
      }
      this.responses.push({ id, body: raw ? JSON.parse(raw) : {}, at });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const method = path.startsWith('/api/') ? path.slice('/api/'.length) : '';
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const call: RecordedCall = { method, args, at, status: 200, ...(token && { token }) };
    this.calls.push(call);

    const send = (status: number, body: Record<string, unknown>, headers = {}) => {
      call.status = status;
      if (body.ok === false) call.error = String(body.error);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = this.#faults.findIndex((f) => f.method === method);
    if (fault >= 0) {
      const [f] = this.#faults.splice(fault, 1);
      if (f?.status === 429) {
        call.retryAfter = f.retryAfter ?? 1;
        send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(call.retryAfter) });
      } else send(f?.status ?? 500, { ok: false, error: 'fatal_error' });
      return;
    }
    if (token !== this.#o.token) return send(200, { ok: false, error: 'invalid_auth' });
    const throttle = this.#throttle(method, args, at);
    if (throttle !== undefined) {
      call.retryAfter = throttle;
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(throttle) });
      return;
    }
    send(200, this.#answer(method, args, at));
  }

  /** Retry-After in seconds when the call is over a limit; else records it and returns undefined. */
  #throttle(method: string, args: Record<string, unknown>, at: number): number | undefined {
    const rule =
      method === 'chat.postMessage'
        ? { bucket: `post/${String(args.channel)}`, windows: POST_LIMITS }
        : method === 'chat.update'
          ? { bucket: `update/${this.#o.teamId}`, windows: UPDATE_LIMITS }
          : undefined;
    if (!rule) return undefined;
    const stamps = this.#accepted.get(rule.bucket) ?? [];
    let waitMs = 0;
    for (const w of rule.windows) {
      const inWindow = stamps.filter((s) => s > at - w.ms);
      if (inWindow.length >= w.max) {
        const oldest = inWindow[inWindow.length - w.max] ?? at;
        waitMs = Math.max(waitMs, oldest + w.ms - at);
      }
    }
    if (waitMs > 0) return Math.max(1, Math.ceil(waitMs / 1000));
    stamps.push(at);
    this.#accepted.set(rule.bucket, stamps);
    return undefined;
  }

  #answer(method: string, args: Record<string, unknown>, at: number): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'Fake workspace',
          user: 'dialogrunde',
          team_id: this.#o.teamId,
          user_id: this.#o.botUserId,
          bot_id: 'B0BOT',
          ...(this.#o.enterpriseId && { enterprise_id: this.#o.enterpriseId }),
        };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const invalid = invalidBlocks(args.blocks);
        if (invalid) return { ok: false, error: 'invalid_blocks', detail: invalid };
        this.#seq += 1;
        const ts = `${Math.floor(at / 1000)}.${String(this.#seq).padStart(6, '0')}`;
        const stored: StoredMessage = {
          channel,
          ts,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          updates: 0,
        };
        this.#messages.set(`${channel}/${ts}`, stored);
        return { ok: true, channel, ts, message: { text: stored.text, ts } };
      }
      case 'chat.update': {
        const stored = this.#messages.get(`${channel}/${String(args.ts)}`);
        if (!stored) return { ok: false, error: 'message_not_found' };
        const invalid = invalidBlocks(args.blocks);
        if (invalid) return { ok: false, error: 'invalid_blocks', detail: invalid };
        stored.text = String(args.text ?? '');
        stored.blocks = (args.blocks as unknown[]) ?? [];
        stored.updates += 1;
        return { ok: true, channel, ts: stored.ts, text: stored.text };
      }
      case 'chat.postEphemeral': {
        if (!channel || typeof args.user !== 'string')
          return { ok: false, error: 'user_not_in_channel' };
        const invalid = invalidBlocks(args.blocks);
        if (invalid) return { ok: false, error: 'invalid_blocks', detail: invalid };
        this.#seq += 1;
        return {
          ok: true,
          message_ts: `${Math.floor(at / 1000)}.${String(this.#seq).padStart(6, '0')}`,
        };
      }
      case 'conversations.members': {
        const all = this.#o.members[channel];
        if (!all) return { ok: false, error: 'channel_not_found' };
        const limit = Math.max(1, Math.min(1000, Number(args.limit ?? 100) || 100));
        const offset = args.cursor
          ? Number(Buffer.from(String(args.cursor), 'base64').toString())
          : 0;
        const next =
          offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
        return {
          ok: true,
          members: all.slice(offset, offset + limit),
          response_metadata: { next_cursor: next },
        };
      }
      case 'users.info': {
        const user = typeof args.user === 'string' ? args.user : '';
        if (!/^[UW]/.test(user)) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: user,
            team_id: this.#o.teamId,
            name: user.toLowerCase(),
            is_bot: user === this.#o.botUserId,
            tz: 'Europe/Copenhagen',
            ...(args.include_locale ? { locale: 'da-DK' } : {}),
          },
        };
      }
      case 'views.open':
        if (typeof args.trigger_id !== 'string') return { ok: false, error: 'invalid_trigger_id' };
        this.#seq += 1;
        return { ok: true, view: Object.assign({}, args.view, { id: `V${this.#seq}` }) };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).listen();
}
