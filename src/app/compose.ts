import type { ChannelOutput, Clock } from '../core/ports.ts';
import { SqliteScheduler } from '../scheduler/sqlite-scheduler.ts';
import { openSqliteStore, type SqliteRoundStore } from '../store/sqlite-store.ts';
import type { DeckCatalog } from './decks.ts';
import { newId, VoterKeys } from './identity.ts';
import type { Logger } from './logger.ts';
import { type RoundDefaults, RoundService } from './round-service.ts';

export interface EmbeddedOptions {
  /** SQLite file, or ':memory:'. */
  sqlitePath: string;
  secret: string;
  clock: Clock;
  output: ChannelOutput;
  decks: DeckCatalog;
  defaults: RoundDefaults;
  logger: Logger;
  /** Scheduler polling interval in ms. */
  pollMs?: number;
}

export interface EmbeddedApp {
  service: RoundService;
  store: SqliteRoundStore;
  scheduler: SqliteScheduler;
  /** Stops the scheduler (waiting for running jobs), then closes the database. */
  close(): Promise<void>;
}

/** The embedded deployment: one SQLite file holds rounds, ballots and jobs. */
export async function createEmbeddedApp(options: EmbeddedOptions): Promise<EmbeddedApp> {
  const store = await openSqliteStore({ path: options.sqlitePath, clock: options.clock });
  const scheduler = new SqliteScheduler({
    db: store.db,
    clock: options.clock,
    pollMs: options.pollMs ?? 1000,
    onError: (error) => options.logger.error({ err: error }, 'scheduler poll failed'),
  });
  const service = new RoundService({
    store,
    scheduler,
    output: options.output,
    clock: options.clock,
    decks: options.decks,
    keys: new VoterKeys(options.secret),
    newId,
    logger: options.logger,
    defaults: options.defaults,
  });
  return {
    service,
    store,
    scheduler,
    close: async () => {
      await scheduler.stop();
      await store.close();
    },
  };
}
