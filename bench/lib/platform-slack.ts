/**
 * Slack for the vote benchmarks (`bench/vote-slack.ts`, `bench/floor-bolt.ts`):
 *
 * - {@link startLeanSlack}: a lean local stand-in for Slack's Web API
 *   (`POST /api/<method>`, what the bot calls: auth.test, chat.postMessage,
 *   chat.update, chat.postEphemeral, conversations.members, users.info, …)
 *   and for interaction `response_url`s (`POST /respond/<id>`). It answers at
 *   once with `{ ok: true, … }`, no rate limits and no Block Kit checks (the
 *   tests' `tests/slack/fake-slack.ts` does those), so that during a load
 *   phase it costs the shared CPU as little as possible. It keeps the
 *   messages posted per channel (the bench reads the card's vote buttons from
 *   them) and the bodies of response_urls whose id starts with `keep-` (the
 *   facilitator's controls during setup); the others are only counted.
 * - Request signing exactly as Slack does it (v0, HMAC-SHA256 over
 *   `v0:<timestamp>:<raw body>`), and builders for slash-command and
 *   `block_actions` bodies shaped like the tests' `tests/slack/harness.ts`.
 *
 * Everything listens on 127.0.0.1 only.
 */

import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './local-server.ts';

export const SLACK_TEAM = 'T0BENCH';
export const SLACK_FACILITATOR = 'U0FACIL';
export const SLACK_BOT_USER = 'U0BOT';
export const FORM = 'application/x-www-form-urlencoded';

export interface SlackMessage {
  channel: string;
  ts: string;
  blocks: unknown[];
  updates: number;
}

