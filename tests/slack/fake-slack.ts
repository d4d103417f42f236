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
 *   `users.info` (`user_not_found`; `profile.display_name`/`real_name`, which
 *   may be '' as in Slack; `deleted`, `is_bot`), `auth.test`.
 * - `views.open` with Slack's trigger rules: a trigger_id is valid for 3 s
 *   after the interaction that carried it, and once. The harness registers the
 *   trigger ids it puts in payloads (`issueTrigger`); an unknown one gets
 *   `invalid_trigger_id`, one older than 3 s `expired_trigger_id`, a second
 *   use `exchanged_trigger_id`. The view is checked against the modal limits
 *   (`modalProblems`: title/submit/close 24, 100 blocks, labels 2000, text
 *   inputs' max_length 3000, placeholders 150, options 100 per menu, option
 *   text 75 and value 150, 10 radio buttons, unique block ids, initial options
 *   among the options) and refused with `invalid_arguments` as Slack does. An
 *   opened view gets an `id` and a `hash` (`openedViews`), for the harness to
 *   build the view_submission Slack would send.
 * - Direct messages: `conversations.open` with `users` answers the same DM
 *   channel `D<user>` every time; messages posted there are kept like any
 *   other (`directMessagesTo(user)`). `chat.getPermalink` for a stored message.
 * - Files, as `files.uploadV2` of the WebClient does them:
 *   `files.getUploadURLExternal` (`filename`, `length`) answers a file id and
 *   an upload URL on this fake (`/upload/<file id>`, no token needed, as at
 *   Slack); the bytes POSTed there (multipart, field `body`, or raw) are kept;
 *   `files.completeUploadExternal` (`files` JSON, `channel_id`) shares the
 *   uploaded files into the channel (`filesIn(channel)`). Completing a file
 *   that was never uploaded is `file_not_found`.
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
 * Mode, file limits and file messages, message threads, the 40,000-character
 * text limit. Time comes
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
  /** users.info answers for these ids; any other `U…`/`W…` id is a plain member. */
  users?: Record<string, FakeUser>;
}

/** A file shared with files.completeUploadExternal. */
export interface SharedFile {
  id: string;
  channel: string;
  filename: string;
  title?: string;
  altText?: string;
  bytes: Buffer;
  /** Clock time of the completion. */
  at: number;
}

export interface FakeUser {
  realName?: string;
  displayName?: string;
  deleted?: boolean;
  isBot?: boolean;
}

/** How long a trigger_id may be exchanged for a modal (Slack: 3 seconds). */
export const TRIGGER_TTL_MS = 3000;

/** A modal opened with views.open, as Slack keeps it (id, hash). */
export interface OpenedView {
  id: string;
  hash: string;
  triggerId: string;
  view: Record<string, unknown>;
}

const MODAL = {
  title: 24,
  blocks: 100,
  label: 2000,
  maxLength: 3000,
  placeholder: 150,
  options: 100,
  optionText: 75,
  optionValue: 150,
  radio: 10,
  metadata: 3000,
  callbackId: 255,
};

type Json = Record<string, unknown>;
const textOf = (value: unknown) => String((value as { text?: unknown } | undefined)?.text ?? '');

/** Why Slack would refuse this modal view (views.open, or a response_action: 'update'); [] if fine. */
export function modalProblems(view: unknown): string[] {
  const v = (view ?? {}) as Json;
  const found: string[] = [];
  if (v.type !== 'modal') found.push('type must be modal');
  for (const key of ['title', 'submit', 'close']) {
    const text = textOf(v[key]);
    if (key === 'title' && text === '') found.push('title missing');
    if (text.length > MODAL.title) found.push(`${key} over ${MODAL.title}: ${text}`);
  }
  if (String(v.private_metadata ?? '').length > MODAL.metadata) found.push('private_metadata');
  if (String(v.callback_id ?? '').length > MODAL.callbackId) found.push('callback_id');
  const blocks = (Array.isArray(v.blocks) ? v.blocks : []) as Json[];
  if (blocks.length > MODAL.blocks) found.push(`${blocks.length} blocks`);
  const ids = new Set<string>();
  let inputs = 0;
  for (const block of blocks) {
    if (typeof block.block_id === 'string') {
      if (ids.has(block.block_id)) found.push(`duplicate block_id ${block.block_id}`);
      ids.add(block.block_id);
    }
    if (block.type === 'section' && textOf(block.text).length > 3000) found.push('section text');
    if (block.type !== 'input') continue;
    inputs += 1;
    const label = textOf(block.label);
    if (label === '' || label.length > MODAL.label) found.push(`label ${label.length}`);
    if (textOf(block.hint).length > MODAL.label) found.push('hint');
    found.push(...elementProblems((block.element ?? {}) as Json));
  }
  if (inputs > 0 && v.submit === undefined) found.push('inputs without submit');
  return found;
}

