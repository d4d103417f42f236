import type {
  BallotValue,
  BoxId,
  ConversationRef,
  Platform,
  RoundCounts,
  RoundState,
  Tally,
} from '../core/model.ts';
import type {
  CastResult,
  RoundRecord,
  RoundStore,
  RoundSummaryRow,
  SaveResult,
} from '../core/ports.ts';
import { openBoxIds } from '../core/round/boxes.ts';
import { DEFAULT_RETENTION_DAYS, keepUntil } from '../core/round/retention.ts';
import { StoreError } from './errors.ts';
import {
  connectRedis,
  globEscape,
  guarded,
  LuaScript,
  MAINTENANCE_TIMEOUT_MS,
  OPERATION_TIMEOUT_MS,
  type RedisClient,
  scanAll,
  withTimeout,
} from './redis-client.ts';
import { RedisChannelMemory, RedisInstallationStore } from './redis-memory.ts';
import {
  CAST_SCRIPT,
  COUNTS_SCRIPT,
  CREATE_SCRIPT,
  DELETE_SCRIPT,
  JOIN_SCRIPT,
  SAVE_SCRIPT,
} from './redis-scripts.ts';
import { ballotFits, isBoxId } from './tally.ts';

export interface RedisStoreOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Prepended to every key (no braces: they would change the hash slot). Default 'dialogrunde:'. */
  prefix?: string;
  /** How long a save's idempotency key is remembered. Default 24 h. */
  idempotencyTtlMs?: number;
  /** Connection timeout in ms. Default 2000. */
  connectTimeoutMs?: number;
  /**
   * How long an ended round (with no open follow-up items) is kept after its
   * last change, in ms; then its keys expire. Default 400 days.
   */
  retentionMs?: number;
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisRoundStore> {
  const prefix = options.prefix ?? 'dialogrunde:';
  if (/[{}]/.test(prefix))
    throw new StoreError('redis key prefix must not contain { or }', { permanent: true });
  const client = await connectRedis(options);
  return new RedisRoundStore(client, { ...options, prefix });
}

const scripts = {
  create: new LuaScript(CREATE_SCRIPT),
  save: new LuaScript(SAVE_SCRIPT),
  cast: new LuaScript(CAST_SCRIPT),
  join: new LuaScript(JOIN_SCRIPT),
  counts: new LuaScript(COUNTS_SCRIPT),
  delete: new LuaScript(DELETE_SCRIPT),
};

/** The keys of one round: all share the hash tag {round:<id>}, so one slot holds them. */
export function roundKeys(prefix: string, roundId: string) {
  const base = `${prefix}{round:${roundId}}:`;
  return {
    doc: `${base}doc`,
    open: `${base}open`,
    tallies: `${base}tallies`,
    participants: `${base}participants`,
    /** Followed by the box id: one hash (voter key → ballot JSON) per open box. */
    ballotPrefix: `${base}ballots:`,
    /** Followed by a save's idempotency key: in the round's slot, so the save script stays single-slot. */
    savePrefix: `${base}save:`,
  };
}

/**
 * RoundStore on Redis, shared by any number of bot instances. Every write
 * that depends on a check (box open, version, idempotency key) is one Lua
 * script, so it is atomic across instances. Round documents are JSON in a
 * hash next to their version; listings use sorted sets by creation time.
 * The store only ever sees voter keys, never raw user ids.
 */
export class RedisRoundStore implements RoundStore {
  /** Exposed for tests and for sharing the connection. */
  readonly client: RedisClient;
  readonly prefix: string;
  readonly #ttlMs: number;
  readonly #retentionMs: number;
  /** Channels' conversation references and message ids, on the same connection. */
  readonly channelMemory: RedisChannelMemory;
  /** App installations (Slack OAuth), on the same connection. */
  readonly installations: RedisInstallationStore;

  constructor(
    client: RedisClient,
    options: {
      prefix: string;
      idempotencyTtlMs?: number | undefined;
      retentionMs?: number | undefined;
    },
  ) {
    this.client = client;
    this.prefix = options.prefix;
    this.#ttlMs = options.idempotencyTtlMs ?? 24 * 60 * 60_000;
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_DAYS * 86_400_000;
    this.channelMemory = new RedisChannelMemory(client, this.prefix);
    this.installations = new RedisInstallationStore(client, this.prefix);
  }