export interface LeanSlack {
  /** e.g. http://127.0.0.1:40123/api/ (SLACK_API_URL). */
  apiUrl: string;
  /** A response_url for this id; ids starting with `keep-` keep their bodies. */
  responseUrl(id: string): string;
  /** Bodies posted to a `keep-` response_url, in order. */
  responsesTo(id: string): Record<string, unknown>[];
  /** Messages posted to a channel (chat.postMessage, edited by chat.update). */
  messagesIn(channel: string): SlackMessage[];
  /** Web API calls by method, response_url posts as `response_url`. */
  readonly counts: Record<string, number>;
  /** Resets `counts` (e.g. at the start of a measured phase). */
  resetCounts(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form (objects JSON-encoded inside, as the WebClient sends them) or JSON. */
function parseArgs(raw: string, contentType: string | undefined): Json {
  if (raw === '') return {};
  if (contentType?.includes('json')) return JSON.parse(raw) as Json;
  const args: Json = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    args[k] = (k === 'blocks' || k === 'attachments') && v.startsWith('[') ? JSON.parse(v) : v;
  }
  return args;
}

export async function startLeanSlack(options: { members?: string[] } = {}): Promise<LeanSlack> {
  const members = options.members ?? [SLACK_FACILITATOR];
  const messages = new Map<string, SlackMessage[]>();
  const kept = new Map<string, Json[]>();
  let counts: Record<string, number> = {};
  let seq = 0;
  const nextTs = () => {
    seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
  };

  const api = (method: string, args: Json): Json => {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://bench.slack.invalid/',
          team: 'Bench',
          user: 'dialogrunde',
          team_id: SLACK_TEAM,
          user_id: SLACK_BOT_USER,
          bot_id: 'B0BOT',
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        const list = messages.get(channel) ?? [];
        list.push({ channel, ts, blocks: (args.blocks as unknown[]) ?? [], updates: 0 });
        messages.set(channel, list);
        return { ok: true, channel, ts, message: { ts, text: args.text ?? '' } };
      }
      case 'chat.update': {
        const found = messages.get(channel)?.find((m) => m.ts === args.ts);
        if (found) {
          found.blocks = (args.blocks as unknown[]) ?? found.blocks;
          found.updates += 1;
        }
        return { ok: true, channel, ts: args.ts, text: args.text ?? '' };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.members':
        return { ok: true, members, response_metadata: { next_cursor: '' } };
      case 'users.info': {
        const user = String(args.user ?? '');
        return {
          ok: true,
          user: {
            id: user,
            name: user.toLowerCase(),
            real_name: user.toLowerCase(),
            deleted: false,
            is_bot: false,
            profile: { display_name: user.toLowerCase(), real_name: user.toLowerCase() },
          },
        };
      }
      case 'conversations.open': {
        const user = String(args.users ?? '').split(',')[0] ?? '';
        return { ok: true, channel: { id: `D${user}` } };
      }
      case 'chat.getPermalink':
        return { ok: true, permalink: `https://bench.slack.invalid/archives/${channel}` };
      default:
        return { ok: true };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const send = (status: number, body: Json) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (path.startsWith('/respond/')) {
      counts.response_url = (counts.response_url ?? 0) + 1;
      const id = decodeURIComponent(path.slice('/respond/'.length));
      if (id.startsWith('keep-')) {
        const list = kept.get(id) ?? [];
        list.push(JSON.parse(raw || '{}') as Json);
        kept.set(id, list);
      }
      return send(200, { ok: true });
    }
    if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      counts[method] = (counts[method] ?? 0) + 1;
      return send(200, api(method, parseArgs(raw, req.headers['content-type'])));
    }
    send(404, { ok: false, error: 'not_found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const { base, close } = await listenLocal(server);
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/respond/${encodeURIComponent(id)}`,
    responsesTo: (id) => kept.get(id) ?? [],
    messagesIn: (channel) => messages.get(channel) ?? [],
    get counts() {
      return counts;
    },
    resetCounts() {
      counts = {};
    },
    close,
  };
}

/** Slack's signature headers for a raw body (v0, HMAC-SHA256, the current time). */
export function slackSignature(body: string, secret: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const hmac = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${hmac}` };
}

/** A slash command's form body (`/dialogrunde <text>`), as Slack sends it. */
export function slashCommandBody(o: {
  channel: string;
  user: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: SLACK_TEAM,
    team_domain: 'bench',
    channel_id: o.channel,
    channel_name: 'bench',
    user_id: o.user,
    user_name: o.user.toLowerCase(),
    command: '/dialogrunde',
    text: o.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: o.responseUrl,
    trigger_id: o.triggerId,
  }).toString();
}

/** A `block_actions` payload (form field `payload`) for one pressed button. */
export function blockActionsBody(o: {
  channel: string;
  user: string;
  actionId: string;
  value: string;
  responseUrl: string;
  triggerId: string;
  /** Pressed on an ephemeral message (the facilitator's controls). */
  ephemeral?: boolean;
  messageTs?: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: o.user, username: o.user.toLowerCase(), team_id: SLACK_TEAM },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: {
      type: o.ephemeral ? 'ephemeral' : 'message',
      message_ts: o.messageTs ?? '1795424400.000001',
      channel_id: o.channel,
      is_ephemeral: o.ephemeral ?? false,
    },
    trigger_id: o.triggerId,
    team: { id: SLACK_TEAM, domain: 'bench' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: o.channel, name: 'bench' },
    response_url: o.responseUrl,
    actions: [
      {
        action_id: o.actionId,
        block_id: 'b',
        text: { type: 'plain_text', text: 'x' },
        value: o.value,
        type: 'button',
        action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface SlackButton {
  value: string;
  action_id: string;
}

/** Every button of a list of blocks. */
export function buttonsIn(blocks: unknown): SlackButton[] {
  return ((blocks ?? []) as { type: string; elements?: SlackButton[] }[])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => typeof e.value === 'string');
}

/** The button whose value has this command (and, if given, this value). */
export function findButton(blocks: unknown, command: string, value?: string): SlackButton {
  const found = buttonsIn(blocks).find((b) => {
    try {
      const data = JSON.parse(b.value) as { command?: string; value?: string };
      return data.command === command && (value === undefined || data.value === value);
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`no ${command} ${value ?? ''} button in ${JSON.stringify(blocks)}`);
  return found;
}

/** Polls `probe` every 20 ms until it returns a value (or throws after `ms`). */
export async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10_000) {
  const until = performance.now() + ms;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What a card shows once it is done changing: `read()` as soon as `done`
 * says so, or once it has not changed for `quietMs` (a saturated phase whose
 * timed-out requests never reach the card), or after `ms` at the latest.
 */
export async function settledValue(
  read: () => string,
  done: (value: string) => boolean,
  quietMs = 2500,
  ms = 8000,
): Promise<string> {
  const until = performance.now() + ms;
  let last = read();
  let since = performance.now();
  for (;;) {
    const now = read();
    if (done(now)) return now;
    if (now !== last) {
      last = now;
      since = performance.now();
    }
    if (performance.now() - since >= quietMs || performance.now() > until) return now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