function elementProblems(e: Json): string[] {
  const found: string[] = [];
  if (typeof e.action_id !== 'string' || e.action_id === '') found.push('action_id missing');
  if (textOf(e.placeholder).length > MODAL.placeholder) found.push('placeholder');
  if (e.type === 'plain_text_input' && Number(e.max_length ?? 0) > MODAL.maxLength) {
    found.push('max_length');
  }
  const groups = (Array.isArray(e.option_groups) ? e.option_groups : []) as Json[];
  const lists = [
    ...(Array.isArray(e.options) ? [e.options as Json[]] : []),
    ...groups.map((g) => (Array.isArray(g.options) ? g.options : []) as Json[]),
  ];
  if (groups.length > MODAL.options) found.push(`${groups.length} option groups`);
  for (const g of groups) if (textOf(g.label).length > MODAL.optionText) found.push('group label');
  const limit = e.type === 'radio_buttons' ? MODAL.radio : MODAL.options;
  const values = new Set<string>();
  for (const options of lists) {
    if (options.length > limit) found.push(`${options.length} options`);
    for (const o of options) {
      if (textOf(o.text).length > MODAL.optionText) found.push(`option text ${textOf(o.text)}`);
      if (String(o.value ?? '').length > MODAL.optionValue) found.push('option value');
      values.add(String(o.value));
    }
  }
  const initial = [
    ...(Array.isArray(e.initial_options) ? (e.initial_options as Json[]) : []),
    ...(e.initial_option ? [e.initial_option as Json] : []),
  ];
  for (const o of initial) {
    if (!values.has(String(o.value))) found.push(`initial option ${String(o.value)} not offered`);
  }
  const max = Number(e.max_selected_items ?? Number.POSITIVE_INFINITY);
  if (Array.isArray(e.initial_options) && e.initial_options.length > max) {
    found.push('more initial options than max_selected_items');
  }
  return found;
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

/** A further workspace's bot token (an OAuth install): what auth.test tells about it. */
export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  enterpriseId?: string;
  botUserId: string;
  botId: string;
}

/** A request as an extension sees it (`fake-slack-apps.ts`). */
export interface FakeRequest {
  /** The Web API method (`/api/<method>`), or '' for other paths. */
  method: string;
  path: string;
  query: URLSearchParams;
  args: Record<string, unknown>;
  token: string | undefined;
  /** The token is the configured bot token or a further workspace's. */
  known: boolean;
  at: number;
}

