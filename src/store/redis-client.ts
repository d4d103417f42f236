import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { StoreError } from './errors.ts';

function buildClient(url: string, connectTimeoutMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    // No per-command timer: every store call already runs under `guarded`'s
    // 2 s limit, and node-redis's default (an AbortSignal.timeout of 5 s per
    // command) cost ~3 % of the CPU of a vote in profiles.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
  });
}

export type RedisClient = ReturnType<typeof buildClient>;

export interface RedisConnectOptions {
  url: string;
  /** Milliseconds to wait for a connection before failing. Default 2000. */
  connectTimeoutMs?: number;
}

/**
 * Connects a node-redis client that fails fast instead of buffering: while
 * Redis is unreachable, commands reject at once (no offline queue) and the
 * client keeps reconnecting in the background.
 */
export async function connectRedis(options: RedisConnectOptions): Promise<RedisClient> {
  const timeout = options.connectTimeoutMs ?? 2000;
  const client = buildClient(options.url, timeout);
  // Without a listener node-redis would crash the process on a socket error;
  // failures surface as rejected commands (StoreError) instead.
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), timeout);
  } catch (cause) {
    client.destroy();
    throw new StoreError(`redis: cannot connect to ${redactUrl(options.url)}`, { cause });
  }
  return client;
}

/** Rejects when `promise` has not settled within `ms` ms (the operation may still finish later). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}

/** A Lua script run by its SHA, loaded on first use (or after a SCRIPT FLUSH / failover). */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    const options = { keys, arguments: args.map(String) };
    try {
      return await client.evalSha(this.#sha, options);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(this.#source, options);
      }
      throw error;
    }
  }
}

/**
 * How long one store operation may take before it fails, in ms. A Redis that
 * is down fails at once (no offline queue); this bounds one that hangs, so a
 * vote is answered within 2 s either way.
 */
export const OPERATION_TIMEOUT_MS = 2000;

/**
 * How long an occasional maintenance operation may take, in ms: deleting,
 * purging or forgetting walks keys with SCAN, which grows with the keyspace.
 */
export const MAINTENANCE_TIMEOUT_MS = 60_000;

/**
 * Runs `fn` for at most `timeoutMs` (default OPERATION_TIMEOUT_MS); any
 * failure that is not already a StoreError becomes one, with the cause kept.
 */
export async function guarded<T>(
  what: string,
  fn: () => Promise<T>,
  timeoutMs = OPERATION_TIMEOUT_MS,
): Promise<T> {
  try {
    return await withTimeout(fn(), timeoutMs);
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(`redis store: ${what} failed`, { cause });
  }
}

/** `text` inside a SCAN MATCH pattern: its glob characters match literally. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Every key matching `pattern`, by SCAN (never KEYS, which blocks Redis). */
export async function scanAll(client: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
    found.push(...keys.map(String));
  }
  return found;
}
