/**
 * Local identity provider for inbound Bot Framework tokens.
 *
 * Generates an RSA key pair at test time, serves the same documents the real
 * identity endpoints serve, and signs tokens shaped like the ones Azure Bot
 * Service attaches to every activity it forwards from Teams:
 *
 *   header  { alg: 'RS256', typ: 'JWT', kid, x5t }
 *   payload { serviceurl, nbf, exp, iss: 'https://api.botframework.com', aud: <bot app id> }
 *
 * Endpoints (all on 127.0.0.1):
 *   GET /v1/.well-known/openidconfiguration       Bot Framework OpenID metadata
 *   GET /v1/.well-known/keys                      Bot Framework JWKS (keys carry `endorsements`)
 *   GET /:tenant/v2.0/.well-known/openid-configuration   Entra ID (v2) metadata
 *   GET /:tenant/discovery/v2.0/keys              Entra ID JWKS
 *
 * How the SDK finds these keys, and the seam we use (see README in
 * src/channels/teams): `authorizeJWT` in @microsoft/agents-hosting 1.8.1 does
 * not read OpenID metadata at all. It picks a JWKS URL from the token's `iss`:
 * `https://api.botframework.com` → the hard-coded
 * `https://login.botframework.com/v1/.well-known/keys`; any other issuer →
 * `${authorityEndpoint}/${tenantId}/discovery/v2.0/keys` (default authority
 * `https://login.microsoftonline.com`). Only the second is configurable. For the
 * first, {@link AuthFixture.interceptMicrosoftKeyHosts} swaps Node's
 * `https.globalAgent` (which `jwks-rsa` uses for its key download) for an agent
 * that connects `login.botframework.com` and `login.microsoftonline.com` to
 * this fixture and refuses every other HTTPS host, so the SDK's real
 * validation code runs unchanged with production configuration and a test can
 * never reach the internet through it.
 */
