import type { DatabaseSync } from 'node:sqlite';
import type {
  BallotValue,
  BoxId,
  ConversationRef,
  Platform,
  RoundCounts,
  RoundState,
} from '../core/model.ts';
import type {
  CastResult,
  Clock,
  RoundRecord,
  RoundStore,
  RoundSummaryRow,
  SaveResult,
} from '../core/ports.ts';
import { DEFAULT_RETENTION_DAYS } from '../core/round/retention.ts';
import { StoreError } from './errors.ts';
import { boxCounts, castInto, countBallotsOf, readBallot, reconcileBoxes } from './sqlite-boxes.ts';
import { SqliteChannelMemory } from './sqlite-channel-memory.ts';
import { migrate, openDatabase, type Sql, statementCache, transaction } from './sqlite-db.ts';
import { SqliteInstallationStore } from './sqlite-installations.ts';
import {
  addParticipant,
  deleteKeysWithPrefix,
  deleteRound,
  insertRound,
  isParticipant,
  keyFree,
  listPlatformRounds,
  listRounds,
  listTenantRounds,
  loadRound,
  participantCount,
  recordKey,
  retiredRounds,
  roundExists,
  roundVersion,
  updateRound,
} from './sqlite-rounds.ts';
import { STORE_MIGRATIONS } from './sqlite-schema.ts';
import { ballotFits } from './tally.ts';

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** Only used for idempotency-key expiry. */
  clock?: Clock;
  /** How long a save's idempotency key is remembered. Default 24 h. */
  idempotencyTtlMs?: number;
  /**
   * How long an ended round (with no open follow-up items) is kept after its
   * last change, in ms, before `expiredRounds` lists it. Default 400 days.
   */
  retentionMs?: number;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteRoundStore> {
  return new SqliteRoundStore(openDatabase(options.path), options);
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * RoundStore on one SQLite file. node:sqlite is synchronous, so a method body
 * never interleaves with another in this process; writes still use BEGIN
 * IMMEDIATE so that other connections to the file cannot interleave either.
 * The store only ever sees voter keys, never raw user ids.
 */
export class SqliteRoundStore implements RoundStore {
  /** Exposed so the scheduler can share the connection (and for tests). */
  readonly db: DatabaseSync;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #retentionMs: number;
  readonly #sql: Sql;
  /** Channels' conversation references and message ids, on the same connection. */
  readonly channelMemory: SqliteChannelMemory;
  /** App installations (Slack OAuth), on the same connection. */
  readonly installations: SqliteInstallationStore;

  constructor(db: DatabaseSync, options: Omit<SqliteStoreOptions, 'path'> = {}) {
    this.db = db;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.idempotencyTtlMs ?? 24 * 60 * 60_000;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_DAYS * 86_400_000;
    this.#sql = statementCache(db);
    this.#read('migrate', () => migrate(db, STORE_MIGRATIONS));
    this.channelMemory = new SqliteChannelMemory(db, this.#clock);
    this.installations = new SqliteInstallationStore(db, this.#clock);
  }

  async create(state: RoundState): Promise<RoundRecord> {
    return this.#write('create', () => {
      if (roundExists(this.#sql, state.id))
        throw new StoreError(`round ${state.id} already exists`, { permanent: true });
      insertRound(this.#sql, state);
      reconcileBoxes(this.#sql, state);
      return { state: structuredClone(state), version: 1 };
    });
  }

  async load(roundId: string): Promise<RoundRecord | undefined> {
    return this.#read('load', () => loadRound(this.#sql, roundId));
  }

  async save(
    state: RoundState,
    expectedVersion: number,
    options: { idempotencyKey?: string } = {},
  ): Promise<SaveResult> {
    return this.#write('save', (): SaveResult => {
      const key = options.idempotencyKey && saveKey(state.id, options.idempotencyKey);
      // Duplicate is checked before the version: a retried save that already
      // landed is reported as done, not as a conflict to resolve. The key is
      // recorded only when the save succeeds.
      if (key && !keyFree(this.#sql, key, this.#clock.now())) {
        return { ok: false, reason: 'duplicate' };
      }
      if (!updateRound(this.#sql, state, expectedVersion)) return { ok: false, reason: 'conflict' };
      if (key) recordKey(this.#sql, key, this.#clock.now() + this.#ttlMs);
      reconcileBoxes(this.#sql, state);
      return { ok: true, version: expectedVersion + 1 };
    });
  }

  async castBallot(
    roundId: string,
    box: BoxId,
    voterKey: string,
    value: BallotValue,
    at: number,
  ): Promise<CastResult> {
    // A rating in the priority box (or card ids in a card box) is a caller bug.
    if (!ballotFits(box, value))
      throw new StoreError(`ballot does not fit the kind of box ${box}`, { permanent: true });
    return this.#write('castBallot', (): CastResult => {
      const version = roundVersion(this.#sql, roundId);
      if (version === undefined) return { ok: false, reason: 'round_not_found' };
      const result = castInto(this.#sql, roundId, box, voterKey, value, at);
      if (!result.ok) return result;
      addParticipant(this.#sql, roundId, voterKey, at);
      const counts = this.#countsNow(roundId);
      return { ...result, ballots: counts.ballots[box] ?? 0, version, counts };
    });
  }

  async ballotOf(roundId: string, box: BoxId, voterKey: string): Promise<BallotValue | undefined> {
    return this.#read('ballotOf', () => {
      const json = readBallot(this.#sql, roundId, box, voterKey);
      return json === undefined ? undefined : (JSON.parse(json) as BallotValue);
    });
  }

  async ballotCount(roundId: string, voterKey: string, boxes: readonly BoxId[]): Promise<number> {
    return this.#read('ballotCount', () => countBallotsOf(this.#sql, roundId, voterKey, boxes));
  }

  async join(roundId: string, voterKey: string, at: number): Promise<number> {
    return this.#write('join', () => {
      if (!roundExists(this.#sql, roundId))
        throw new StoreError(`round ${roundId} not found`, { permanent: true });
      addParticipant(this.#sql, roundId, voterKey, at);
      return participantCount(this.#sql, roundId);
    });
  }

  async hasJoined(roundId: string, voterKey: string): Promise<boolean> {
    return this.#read('hasJoined', () => isParticipant(this.#sql, roundId, voterKey));
  }

  async counts(roundId: string): Promise<RoundCounts> {
    return this.#read('counts', () => this.#countsNow(roundId));
  }

  #countsNow(roundId: string): RoundCounts {
    return { participants: participantCount(this.#sql, roundId), ...boxCounts(this.#sql, roundId) };
  }

  async wasSaved(roundId: string, idempotencyKey: string): Promise<boolean> {
    return this.#read('wasSaved', () => {
      const row = this.#sql('SELECT 1 FROM idempotency WHERE key = ? AND expires_at > ?');
      return row.get(saveKey(roundId, idempotencyKey), this.#clock.now()) !== undefined;
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return this.#write('claim', () => {
      const now = this.#clock.now();
      const free = keyFree(this.#sql, `claim:${key}`, now);
      if (free) recordKey(this.#sql, `claim:${key}`, now + ttlMs);
      return free;
    });
  }

  async release(key: string): Promise<boolean> {
    return this.#write('release', () => {
      const deleted = this.#sql('DELETE FROM idempotency WHERE key = ? AND expires_at > ?').run(
        `claim:${key}`,
        this.#clock.now(),
      );
      return Number(deleted.changes) > 0;
    });
  }

  async listByConversation(
    conversation: ConversationRef,
    limit: number,
  ): Promise<RoundSummaryRow[]> {
    return this.#read('listByConversation', () => listRounds(this.#sql, conversation, limit));
  }

  async listByTenant(
    platform: Platform,
    tenant: string,
    limit: number,
  ): Promise<RoundSummaryRow[]> {
    return this.#read('listByTenant', () => listTenantRounds(this.#sql, platform, tenant, limit));
  }

  async listByPlatform(platform: Platform, limit: number, offset = 0): Promise<RoundSummaryRow[]> {
    return this.#read('listByPlatform', () =>
      listPlatformRounds(this.#sql, platform, limit, offset),
    );
  }

  async expiredRounds(now: number, limit: number): Promise<string[]> {
    return this.#read('expiredRounds', () =>
      retiredRounds(this.#sql, now - this.#retentionMs, limit),
    );
  }

  async delete(roundId: string): Promise<boolean> {
    return this.#write('delete', () => deleteRound(this.#sql, roundId));
  }

  async releaseAll(prefix: string): Promise<number> {
    return this.#write('releaseAll', () =>
      deleteKeysWithPrefix(this.#sql, `claim:${prefix}`, this.#clock.now()),
    );
  }

  async ping(): Promise<boolean> {
    try {
      return this.db.prepare('SELECT 1 AS one').get()?.one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  /** One IMMEDIATE transaction; infrastructure errors become StoreError. */
  #write<T>(name: string, fn: () => T): T {
    return this.#read(name, () => transaction(this.db, fn));
  }

  #read<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`sqlite store: ${name} failed`, { cause });
    }
  }
}

/** A save's idempotency key, scoped to its round (JSON: no separator can be forged). */
function saveKey(roundId: string, idempotencyKey: string): string {
  return `save:${JSON.stringify([roundId, idempotencyKey])}`;
}
