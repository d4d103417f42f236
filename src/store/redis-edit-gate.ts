import { randomUUID } from 'node:crypto';
import type { EditGate } from '../app/outbox/edit-gate.ts';
import { GATE_ENTRY_TTL_MS } from '../app/outbox/edit-gate.ts';
import type { MessageRevision } from '../core/ports.ts';
import { StoreError } from './errors.ts';
import { connectRedis, LuaScript, type RedisClient } from './redis-client.ts';

/**
 * Compare-and-max of a message's newest revision. KEYS[1]: hash {v, p, o}
 * (version, progress, owner). ARGV: version, progress, owner, ttl ms, and
 * 1 to record (offer) or 0 to only compare (isNewest). Returns 1 when the
 * given revision is newer than the recorded one, or equal and recorded by
 * the same owner (or nothing is recorded); else 0.
 */
const REVISION_SCRIPT = `
local v = tonumber(ARGV[1])
local p = tonumber(ARGV[2])
local cur = redis.call('HMGET', KEYS[1], 'v', 'p', 'o')
local newest = 1
if cur[1] then
  local cv = tonumber(cur[1])
  local cp = tonumber(cur[2])
  if v < cv or (v == cv and (p < cp or (p == cp and cur[3] ~= ARGV[3]))) then newest = 0 end
end
if ARGV[5] == '1' then
  if newest == 1 then redis.call('HSET', KEYS[1], 'v', ARGV[1], 'p', ARGV[2], 'o', ARGV[3]) end
  if newest == 1 or cur[1] then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
end
return newest
`;

/** SET NX PX lease; KEYS[1] lease, ARGV owner, ms. 0 when taken, else the ms left (≥ 1). */
const LEASE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return 1 end
return left
`;

/** Deletes KEYS[1] only when it holds ARGV[1] (our own claim). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const scripts = {
  revision: new LuaScript(REVISION_SCRIPT),
  lease: new LuaScript(LEASE_SCRIPT),
  release: new LuaScript(RELEASE_SCRIPT),
};

export interface RedisEditGateOptions {
  /** Hears of every Redis failure; the gate then answers as if alone (fail open). */
  onError?: (error: StoreError, operation: keyof EditGate) => void;
}

/**
 * The EditGate on Redis, shared by all instances using the same `prefix`.
 * Keys: `<prefix>gate:<messageKey>:rev` (hash, expires 10 min after the last
 * offer), `:lease` (PX the interval) and `:post` (PX the claim's ttl).
 *
 * When Redis fails, the gate fails open (newest: yes, lease: free, claim:
 * won): the message goes out as from a single instance rather than not at
 * all; the store on the same Redis is failing then too.
 */
export class RedisEditGate implements EditGate {
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #onError: NonNullable<RedisEditGateOptions['onError']>;
  /** Whether `close` closes the connection (opened by `openRedisEditGate`). */
  readonly #owned: boolean;
  /** This instance, as owner of revisions, leases and claims. */
  readonly instanceId = randomUUID();

  constructor(
    client: RedisClient,
    prefix: string,
    options: RedisEditGateOptions & { owned?: boolean } = {},
  ) {
    this.#client = client;
    this.#prefix = prefix;
    this.#onError = options.onError ?? (() => {});
    this.#owned = options.owned ?? false;
  }

  /** Closes the gate's own connection (openRedisEditGate); a shared one is left open. */
  async close(): Promise<void> {
    if (!this.#owned || !this.#client.isOpen) return;
    try {
      await this.#client.close();
    } catch {
      this.#client.destroy();
    }
  }

  offer(messageKey: string, revision: MessageRevision): Promise<boolean> {
    return this.#revision('offer', messageKey, revision, true);
  }

  isNewest(messageKey: string, revision: MessageRevision): Promise<boolean> {
    return this.#revision('isNewest', messageKey, revision, false);
  }

  acquire(messageKey: string, intervalMs: number): Promise<number> {
    if (!(intervalMs >= 1)) return Promise.resolve(0); // PX needs ≥ 1; no interval, no lease
    const run = async () => {
      const left = await scripts.lease.run(
        this.#client,
        [this.#key(messageKey, 'lease')],
        [this.instanceId, Math.ceil(intervalMs)],
      );
      return Number(left);
    };
    return this.#failOpen('acquire', run, 0);
  }

  claimPost(messageKey: string, ttlMs: number): Promise<boolean> {
    const run = async () => {
      const key = this.#key(messageKey, 'post');
      const px = Math.max(1, Math.ceil(ttlMs));
      return (
        (await this.#client.set(key, this.instanceId, {
          condition: 'NX',
          expiration: { type: 'PX', value: px },
        })) === 'OK'
      );
    };
    return this.#failOpen('claimPost', run, true);
  }

  releasePost(messageKey: string): Promise<void> {
    const run = async () => {
      await scripts.release.run(this.#client, [this.#key(messageKey, 'post')], [this.instanceId]);
    };
    return this.#failOpen('releasePost', run, undefined);
  }

  #revision(
    operation: 'offer' | 'isNewest',
    messageKey: string,
    revision: MessageRevision,
    record: boolean,
  ): Promise<boolean> {
    const run = async () => {
      const newest = await scripts.revision.run(
        this.#client,
        [this.#key(messageKey, 'rev')],
        [revision.version, revision.progress, this.instanceId, GATE_ENTRY_TTL_MS, record ? 1 : 0],
      );
      return Number(newest) === 1;
    };
    return this.#failOpen(operation, run, true);
  }

  #key(messageKey: string, part: 'rev' | 'lease' | 'post'): string {
    return `${this.#prefix}gate:${messageKey}:${part}`;
  }

  async #failOpen<R>(operation: keyof EditGate, run: () => Promise<R>, fallback: R): Promise<R> {
    try {
      return await run();
    } catch (cause) {
      this.#onError(new StoreError(`redis edit gate: ${operation} failed`, { cause }), operation);
      return fallback;
    }
  }
}

/**
 * The edit gate of one instance on an open connection (e.g. the store's,
 * `RedisRoundStore.client`) and the deployment's key prefix. `close()` leaves
 * the connection open.
 */
export function createRedisEditGate(
  client: RedisClient,
  prefix: string,
  options: RedisEditGateOptions = {},
): RedisEditGate {
  return new RedisEditGate(client, prefix, options);
}

/**
 * The edit gate of one instance on a connection of its own (fails fast, like
 * the store's, with a StoreError when Redis is unreachable). `close()` closes it.
 */
export async function openRedisEditGate(
  options: RedisEditGateOptions & { url: string; prefix: string; connectTimeoutMs?: number },
): Promise<RedisEditGate> {
  const client = await connectRedis(options);
  return new RedisEditGate(client, options.prefix, { ...options, owned: true });
}