import {
  createHash,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import { Agent, createServer, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, Socket } from 'node:net';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Hosts whose HTTPS traffic {@link AuthFixture.interceptMicrosoftKeyHosts} serves locally. */
export const MICROSOFT_KEY_HOSTS = ['login.botframework.com', 'login.microsoftonline.com'] as const;

export interface TokenOptions {
  /** Default: the fixture's app id. */
  audience?: string | string[];
  /** Default: `https://api.botframework.com`. */
  issuer?: string;
  /** The `serviceurl` claim; Teams sets it to the activity's serviceUrl. Omitted when undefined. */
  serviceUrl?: string;
  /** Lifetime from now in seconds (default 3600). Negative makes an expired token. */
  expiresInSeconds?: number;
  /** `nbf` relative to now in seconds (default -300). */
  notBeforeSeconds?: number;
  /** Extra or overriding claims (e.g. `tid`). */
  claims?: Record<string, unknown>;
  /** Sign with a key the JWKS does not contain (header still names the fixture's kid). */
  foreignKey?: boolean;
  /** Override the header's kid. */
  kid?: string;
}

export interface AuthFixture {
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  readonly appId: string;
  /** A GUID, like a real Entra tenant id. */
  readonly tenantId: string;
  readonly kid: string;
  /** Paths requested from the fixture, in order (proves where the SDK fetched keys). */
  readonly requests: string[];
  /** HTTPS hosts something tried to reach while intercepted (should stay empty). */
  readonly blockedHosts: string[];
  /** Entra v2 issuer of this fixture's tenant on the real authority host. */
  readonly entraIssuer: string;
  token(options?: TokenOptions): string;
  /** `exp` 10 minutes ago: beyond the SDK's 300 s clock tolerance. */
  expiredToken(options?: TokenOptions): string;
  /** `nbf` 10 minutes ahead: beyond the SDK's 300 s clock tolerance. */
  notYetValidToken(options?: TokenOptions): string;
  wrongAudienceToken(options?: TokenOptions): string;
  /** Signed by the right key but issued by someone else. */
  wrongIssuerToken(options?: TokenOptions): string;
  /** Same kid, different private key: the signature does not verify. */
  wrongKeyToken(options?: TokenOptions): string;
  /**
   * Route HTTPS requests that use Node's default agent: Microsoft key hosts go
   * to this fixture (over plain HTTP on 127.0.0.1), any other host fails.
   * Returns the function that restores the previous agent.
   */
  interceptMicrosoftKeyHosts(): () => void;
  close(): Promise<void>;
}

export interface AuthFixtureOptions {
  appId?: string;
  tenantId?: string;
  /** Clock in ms for iat/nbf/exp; default `Date.now`. The SDK verifies against the real clock. */
  now?: () => number;
  /** Channels listed in the key's `endorsements` (real Bot Framework keys carry them). */
  endorsements?: string[];
}

export async function startAuthFixture(options: AuthFixtureOptions = {}): Promise<AuthFixture> {
  const appId = options.appId ?? randomUUID();
  const tenantId = options.tenantId ?? randomUUID();
  const now = options.now ?? Date.now;
  const endorsements = options.endorsements ?? ['msteams', 'webchat', 'emulator'];

  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = signing.publicKey.export({ format: 'jwk' }) as JsonWebKey;
  const der = signing.publicKey.export({ format: 'der', type: 'spki' });
  // Real keys carry x5t (SHA-1 thumbprint of the certificate); a thumbprint of
  // the SPKI is good enough as an opaque id here.
  const x5t = createHash('sha1').update(der).digest('base64url');
  const kid = x5t;
  const jwks = {
    keys: [
      {
        kty: 'RSA',
        use: 'sig',
        alg: 'RS256',
        kid,
        x5t,
        n: publicJwk.n,
        e: publicJwk.e,
        endorsements,
      },
    ],
  };

  const requests: string[] = [];
  const blockedHosts: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    if (path === '/v1/.well-known/openidconfiguration') {
      // Shape of https://login.botframework.com/v1/.well-known/openidconfiguration
      return json(200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${host}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/v1/.well-known/keys') return json(200, jwks);
    const entra =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(path);
    if (entra?.[1] === tenantId) {
      if (entra[2] === 'discovery/v2.0/keys') return json(200, jwks);
      return json(200, {
        issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
        jwks_uri: `${host}/${tenantId}/discovery/v2.0/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    return json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function token(opts: TokenOptions = {}): string {
    const seconds = Math.floor(now() / 1000);
    const payload: Record<string, unknown> = {
      ...(opts.serviceUrl !== undefined ? { serviceurl: opts.serviceUrl } : {}),
      nbf: seconds + (opts.notBeforeSeconds ?? -300),
      exp: seconds + (opts.expiresInSeconds ?? 3600),
      iss: opts.issuer ?? BOT_FRAMEWORK_ISSUER,
      aud: opts.audience ?? appId,
      ...opts.claims,
    };
    const header = { alg: 'RS256', typ: 'JWT', kid: opts.kid ?? kid, x5t };
    const key: KeyObject = opts.foreignKey ? foreign.privateKey : signing.privateKey;
    return signJwt(header, payload, key);
  }

  return {
    url,
    appId,
    tenantId,
    kid,
    requests,
    blockedHosts,
    entraIssuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
    token,
    expiredToken: (o) => token({ ...o, expiresInSeconds: -600, notBeforeSeconds: -4200 }),
    notYetValidToken: (o) => token({ ...o, notBeforeSeconds: 600 }),
    wrongAudienceToken: (o) => token({ ...o, audience: randomUUID() }),
    wrongIssuerToken: (o) => token({ ...o, issuer: 'https://sts.example.invalid/evil/' }),
    wrongKeyToken: (o) => token({ ...o, foreignKey: true }),
    interceptMicrosoftKeyHosts: () => interceptHttps(port, blockedHosts),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function signJwt(header: object, payload: object, key: KeyObject): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), key).toString('base64url');
  return `${input}.${signature}`;
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * An http.Agent that claims the `https:` protocol so `https.request` accepts
 * it, and opens plain TCP connections to the fixture for the Microsoft key
 * hosts. Any other host gets a socket that fails immediately.
 */
class LoopbackHttpsAgent extends Agent {
  readonly fixturePort: number;
  readonly blocked: string[];
  constructor(fixturePort: number, blocked: string[]) {
    super({ keepAlive: false });
    this.fixturePort = fixturePort;
    this.blocked = blocked;
    Object.assign(this, { protocol: 'https:', defaultPort: 443 });
  }
  override createConnection(options: { host?: string | null }): Socket {
    const host = (options.host ?? '').toLowerCase();
    if ((MICROSOFT_KEY_HOSTS as readonly string[]).includes(host)) {
      return connect(this.fixturePort, '127.0.0.1');
    }
    this.blocked.push(host);
    const socket = new Socket();
    process.nextTick(() =>
      socket.destroy(new Error(`Network access to https://${host} is disabled in tests`)),
    );
    return socket;
  }
}

function interceptHttps(fixturePort: number, blocked: string[]): () => void {
  const previous = https.globalAgent;
  // https.request reads `https.globalAgent` at call time; jwks-rsa passes no agent.
  Reflect.set(https, 'globalAgent', new LoopbackHttpsAgent(fixturePort, blocked));
  return () => {
    const current = Reflect.get(https, 'globalAgent');
    if (current instanceof LoopbackHttpsAgent) current.destroy();
    Reflect.set(https, 'globalAgent', previous);
  };
}
