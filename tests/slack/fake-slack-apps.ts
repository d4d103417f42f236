/**
 * The parts of Slack around the Web API that an installable app meets,
 * plugged into `FakeSlack` (its `extension` hook):
 *
 * - OAuth v2: the consent page `GET /oauth/v2/authorize?client_id&scope&state
 *   [&redirect_uri]`, answered as if the person chose "Allow" for the
 *   workspace set with `installAs`: a 302 to the redirect URL (the one in the
 *   link, else the app's configured one) with a one-time `code` and the
 *   `state` unchanged. `oauth.v2.access` exchanges a code this fake issued
 *   (client id and secret checked; `invalid_code` for an unknown or used code,
 *   `bad_redirect_uri` when it differs from the link's) for a new bot token,
 *   which the fake then accepts, and `auth.test` answers for it.
 * - Socket Mode: `apps.connections.open` with the app-level token (`xapp-…`,
 *   as `Authorization: Bearer`) answers a `ws://127.0.0.1:<port>/link/?ticket=…`
 *   URL of a local WebSocket server (the `ws` package) that speaks Slack's
 *   protocol: `hello` on connect, envelopes `{ envelope_id, type, payload,
 *   accepts_response_payload }` sent by the test, acks `{ envelope_id,
 *   payload? }` recorded; pings are answered by `ws` itself.
 * - `views.publish` (App Home): `type: 'home'`, at most 100 blocks, section
 *   texts ≤ 3000 and headers ≤ 150 (`invalid_arguments` otherwise); published
 *   views are recorded per user.
 * - `revoke(token)`: Slack revokes a workspace's tokens on uninstall.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeAnswer, FakeRequest, FakeSlack, FakeWorkspace } from './fake-slack.ts';

export interface FakeAppOptions {
  clientId?: string;
  clientSecret?: string;
  appToken?: string;
  appId?: string;
}

export interface Installer {
  teamId: string;
  teamName?: string;
  enterpriseId?: string;
  /** An org-wide install (Enterprise Grid): no team in the answer. */
  orgWide?: boolean;
  /** Who clicked "Allow". */
  userId?: string;
}

export interface PublishedView {
  userId: string;
  token: string | undefined;
  view: { type?: string; blocks?: Record<string, unknown>[] };
}

interface IssuedCode {
  installer: Installer;
  redirectUri: string | undefined;
  scopes: string[];
  used: boolean;
}

export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive' | 'events_api';
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export const APP_TOKEN = 'xapp-1-A0APP-1-fakeapptoken';
export const CLIENT_ID = '1111.2222';
export const CLIENT_SECRET = 'fake-client-secret-0123456789';

const HOME_LIMITS = { blocks: 100, section: 3000, header: 150 };

function homeProblems(view: unknown): string[] {
  const v = (view ?? {}) as { type?: unknown; blocks?: unknown };
  const found: string[] = [];
  if (v.type !== 'home') found.push('type must be home');
  const blocks = Array.isArray(v.blocks) ? (v.blocks as Record<string, unknown>[]) : [];
  if (blocks.length > HOME_LIMITS.blocks) found.push(`${blocks.length} blocks`);
  for (const block of blocks) {
    const text = String((block.text as { text?: unknown } | undefined)?.text ?? '');
    if (block.type === 'section' && text.length > HOME_LIMITS.section) found.push('section text');
    if (block.type === 'header' && text.length > HOME_LIMITS.header) found.push('header');
  }
  return found;
}

export class FakeSlackApps {
  readonly published: PublishedView[] = [];
  /** Scopes asked for on each consent page, in order. */
  readonly consents: { scopes: string[]; redirectUri: string | undefined }[] = [];
  readonly acks: Ack[] = [];
  /** The app's configured redirect URL, used when a link names none. */
  redirectUrl = '';
  readonly #fake: FakeSlack;
  readonly #o: Required<FakeAppOptions>;
  readonly #codes = new Map<string, IssuedCode>();
  #installer: Installer | undefined;
  #seq = 0;
  readonly #http: Server = createServer((_req, res) => res.writeHead(404).end());
  readonly #wss = new WebSocketServer({ server: this.#http, path: '/link/' });
  readonly #sockets = new Set<WebSocket>();
  readonly #waiting = new Map<string, (ack: Ack) => void>();
  #connected: ((socket: WebSocket) => void)[] = [];
  #port = 0;