/** An extension's answer: JSON (`ok`…) or a plain response (a redirect). */
export interface FakeAnswer {
  status: number;
  json?: Record<string, unknown>;
  text?: string;
  headers?: Record<string, string>;
}

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** Bot tokens of further workspaces (OAuth installs): token → workspace. */
  readonly workspaces = new Map<string, FakeWorkspace>();
  /** Answers a request first when it returns something (`fake-slack-apps.ts`). */
  extension?: (request: FakeRequest) => FakeAnswer | undefined;
  readonly responses: RecordedResponse[] = [];
  readonly #messages = new Map<string, StoredMessage>();
  readonly #accepted = new Map<string, number[]>();
  readonly #faults: { method: string; status: number; retryAfter?: number }[] = [];
  /** Files by id: announced with getUploadURLExternal, bytes after the upload. */
  readonly #uploads = new Map<
    string,
    { filename: string; length: number; altText?: string; bytes?: Buffer }
  >();
  readonly #shared: SharedFile[] = [];
  readonly #triggers = new Map<string, { at: number; used: boolean }>();
  readonly openedViews: OpenedView[] = [];
  #failResponses = 0;
  readonly #o: Required<Omit<FakeSlackOptions, 'enterpriseId'>> & { enterpriseId?: string };
  #viewSeq = 0;
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
      users: options.users ?? {},
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

  /** The DM channel conversations.open gives for a user. */
  dmChannelOf(user: string): string {
    return `D${user}`;
  }

  /** Messages the bot posted into its DM with `user`. */
  directMessagesTo(user: string): StoredMessage[] {
    return this.messagesIn(this.dmChannelOf(user));
  }

  /** Users the bot has posted at least one direct message to, sorted. */
  directRecipients(): string[] {
    const users = [...this.#messages.values()]
      .filter((m) => m.channel.startsWith('D'))
      .map((m) => m.channel.slice(1));
    return [...new Set(users)].sort();
  }

  /** Files shared into a channel, in order. */
  filesIn(channel: string): SharedFile[] {
    return this.#shared.filter((f) => f.channel === channel);
  }

  /** A trigger_id Slack put in an interaction now: exchangeable once, for 3 s (views.open). */
  issueTrigger(id: string): void {
    // Slack issues each id once: the same payload delivered again keeps its trigger's age.
    if (!this.#triggers.has(id)) this.#triggers.set(id, { at: this.#o.now(), used: false });
  }

  /** The modal opened with this trigger_id, if any. */
  viewOpenedWith(triggerId: string): OpenedView | undefined {
    return this.openedViews.find((v) => v.triggerId === triggerId);
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
    if (path.startsWith('/upload/')) return this.#upload(req, res, path.slice('/upload/'.length));
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
    // Further workspaces' tokens, OAuth, Socket Mode and views.publish: `fake-slack-apps.ts`.
    const known = token === this.#o.token || this.workspaces.has(token ?? '');
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const extra = this.extension?.({ method, path, query, args, token, known, at });
    if (extra?.json) return send(extra.status, extra.json, extra.headers);
    if (extra) {
      call.status = extra.status;
      res.writeHead(extra.status, extra.headers).end(extra.text ?? '');
      return;
    }
    if (!known) return send(200, { ok: false, error: 'invalid_auth' });
    const throttle = this.#throttle(method, args, at);
    if (throttle !== undefined) {
      call.retryAfter = throttle;
      send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(throttle) });
      return;
    }
    send(200, this.#answer(method, args, at));
  }

  /** The upload URL: the file's bytes, as multipart form data (field `body`) or raw. */
  async #upload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const file = this.#uploads.get(decodeURIComponent(id));
    if (!file) {
      res.writeHead(404).end('unknown upload');
      return;
    }
    const type = String(req.headers['content-type'] ?? '');
    let bytes = raw;
    if (type.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
      const part = form.get('body') ?? form.get('file');
      if (!(part instanceof Blob)) {
        res.writeHead(400).end('no file part');
        return;
      }
      bytes = Buffer.from(await part.arrayBuffer());
    }
    file.bytes = bytes;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
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

  #openView(args: Record<string, unknown>, at: number): Record<string, unknown> {
    const id = args.trigger_id;
    const trigger = typeof id === 'string' ? this.#triggers.get(id) : undefined;
    if (typeof id !== 'string' || !trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.used) return { ok: false, error: 'exchanged_trigger_id' };
    if (at - trigger.at > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    const problems = modalProblems(args.view);
    if (problems.length > 0) {
      return { ok: false, error: 'invalid_arguments', response_metadata: { messages: problems } };
    }
    trigger.used = true;
    this.#viewSeq += 1;
    const opened: OpenedView = {
      id: `V0VIEW${this.#viewSeq}`,
      hash: `${Math.floor(at / 1000)}.${String(this.#viewSeq).padStart(8, '0')}`,
      triggerId: id,
      view: args.view as Json,
    };
    this.openedViews.push(opened);
    return {
      ok: true,
      view: {
        ...(args.view as Json),
        id: opened.id,
        hash: opened.hash,
        team_id: this.#o.teamId,
        state: { values: {} },
      },
    };
  }

  /** Shares uploaded files into `channel_id`; a file without its bytes is `file_not_found`. */
  #complete(args: Record<string, unknown>, at: number): Record<string, unknown> {
    const files = Array.isArray(args.files)
      ? (args.files as { id?: unknown; title?: unknown }[])
      : [];
    const target = typeof args.channel_id === 'string' ? args.channel_id : '';
    if (files.length === 0) return { ok: false, error: 'invalid_arguments' };
    const found = files.map((f) => ({ f, upload: this.#uploads.get(String(f.id)) }));
    if (found.some((x) => x.upload?.bytes === undefined))
      return { ok: false, error: 'file_not_found' };
    for (const { f, upload } of found) {
      if (!upload?.bytes || !target) continue;
      this.#shared.push({
        id: String(f.id),
        channel: target,
        filename: upload.filename,
        ...(typeof f.title === 'string' && { title: f.title }),
        ...(upload.altText !== undefined && { altText: upload.altText }),
        bytes: upload.bytes,
        at,
      });
    }
    return {
      ok: true,
      files: found.map(({ f, upload }) => ({ id: f.id, name: upload?.filename, title: f.title })),
    };
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
        const known = this.#o.users[user] ?? {};
        const realName = known.realName ?? user.toLowerCase();
        return {
          ok: true,
          user: {
            id: user,
            team_id: this.#o.teamId,
            name: user.toLowerCase(),
            real_name: realName,
            deleted: known.deleted ?? false,
            is_bot: known.isBot ?? user === this.#o.botUserId,
            tz: 'Europe/Copenhagen',
            profile: { real_name: realName, display_name: known.displayName ?? '' },
            ...(args.include_locale ? { locale: 'da-DK' } : {}),
          },
        };
      }
      case 'conversations.open': {
        const users = typeof args.users === 'string' ? args.users.split(',') : [];
        const [user] = users;
        if (users.length !== 1 || !user || !/^[UW]/.test(user)) {
          return { ok: false, error: 'user_not_found' };
        }
        return { ok: true, channel: { id: this.dmChannelOf(user) } };
      }
      case 'chat.getPermalink': {
        const ts = String(args.message_ts ?? '');
        if (!this.#messages.has(`${channel}/${ts}`))
          return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel,
          permalink: `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}`,
        };
      }
      case 'files.getUploadURLExternal': {
        const filename = typeof args.filename === 'string' ? args.filename : '';
        const length = Number(args.length);
        if (!filename || !Number.isInteger(length) || length < 1) {
          return { ok: false, error: 'invalid_arguments' };
        }
        this.#seq += 1;
        const id = `F${String(this.#seq).padStart(8, '0')}`;
        this.#uploads.set(id, {
          filename,
          length,
          ...(typeof args.alt_text === 'string' && { altText: args.alt_text }),
        });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return this.#complete(args, at);
      case 'views.open':
        return this.#openView(args, at);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  return new FakeSlack(options).listen();
}