  async create(state: RoundState): Promise<RoundRecord> {
    return guarded('create', async () => {
      const k = roundKeys(this.prefix, state.id);
      const created = await scripts.create.run(
        this.client,
        [k.doc, k.open, k.tallies, k.participants],
        [k.ballotPrefix, JSON.stringify(state), ...openBoxIds(state)],
      );
      if (Number(created) !== 1)
        throw new StoreError(`round ${state.id} already exists`, { permanent: true });
      const c = state.conversation;
      await Promise.all([
        this.client.zAdd(this.#conversationIndex(c), { score: state.createdAt, value: state.id }),
        this.client.zAdd(this.#tenantIndex(c.platform, c.tenant), {
          score: state.createdAt,
          value: state.id,
        }),
      ]);
      return { state: structuredClone(state), version: 1 };
    });
  }

  async load(roundId: string): Promise<RoundRecord | undefined> {
    return guarded('load', async () => {
      const [version, doc] = await this.client.hmGet(roundKeys(this.prefix, roundId).doc, [
        'version',
        'doc',
      ]);
      if (version == null || doc == null) return undefined;
      return { state: JSON.parse(String(doc)) as RoundState, version: Number(version) };
    });
  }

  async save(
    state: RoundState,
    expectedVersion: number,
    options: { idempotencyKey?: string } = {},
  ): Promise<SaveResult> {
    return guarded('save', async (): Promise<SaveResult> => {
      const k = roundKeys(this.prefix, state.id);
      const keys = [k.doc, k.open, k.tallies, k.participants];
      if (options.idempotencyKey) keys.push(k.savePrefix + options.idempotencyKey);
      const until = keepUntil(state, this.#retentionMs);
      const reply = await scripts.save.run(this.client, keys, [
        k.ballotPrefix,
        expectedVersion,
        JSON.stringify(state),
        this.#ttlMs,
        until ?? 0,
        ...openBoxIds(state),
      ]);
      if (reply === 'conflict' || reply === 'duplicate') return { ok: false, reason: reply };
      // Outside the script, like the listings: the index is in no round's slot. The
      // keys expire by themselves; the index lets a purge clear what lives beside them.
      if (until === null) await this.client.zRem(this.#retentionIndex(), state.id);
      else await this.client.zAdd(this.#retentionIndex(), { score: until, value: state.id });
      return { ok: true, version: Number(reply) };
    });
  }

  async wasSaved(roundId: string, idempotencyKey: string): Promise<boolean> {
    return guarded('wasSaved', async () => {
      const k = roundKeys(this.prefix, roundId);
      return (await this.client.exists(k.savePrefix + idempotencyKey)) === 1;
    });
  }

  async castBallot(
    roundId: string,
    box: BoxId,
    voterKey: string,
    value: BallotValue,
    _at: number,
  ): Promise<CastResult> {
    // A rating in the priority box (or card ids in a card box) is a caller bug.
    if (!ballotFits(box, value))
      throw new StoreError(`ballot does not fit the kind of box ${box}`, { permanent: true });
    return guarded('castBallot', async (): Promise<CastResult> => {
      const k = roundKeys(this.prefix, roundId);
      const reply = await scripts.cast.run(
        this.client,
        [k.doc, k.open, k.ballotPrefix + box, k.participants, k.tallies],
        [box, voterKey, JSON.stringify(value), k.ballotPrefix],
      );
      if (!Array.isArray(reply)) throw new StoreError('redis store: unexpected cast reply');
      const [outcome, ballots, version, counts] = reply as [string, number, number, unknown];
      if (outcome === 'round_not_found' || outcome === 'box_not_open') {
        return { ok: false, reason: outcome };
      }
      if (outcome !== 'recorded' && outcome !== 'changed' && outcome !== 'unchanged') {
        throw new StoreError('redis store: unexpected cast reply');
      }
      return {
        ok: true,
        outcome,
        ballots: Number(ballots),
        version: Number(version),
        counts: countsFrom(counts),
      };
    });
  }

  async ballotOf(roundId: string, box: BoxId, voterKey: string): Promise<BallotValue | undefined> {
    return guarded('ballotOf', async () => {
      const json = await this.client.hGet(
        roundKeys(this.prefix, roundId).ballotPrefix + box,
        voterKey,
      );
      return json == null ? undefined : (JSON.parse(String(json)) as BallotValue);
    });
  }

  async ballotCount(roundId: string, voterKey: string, boxes: readonly BoxId[]): Promise<number> {
    return guarded('ballotCount', async () => {
      const prefix = roundKeys(this.prefix, roundId).ballotPrefix;
      const found = await Promise.all(
        [...new Set(boxes)].map((box) => this.client.hExists(prefix + box, voterKey)),
      );
      return found.filter((hit) => Number(hit) === 1).length;
    });
  }

  async join(roundId: string, voterKey: string, _at: number): Promise<number> {
    return guarded('join', async () => {
      const k = roundKeys(this.prefix, roundId);
      const n = Number(await scripts.join.run(this.client, [k.doc, k.participants], [voterKey]));
      if (n < 0) throw new StoreError(`round ${roundId} not found`, { permanent: true });
      return n;
    });
  }

  async hasJoined(roundId: string, voterKey: string): Promise<boolean> {
    return guarded('hasJoined', async () => {
      const hit = await this.client.sIsMember(
        roundKeys(this.prefix, roundId).participants,
        voterKey,
      );
      return Number(hit) === 1;
    });
  }

  async counts(roundId: string): Promise<RoundCounts> {
    return guarded('counts', async () => {
      const k = roundKeys(this.prefix, roundId);
      const reply = await scripts.counts.run(
        this.client,
        [k.open, k.tallies, k.participants],
        [k.ballotPrefix],
      );
      return countsFrom(reply);
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return guarded('claim', async () => {
      const reply = await this.client.set(this.#claimKey(key), '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
      });
      return reply === 'OK';
    });
  }

  async release(key: string): Promise<boolean> {
    // DEL answers 0 for a key that expired, so only a live claim is released.
    return guarded('release', async () => (await this.client.del(this.#claimKey(key))) === 1);
  }

  async listByConversation(
    conversation: ConversationRef,
    limit: number,
  ): Promise<RoundSummaryRow[]> {
    return guarded('listByConversation', () =>
      this.#list(this.#conversationIndex(conversation), limit),
    );
  }

  async listByTenant(
    platform: Platform,
    tenant: string,
    limit: number,
  ): Promise<RoundSummaryRow[]> {
    return guarded('listByTenant', () => this.#list(this.#tenantIndex(platform, tenant), limit));
  }

  async listByPlatform(platform: Platform, limit: number, offset = 0): Promise<RoundSummaryRow[]> {
    // Rare (forgetting a person): the tenant indexes of the platform, merged.
    return guarded(
      'listByPlatform',
      async () => {
        if (limit <= 0) return [];
        const head = `${this.prefix}idx:tenant:`;
        const pattern = `${globEscape(head + JSON.stringify([platform]).slice(0, -1))},*`;
        const entries: { id: string; at: number }[] = [];
        for (const index of await scanAll(this.client, pattern)) {
          const scored = await this.client.zRangeWithScores(index, 0, -1);
          entries.push(...scored.map((e) => ({ id: String(e.value), at: Number(e.score) })));
        }
        entries.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        const page = entries.slice(offset, offset + limit).map((e) => e.id);
        return (await this.#rows(page)).rows;
      },
      MAINTENANCE_TIMEOUT_MS,
    );
  }

  async expiredRounds(now: number, limit: number): Promise<string[]> {
    return guarded('expiredRounds', async () => {
      if (limit <= 0) return [];
      const ids = await this.client.zRange(this.#retentionIndex(), '-inf', now, {
        BY: 'SCORE',
        LIMIT: { offset: 0, count: limit },
      });
      return ids.map(String);
    });
  }

  async delete(roundId: string): Promise<boolean> {
    return guarded(
      'delete',
      async () => {
        const k = roundKeys(this.prefix, roundId);
        const doc = await scripts.delete.run(
          this.client,
          [k.doc, k.open, k.tallies, k.participants],
          [k.ballotPrefix],
        );
        // Save idempotency keys expire by themselves (24 h), but are the round's too.
        const saves = await scanAll(this.client, `${globEscape(k.savePrefix)}*`);
        if (saves.length > 0) await this.client.del(saves);
        await this.client.zRem(this.#retentionIndex(), roundId);
        // An expired round left no document to name its listings: they drop it when they meet it.
        if (doc == null) return false;
        const c = (JSON.parse(String(doc)) as RoundState).conversation;
        await Promise.all([
          this.client.zRem(this.#conversationIndex(c), roundId),
          this.client.zRem(this.#tenantIndex(c.platform, c.tenant), roundId),
        ]);
        return true;
      },
      MAINTENANCE_TIMEOUT_MS,
    );
  }

  async releaseAll(prefix: string): Promise<number> {
    return guarded(
      'releaseAll',
      async () => {
        const keys = await scanAll(this.client, `${globEscape(this.#claimKey(prefix))}*`);
        return keys.length > 0 ? Number(await this.client.del(keys)) : 0;
      },
      MAINTENANCE_TIMEOUT_MS,
    );
  }

  async ping(): Promise<boolean> {
    try {
      return (await withTimeout(this.client.ping(), OPERATION_TIMEOUT_MS)) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    try {
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  /** Newest first by creation time; equal times by id, descending (as SQLite orders them). */
  async #list(index: string, limit: number): Promise<RoundSummaryRow[]> {
    if (limit <= 0) return [];
    const ids = await this.client.zRange(index, '+inf', '-inf', {
      BY: 'SCORE',
      REV: true,
      LIMIT: { offset: 0, count: limit },
    });
    const { rows, gone } = await this.#rows(ids.map(String));
    // Expired (retention) or deleted between the two reads: drop them from the index.
    if (gone.length > 0) await this.client.zRem(index, gone);
    return rows;
  }

  /** Listing rows of these rounds, in order; `gone`: ids whose round no longer exists. */
  async #rows(ids: readonly string[]): Promise<{ rows: RoundSummaryRow[]; gone: string[] }> {
    const docs = await Promise.all(
      ids.map((id) => this.client.hGet(roundKeys(this.prefix, id).doc, 'doc')),
    );
    const rows: RoundSummaryRow[] = [];
    const gone: string[] = [];
    for (const [i, doc] of docs.entries()) {
      if (doc == null) {
        gone.push(String(ids[i]));
        continue;
      }
      const state = JSON.parse(String(doc)) as RoundState;
      rows.push({
        id: state.id,
        conversation: { ...state.conversation },
        step: state.step,
        status: state.status,
        updatedAt: state.updatedAt,
      });
    }
    return { rows, gone };
  }

  #conversationIndex(c: ConversationRef): string {
    return `${this.prefix}idx:conversation:${JSON.stringify([c.platform, c.tenant, c.conversationId])}`;
  }

  #tenantIndex(platform: Platform, tenant: string): string {
    return `${this.prefix}idx:tenant:${JSON.stringify([platform, tenant])}`;
  }

  /** Round ids by the time their keys expire (retention), for `expiredRounds`. */
  #retentionIndex(): string {
    return `${this.prefix}idx:retention`;
  }

  #claimKey(key: string): string {
    return `${this.prefix}claim:${key}`;
  }
}

function boxOf(value: unknown): BoxId {
  const box = String(value);
  if (!isBoxId(box)) throw new StoreError('invalid box id in store', { permanent: true });
  return box;
}

/** The counts as the shared Lua `counts` returns them (see redis-scripts.ts). */
function countsFrom(reply: unknown): RoundCounts {
  if (!Array.isArray(reply)) throw new StoreError('redis store: unexpected counts reply');
  const [participants, ballots, tallies] = reply as [number, unknown[], unknown[]];
  const result: RoundCounts = { participants: Number(participants), ballots: {}, tallies: {} };
  for (let i = 0; i < ballots.length; i += 2) {
    result.ballots[boxOf(ballots[i])] = Number(ballots[i + 1]);
  }
  for (let i = 0; i < tallies.length; i += 2) {
    result.tallies[boxOf(tallies[i])] = JSON.parse(String(tallies[i + 1])) as Tally;
  }
  return result;
}
