import type {
  ChannelMemory,
  ChannelOutput,
  Clock,
  InstallationStore,
  RoundStore,
  Scheduler,
} from '../core/ports.ts';
import { DEFAULT_RETENTION_DAYS } from '../core/round/retention.ts';
import type { BullmqScheduler } from '../scheduler/bullmq-scheduler.ts';
import { SqliteScheduler } from '../scheduler/sqlite-scheduler.ts';
import type { RedisRoundStore } from '../store/redis-store.ts';
import { openSqliteStore, type SqliteRoundStore } from '../store/sqlite-store.ts';
import type { DeckCatalog } from './decks.ts';
import { newId, VoterKeys } from './identity.ts';
import type { Logger } from './logger.ts';
import { type RoundDefaults, RoundService } from './round-service.ts';

interface CommonOptions {
  secret: string;
  clock: Clock;
  output: ChannelOutput;
  decks: DeckCatalog;
  defaults: RoundDefaults;
  logger: Logger;
}

export interface EmbeddedOptions extends CommonOptions {
  /** SQLite file, or ':memory:'. */
  sqlitePath: string;
  /** Scheduler polling interval in ms. */
  pollMs?: number;
  /** How long an ended round (follow-up done) is kept before the purge, in days. Default 400. */
  retentionDays?: number;
}

export interface EmbeddedApp {
  service: RoundService;
  store: SqliteRoundStore;
  scheduler: SqliteScheduler;
  /** Stops the scheduler (waiting for running jobs), then closes the database. */
  close(): Promise<void>;
}

/** What the channels need from whichever store runs: rounds, channel memory, installations. */
export interface AppStore extends RoundStore {
  readonly channelMemory: ChannelMemory;
  readonly installations: InstallationStore;
}

export interface App {
  service: RoundService;
  store: AppStore;
  scheduler: Scheduler;
  /** Stops the scheduler (waiting for running jobs), then closes the store's connections. */
  close(): Promise<void>;
}

export type StoreChoice =
  | { kind: 'sqlite'; path: string; pollMs?: number }
  | { kind: 'redis'; url: string; prefix: string };

export interface AppOptions extends CommonOptions {
  store: StoreChoice;
  /** How long an ended round (follow-up done) is kept, in days. Default 400. */
  retentionDays?: number;
}

/** The deployment the configuration asks for: embedded SQLite, or shared Redis. */
export async function createApp(options: AppOptions): Promise<App> {
  const choice = options.store;
  if (choice.kind === 'sqlite') {
    return createEmbeddedApp({
      ...options,
      sqlitePath: choice.path,
      ...(choice.pollMs !== undefined && { pollMs: choice.pollMs }),
    });
  }
  return createSharedApp({ ...options, url: choice.url, prefix: choice.prefix });
}

/** The embedded deployment: one SQLite file holds rounds, ballots and jobs. */
export async function createEmbeddedApp(options: EmbeddedOptions): Promise<EmbeddedApp> {
  const store = await openSqliteStore({
    path: options.sqlitePath,
    clock: options.clock,
    retentionMs: (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000,
  });
  const scheduler = new SqliteScheduler({
    db: store.db,
    clock: options.clock,
    pollMs: options.pollMs ?? 1000,
    onError: throttledErrors(options.logger, 'scheduler poll failed'),
  });
  return {
    service: buildService(store, scheduler, options),
    store,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await store.close();
    },
  };
}

export interface SharedOptions extends CommonOptions {
  url: string;
  /** Key prefix of the store, e.g. 'dialogrunde:'; BullMQ's keys get `<prefix>{jobs}`. */
  prefix: string;
  retentionDays?: number;
}

/**
 * The shared deployment: any number of instances on one Redis. Rounds and
 * ballots in the Redis store, reminders and deadlines in BullMQ. Fails (a
 * StoreError) when Redis cannot be reached within 2 s.
 */
export async function createSharedApp(
  options: SharedOptions,
): Promise<App & { store: RedisRoundStore; scheduler: BullmqScheduler }> {
  // Loaded only here: the embedded deployment never needs node-redis or BullMQ.
  const { openRedisStore } = await import('../store/redis-store.ts');
  const { BullmqScheduler } = await import('../scheduler/bullmq-scheduler.ts');
  const store = await openRedisStore({
    url: options.url,
    prefix: options.prefix,
    retentionMs: (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400_000,
  });
  await warnAboutRedisSettings(store, options.logger);
  // One hash tag for the whole queue: BullMQ's scripts touch several of its keys at once.
  const scheduler = new BullmqScheduler({
    url: options.url,
    prefix: `${options.prefix}{jobs}`,
    clock: options.clock,
    onError: throttledErrors(options.logger, 'scheduler error'),
  });
  return {
    service: buildService(store, scheduler, options),
    store,
    scheduler,
    close: async () => {
      await scheduler.close();
      await store.close();
    },
  };
}

/**
 * Rounds live only in Redis: without persistence a restart loses them, and an
 * evicting policy drops them silently. Says so at start-up. Managed Redis
 * often forbids CONFIG; then nothing is checked.
 */
async function warnAboutRedisSettings(store: RedisRoundStore, logger: Logger): Promise<void> {
  try {
    const aof = await store.client.configGet('appendonly');
    const policy = await store.client.configGet('maxmemory-policy');
    if (aof.appendonly !== 'yes') {
      logger.warn(
        'Redis runs without AOF (appendonly no): a Redis restart loses every round; set appendonly yes',
      );
    }
    if (policy['maxmemory-policy'] !== 'noeviction') {
      logger.warn(
        { policy: policy['maxmemory-policy'] },
        'Redis may evict keys: rounds and reminders can vanish; set maxmemory-policy noeviction',
      );
    }
  } catch {
    logger.info('Redis settings not checked (CONFIG is not allowed here)');
  }
}

/**
 * Logs the first error at once, then at most one line per `everyMs` with how
 * many were left out: during an outage every reconnect attempt of every
 * connection reports the same failure, many times a second.
 */
export function throttledErrors(
  logger: Logger,
  message: string,
  everyMs = 30_000,
  now: () => number = Date.now,
): (error: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (error) => {
    const at = now();
    if (at - last < everyMs) {
      skipped += 1;
      return;
    }
    logger.error({ err: error, ...(skipped > 0 && { skipped }) }, message);
    last = at;
    skipped = 0;
  };
}

function buildService(store: AppStore, scheduler: Scheduler, options: CommonOptions) {
  return new RoundService({
    store,
    channelMemory: store.channelMemory,
    scheduler,
    output: options.output,
    clock: options.clock,
    decks: options.decks,
    keys: new VoterKeys(options.secret),
    newId,
    logger: options.logger,
    defaults: options.defaults,
  });
}