  constructor(fake: FakeSlack, options: FakeAppOptions = {}) {
    this.#fake = fake;
    this.#o = {
      clientId: options.clientId ?? CLIENT_ID,
      clientSecret: options.clientSecret ?? CLIENT_SECRET,
      appToken: options.appToken ?? APP_TOKEN,
      appId: options.appId ?? 'A0APP',
    };
    fake.extension = (request) => this.#handle(request);
    this.#wss.on('connection', (socket, request) => {
      const ticket = new URL(request.url ?? '/', 'http://x').searchParams.get('ticket');
      if (!ticket) {
        socket.close(4001, 'no ticket');
        return;
      }
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('message', (data) => {
        const ack = JSON.parse(String(data)) as Ack;
        this.acks.push(ack);
        this.#waiting.get(ack.envelope_id)?.(ack);
        this.#waiting.delete(ack.envelope_id);
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: this.#sockets.size,
          debug_info: { host: 'fake-socket', approximate_connection_time: 18060 },
          connection_info: { app_id: this.#o.appId },
        }),
      );
      const waiting = this.#connected;
      this.#connected = [];
      for (const resolve of waiting) resolve(socket);
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#http.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#http.address() as AddressInfo).port;
    return this;
  }

  /** The consent page's URL (the app's `authorizationUrl`). */
  get authorizeUrl(): string {
    return `${this.#fake.url}/oauth/v2/authorize`;
  }

  /** The workspace whose admin allows the next installation. */
  installAs(installer: Installer): void {
    this.#installer = installer;
  }

  /** Slack revokes a workspace's bot token (it uninstalled the app). */
  revoke(token: string): void {
    this.#fake.workspaces.delete(token);
  }

  /** The bot token issued last for a team (or organisation, for an org-wide install). */
  tokenOf(id: string): string | undefined {
    let found: string | undefined;
    for (const [token, w] of this.#fake.workspaces) {
      if (w.teamId === id || w.enterpriseId === id) found = token;
    }
    return found;
  }

  homeOf(userId: string): PublishedView | undefined {
    return this.published.filter((p) => p.userId === userId).at(-1);
  }

  /** Open WebSocket connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** Resolves with the next connection (or the current one, when there is one). */
  connection(): Promise<WebSocket> {
    const [open] = this.#sockets;
    if (open) return Promise.resolve(open);
    return new Promise((resolve) => this.#connected.push(resolve));
  }

  /** Sends an envelope on the open connection and resolves with its ack. */
  async deliver(envelope: Envelope, timeoutMs = 5000): Promise<Ack> {
    const socket = await this.connection();
    const acked = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack for ${envelope.envelope_id}`)),
        timeoutMs,
      );
      this.#waiting.set(envelope.envelope_id, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    socket.send(JSON.stringify(envelope));
    return acked;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #handle(r: FakeRequest): FakeAnswer | undefined {
    if (r.path === '/oauth/v2/authorize') return this.#consent(r.query);
    switch (r.method) {
      case 'oauth.v2.access':
        return { status: 200, json: this.#exchange(r.args) };
      case 'apps.connections.open':
        if (r.token !== this.#o.appToken) {
          return { status: 200, json: { ok: false, error: 'invalid_auth' } };
        }
        this.#seq += 1;
        return {
          status: 200,
          json: {
            ok: true,
            url: `ws://127.0.0.1:${this.#port}/link/?ticket=ticket-${this.#seq}&app_id=${this.#o.appId}`,
          },
        };
      case 'auth.test': {
        const workspace = r.token ? this.#fake.workspaces.get(r.token) : undefined;
        return workspace ? { status: 200, json: authTest(workspace) } : undefined;
      }
      case 'views.publish': {
        if (!r.known) return undefined; // invalid_auth
        const problems = homeProblems(r.args.view);
        if (problems.length > 0) {
          return {
            status: 200,
            json: {
              ok: false,
              error: 'invalid_arguments',
              response_metadata: { messages: problems },
            },
          };
        }
        const userId = String(r.args.user_id ?? '');
        if (!/^[UW]/.test(userId))
          return { status: 200, json: { ok: false, error: 'user_not_found' } };
        this.published.push({ userId, token: r.token, view: r.args.view as PublishedView['view'] });
        this.#seq += 1;
        return {
          status: 200,
          json: { ok: true, view: { ...(r.args.view as object), id: `V0HOME${this.#seq}` } },
        };
      }
      default:
        return undefined;
    }
  }

  #consent(query: URLSearchParams): FakeAnswer {
    const installer = this.#installer;
    if (query.get('client_id') !== this.#o.clientId)
      return { status: 400, text: 'invalid_client_id' };
    if (!installer) return { status: 400, text: 'nobody to allow the installation' };
    const redirectUri = query.get('redirect_uri') ?? undefined;
    const target = redirectUri ?? this.redirectUrl;
    if (!target) return { status: 400, text: 'bad_redirect_uri' };
    const scopes = (query.get('scope') ?? '').split(',').filter((s) => s !== '');
    this.consents.push({ scopes, redirectUri });
    this.#seq += 1;
    const code = `code-${this.#seq}`;
    this.#codes.set(code, { installer, redirectUri, scopes, used: false });
    const location = new URL(target);
    location.searchParams.set('code', code);
    location.searchParams.set('state', query.get('state') ?? '');
    return { status: 302, headers: { location: location.toString() } };
  }

  #exchange(args: Record<string, unknown>): Record<string, unknown> {
    if (args.client_id !== this.#o.clientId) return { ok: false, error: 'invalid_client_id' };
    if (args.client_secret !== this.#o.clientSecret)
      return { ok: false, error: 'bad_client_secret' };
    const issued = this.#codes.get(String(args.code ?? ''));
    if (!issued || issued.used) return { ok: false, error: 'invalid_code' };
    const redirect = typeof args.redirect_uri === 'string' ? args.redirect_uri : undefined;
    if (redirect !== issued.redirectUri) return { ok: false, error: 'bad_redirect_uri' };
    issued.used = true;
    const { installer } = issued;
    this.#seq += 1;
    const token = `xoxb-${installer.teamId}-${this.#seq}`;
    const workspace: FakeWorkspace = {
      teamId: installer.teamId,
      teamName: installer.teamName ?? `Workspace ${installer.teamId}`,
      ...(installer.enterpriseId && { enterpriseId: installer.enterpriseId }),
      botUserId: `U0BOT${installer.teamId}`,
      botId: `B0BOT${installer.teamId}`,
    };
    this.#fake.workspaces.set(token, workspace);
    const orgWide = installer.orgWide === true;
    return {
      ok: true,
      app_id: this.#o.appId,
      authed_user: { id: installer.userId ?? 'U0ADMIN' },
      scope: issued.scopes.join(','),
      token_type: 'bot',
      access_token: token,
      bot_user_id: workspace.botUserId,
      team: orgWide ? null : { id: workspace.teamId, name: workspace.teamName },
      enterprise: installer.enterpriseId ? { id: installer.enterpriseId, name: 'Fake org' } : null,
      is_enterprise_install: orgWide,
    };
  }
}

function authTest(w: FakeWorkspace): Record<string, unknown> {
  return {
    ok: true,
    url: `https://${w.teamId.toLowerCase()}.fake.slack.com/`,
    team: w.teamName,
    user: 'dialogrunde',
    team_id: w.teamId,
    user_id: w.botUserId,
    bot_id: w.botId,
    ...(w.enterpriseId && { enterprise_id: w.enterpriseId }),
  };
}

export async function startFakeApps(
  fake: FakeSlack,
  options: FakeAppOptions = {},
): Promise<FakeSlackApps> {
  return new FakeSlackApps(fake, options).listen();
}
