import { randomUUID } from 'node:crypto';
import { type ChangeBus, LocalChangeBus } from '../app/change-bus.ts';
import { StoreError } from './errors.ts';
import { connectRedis, type RedisClient } from './redis-client.ts';

export type RedisChangeBusOptions = {
  /** The key prefix of the deployment; the Pub/Sub channel is `<prefix>changes`. */
  prefix: string;
  /** Hears of a failed publish or a broken subscription (the bus keeps going). */
  onError?: (error: StoreError) => void;
  /**
   * Changes of one round are sent to the other instances at most once per
   * this many ms (the last one of a burst always goes). Default 100: a
   * meeting's 40 votes in a second are ~10 messages, not 80 (each vote
   * publishes twice: the answer and the progress update).
   */
  coalesceMs?: number;
} & (
  | {
      /** A connection to publish on (e.g. the store's `RedisRoundStore.client`); left open by `close`. */
      client: RedisClient;
    }
  | {
      /** Or a Redis URL: the bus opens (and on `close` closes) a connection of its own. */
      url: string;
      connectTimeoutMs?: number;
    }
);

/** What travels on the channel: who published (to skip our own echo) and which round. */
interface Wire {
  from: string;
  roundId: string;
}

function parse(message: string): Wire | undefined {
  try {
    const wire = JSON.parse(message) as Partial<Wire>;
    if (typeof wire.from !== 'string' || typeof wire.roundId !== 'string') return undefined;
    return { from: wire.from, roundId: wire.roundId };
  } catch {
    return undefined;
  }
}

/**
 * A ChangeBus over Redis Pub/Sub. A publish reaches this instance's
 * listeners at once and the other instances' through Redis, coalesced per
 * round over `coalesceMs` (our own echo is skipped). Subscribing needs a connection of its own: a duplicate of
 * `client`, which node-redis reconnects and resubscribes after a drop.
 * Pub/Sub is fire and forget: a change published while an instance is cut
 * off from Redis does not reach its streams (the next change, or the page's
 * reconnect, brings them up to date).
 */
export async function openRedisChangeBus(options: RedisChangeBusOptions): Promise<ChangeBus> {
  const { prefix } = options;
  const owned = !('client' in options);
  const client = 'client' in options ? options.client : await connectRedis(options);
  const onError = options.onError ?? (() => {});
  const channel = `${prefix}changes`;
  const me = randomUUID();
  const local = new LocalChangeBus();
  const subscriber = client.duplicate();
  // Without a listener node-redis would crash the process on a socket error.
  subscriber.on('error', (cause: unknown) => {
    onError(new StoreError('redis change bus: subscription connection failed', { cause }));
  });
  try {
    await subscriber.connect();
    await subscriber.subscribe(channel, (message) => {
      const wire = parse(message);
      if (wire && wire.from !== me) local.publish(wire.roundId);
    });
  } catch (cause) {
    subscriber.destroy();
    if (owned) client.destroy();
    throw new StoreError('redis change bus: cannot subscribe', { cause });
  }
  let closed = false;
  const send = (roundId: string) => {
    const wire: Wire = { from: me, roundId };
    client.publish(channel, JSON.stringify(wire)).catch((cause: unknown) => {
      onError(new StoreError('redis change bus: publish failed', { cause }));
    });
  };
  // Rounds changed since the last send, sent together when the timer fires.
  const waiting = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (const roundId of waiting) send(roundId);
    waiting.clear();
  };

  return {
    publish(roundId) {
      if (closed) return;
      local.publish(roundId);
      waiting.add(roundId);
      timer ??= setTimeout(flush, options.coalesceMs ?? 100);
    },
    subscribe: (listener) => local.subscribe(listener),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      flush();
      await local.close();
      for (const connection of owned ? [subscriber, client] : [subscriber]) {
        try {
          await connection.close();
        } catch {
          connection.destroy();
        }
      }
    },
  };
}
