import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { type Logger, silentLogger } from '../../src/app/logger.ts';
import { routeOutput } from '../../src/app/output-router.ts';
import type { RoundDefaults } from '../../src/app/round-service.ts';
import { ExportLinks } from '../../src/app/signed-links.ts';
import type {
  ApiError,
  CreateRoundResponse,
  RoundStateResponse,
} from '../../src/channels/web/api-types.ts';
import { createWebChannel, type WebChannel } from '../../src/channels/web/index.ts';
import type { RateLimitSpec } from '../../src/channels/web/limits.ts';
import { cardBox } from '../../src/core/model.ts';
import { createHttpApp, listen, type RunningServer } from '../../src/http/server.ts';

export const DEFAULTS: RoundDefaults = {
  deckId: 'baeredygtigt-arbejdsmiljoe',
  lang: 'da',
  mode: 'sync',
  timeZone: 'Europe/Copenhagen',
  k: 3,
  maxPriorities: 3,
  reminderDaysBefore: 7,
  reminderHour: 9,
  stepMinutes: { status: 60, rating: 120, custom: 90, priority: 45 },
};

/** DIALOGRUNDE_SECRET of the server (voter keys, export links). */
export const SECRET = 'web-channel-test-secret-0123456789-abcdefgh';

/** The real server in this process: web channel, SQLite in a temp dir, express, a port. */
export interface Running {
  url: string;
  web: WebChannel;
  app: EmbeddedApp;
  server: RunningServer;
  clock: ManualClock;
  /** Signs export links (`/x/…`) on the harness's clock and secret. */
  exportLinks: ExportLinks;
  /** Ballots in a card's open box (what the store holds, not what the API says). */
  ballots(roundId: string, cardId: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startServer(
  options: { rateLimits?: Partial<RateLimitSpec>; coalesceMs?: number; logger?: Logger } = {},
): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-web-'));
  const clock = new ManualClock();
  const decks = DeckCatalog.load();
  // Default silent; the log redaction test passes one that records every line.
  const { logger = silentLogger(), ...channelOptions } = options;
  const secret = SECRET;
  const exportLinks = new ExportLinks(secret, { clock });
  // The manual clock never refills a bucket: tests that create many rounds need room.
  const rateLimits = { create: { capacity: 1000, windowMs: 60_000 }, ...options.rateLimits };
  const web = createWebChannel({
    logger,
    clock,
    decks,
    defaults: DEFAULTS,
    ...channelOptions,
    rateLimits,
    exportLinks,
  });
  const app = await createEmbeddedApp({
    sqlitePath: join(dir, 'dialogrunde.db'),
    secret,
    clock,
    output: routeOutput({ web: web.output }, logger),
    decks,
    defaults: DEFAULTS,
    logger,
  });
  web.attach(app.service);
  const http = createHttpApp({ logger, ready: () => app.store.ping() }, (e) => web.mount(e));
  const server = await listen(http, 0, '127.0.0.1');
  web.setPublicUrl(server.url);
  let stopped = false;
  return {
    url: server.url,
    web,
    app,
    server,
    clock,
    exportLinks,
    ballots: async (roundId, cardId) =>
      (await app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0,
    async stop() {
      if (stopped) return;
      stopped = true;
      web.close();
      await server.close(1000);
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** One simulated person: keeps their own cookie, like a browser would. */
export class Browser {
  readonly base: string;
  cookie: string | undefined;
  /** Sent as the facilitator header on every request, when set. */
  secret: string | undefined;

  constructor(base: string) {
    this.base = base;
  }

  async send<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.secret) h['x-facilitator-secret'] = this.secret;
    let payload: string | undefined;
    if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const setCookie = res.headers.get('set-cookie');
    const pid = setCookie?.match(/dr_pid=([^;]+)/)?.[1];
    if (pid) this.cookie = `dr_pid=${pid}`;
    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('json');
    return {
      status: res.status,
      headers: res.headers,
      body: (isJson ? JSON.parse(text) : text) as T,
    };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>) {
    return this.send<T>('GET', path, undefined, headers);
  }

  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.send<T>('POST', path, body, headers);
  }

  state(roundId: string) {
    return this.get<RoundStateResponse>(`/api/rounds/${roundId}/state`);
  }
}

export type ErrorReply = Reply<ApiError>;

/** Creates a round; returns its id and a facilitator browser holding the secret. */
export async function createRound(
  base: string,
  body: Record<string, unknown> = {},
): Promise<{ roundId: string; facilitator: Browser; created: CreateRoundResponse }> {
  const facilitator = new Browser(base);
  const reply = await facilitator.post<CreateRoundResponse>('/api/rounds', body);
  if (reply.status !== 201) throw new Error(`create failed: ${JSON.stringify(reply.body)}`);
  const created = reply.body;
  facilitator.secret = created.facilitatorUrl.split('#')[1];
  return { roundId: created.roundId, facilitator, created };
}

/** A facilitator command that must succeed. */
export async function command(fac: Browser, roundId: string, body: Record<string, unknown>) {
  const reply = await fac.post(`/api/rounds/${roundId}/command`, body);
  if (reply.status >= 300) {
    throw new Error(`${String(body.type)} refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return reply;
}

/** Participants who joined the round. */
export async function joinAll(base: string, roundId: string, n: number): Promise<Browser[]> {
  const people: Browser[] = [];
  for (let i = 0; i < n; i++) {
    const b = new Browser(base);
    const reply = await b.post(`/api/rounds/${roundId}/join`);
    if (reply.status !== 200) throw new Error(`join failed: ${reply.status}`);
    people.push(b);
  }
  return people;
}
