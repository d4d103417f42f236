/**
 * The bot as production runs it: `node src/main.ts` in a child process
 * (web channel; SQLite or Redis store), bound to 127.0.0.1 on a free port,
 * plus a small HTTP client for its web API. For the footprint benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, get, type IncomingMessage, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const MAIN = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Bot {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Spawn → /readyz answered 200, in ms. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Starts `node src/main.ts` with `env` (over a clean base) and waits for /readyz (bounded). */
export async function startBot(env: Record<string, string>, timeoutMs = 30_000): Promise<Bot> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DIALOGRUNDE_SECRET: 'footprint-bench-secret-0123456789-abcdef-0123',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the bot exited (${child.exitCode}): ${stderr.join('').slice(0, 500)}`);
    }
    if (performance.now() - started > timeoutMs) {
      await stop();
      throw new Error(`the bot was not ready within ${timeoutMs} ms`);
    }
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(500) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return {
    child,
    pid: child.pid ?? 0,
    url,
    readyMs: performance.now() - started,
    stop,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** JSON over HTTP; throws on a status other than 2xx. */
export function api(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          ...(payload !== undefined && {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
          }),
          ...options.headers,
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new Error(`${method} ${path} → ${status}: ${text.slice(0, 200)}`));
            return;
          }
          resolve(text ? JSON.parse(text) : undefined);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A participant cookie value of the kind the web channel issues (22 URL-safe characters). */
export const participantCookie = () => `dr_pid=${randomBytes(16).toString('base64url')}`;

/** Opens a Server-Sent Events stream (own socket) and keeps it open; resolves once headers came. */
export function openStream(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = get(`${base}${path}`, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`stream ${path} → ${res.statusCode}`));
        res.resume();
        return;
      }
      res.resume();
      resolve(res);
    });
    req.on('error', reject);
  });
}

export interface RoundHandle {
  roundId: string;
  secret: string;
  ip: string;
}

/** One round in rating with its first card open and 3 votes, as browsers make it. */
export async function activeRound(base: string, n: number): Promise<RoundHandle> {
  const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  const from = { 'x-forwarded-for': ip };
  const created = (await api(base, 'POST', '/api/rounds', { body: {}, headers: from })) as {
    roundId: string;
    facilitatorUrl: string;
  };
  const { roundId } = created;
  const secret = created.facilitatorUrl.slice(created.facilitatorUrl.indexOf('#') + 1);
  const facilitator = { ...from, 'x-facilitator-secret': secret };
  const people = [participantCookie(), participantCookie(), participantCookie()];
  for (const cookie of people) {
    await api(base, 'POST', `/api/rounds/${roundId}/join`, { headers: { ...from, cookie } });
  }
  const command = (body: unknown) =>
    api(base, 'POST', `/api/rounds/${roundId}/command`, { body, headers: facilitator });
  for (const step of ['intro', 'scope', 'status']) await command({ type: 'next', from: step });
  await command({ type: 'openNextCard', from: '' });
  const state = (await api(base, 'GET', `/api/rounds/${roundId}/state`, {
    headers: facilitator,
  })) as { step: string; cards: { kind: string; cardId?: string }[] };
  const open = state.cards.find((c) => c.kind === 'cardVote')?.cardId;
  if (state.step !== 'rating' || !open) throw new Error(`round ${roundId} is not rating a card`);
  for (const [i, cookie] of people.entries()) {
    await api(base, 'POST', `/api/rounds/${roundId}/vote`, {
      body: { cardId: open, value: 1 + ((n + i) % 5) },
      headers: { ...from, cookie },
    });
  }
  return { roundId, secret, ip };
}
