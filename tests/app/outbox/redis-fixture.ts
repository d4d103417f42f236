import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { beforeAll, describe, it } from 'vitest';
import { connectRedis, type RedisClient } from '../../../src/store/redis-client.ts';

/**
 * Redis for the scale-out suites: each suite gets its own key prefix and
 * deletes its keys afterwards. Without a reachable Redis a suite fails on CI
 * and is skipped (loudly) elsewhere, as in tests/store/redis-store.test.ts.
 */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisReachable(): Promise<boolean> {
  const probe = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: 1000, reconnectStrategy: false },
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    await probe.close();
    return true;
  } catch {
    probe.destroy();
    return false;
  }
}

/**
 * Registers `body` as describe(`name`) when Redis answers; else a failing
 * suite on CI, or a loud skip.
 */
export function describeWithRedis(name: string, up: boolean, body: () => void): void {
  if (up) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(
          `Redis is not reachable at ${REDIS_URL}, but CI is set: '${name}' must run on CI. Start redis-server (or set REDIS_URL).`,
        );
      });
      it('needs a reachable Redis', () => undefined);
    });
  } else {
    console.warn(
      `\n!!! Redis is not reachable at ${REDIS_URL}: '${name}' is SKIPPED. Start redis-server to run it. !!!\n`,
    );
    describe.skip(`${name} (Redis not reachable)`, () => {
      it('runs against Redis', () => undefined);
    });
  }
}

/** A unique prefix (`dialogrunde-test:<uuid>:`) on a fresh connection, and its cleanup. */
export async function redisPrefix(): Promise<{
  client: RedisClient;
  prefix: string;
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}> {
  const client = await connectRedis({ url: REDIS_URL });
  const prefix = `dialogrunde-test:${randomUUID()}:`;
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      found.push(...batch.map(String));
    }
    return found;
  };
  return {
    client,
    prefix,
    keys,
    async cleanup() {
      const found = await keys();
      if (found.length > 0) await client.del(found);
      await client.close();
    },
  };
}

/** Resolves once `check` is true; polls every few ms, fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
