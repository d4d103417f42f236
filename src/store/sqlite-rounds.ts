import type { ConversationRef, Platform, RoundState } from '../core/model.ts';
import type { RoundRecord, RoundSummaryRow } from '../core/ports.ts';
import { keepUntil } from '../core/round/retention.ts';
import { changed, num, type Row, type Sql, str } from './sqlite-db.ts';

/**
 * Round documents, participants and one-off keys of the SQLite store. The
 * document is JSON; a few fields are copied into columns for listing.
 */

export function insertRound(sql: Sql, state: RoundState): void {
  sql(
    `INSERT INTO rounds (id, version, doc, platform, tenant, conversation_id, status, step,
     retained_since, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(state.id, JSON.stringify(state), ...columns(state), state.createdAt, state.updatedAt);
}

/** Compare-and-set on the version; false when the stored version differs (or no round). */
export function updateRound(sql: Sql, state: RoundState, expectedVersion: number): boolean {
  const result = sql(
    `UPDATE rounds SET version = version + 1, doc = ?, platform = ?, tenant = ?,
     conversation_id = ?, status = ?, step = ?, retained_since = ?, updated_at = ?
     WHERE id = ? AND version = ?`,
  ).run(JSON.stringify(state), ...columns(state), state.updatedAt, state.id, expectedVersion);
  return changed(result) > 0;
}

export function loadRound(sql: Sql, roundId: string): RoundRecord | undefined {
  const row = sql('SELECT version, doc FROM rounds WHERE id = ?').get(roundId);
  if (!row) return undefined;
  return { state: JSON.parse(str(row, 'doc')) as RoundState, version: num(row, 'version') };
}

export function roundExists(sql: Sql, roundId: string): boolean {
  return sql('SELECT 1 FROM rounds WHERE id = ?').get(roundId) !== undefined;
}

/** The round's version, or undefined when there is no such round. */
export function roundVersion(sql: Sql, roundId: string): number | undefined {
  const row = sql('SELECT version FROM rounds WHERE id = ?').get(roundId);
  return row ? num(row, 'version') : undefined;
}

/**
 * Summaries of the rounds matching `where` (a constant of this file, never
 * input), newest first by creation time (id breaks ties, so the order is
 * stable); `params` fill the placeholders of `where`, then LIMIT and OFFSET.
 */
function newestFirst(sql: Sql, where: string, ...params: (string | number)[]): RoundSummaryRow[] {
  return sql(
    `SELECT id, platform, tenant, conversation_id, step, status, updated_at FROM rounds
     WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
  )
    .all(...params)
    .map(summaryRow);
}

/** Rounds of one conversation, newest first. */
export function listRounds(
  sql: Sql,
  conversation: ConversationRef,
  limit: number,
): RoundSummaryRow[] {
  const { platform, tenant, conversationId } = conversation;
  const where = 'platform = ? AND tenant = ? AND conversation_id = ?';
  return newestFirst(sql, where, platform, tenant, conversationId, limit, 0);
}

/** Rounds of a tenant across its conversations, newest first. */
export function listTenantRounds(
  sql: Sql,
  platform: Platform,
  tenant: string,
  limit: number,
): RoundSummaryRow[] {
  return newestFirst(sql, 'platform = ? AND tenant = ?', platform, tenant, limit, 0);
}

/** Rounds of a platform across its tenants, newest first, after `offset`. */
export function listPlatformRounds(
  sql: Sql,
  platform: Platform,
  limit: number,
  offset: number,
): RoundSummaryRow[] {
  return newestFirst(sql, 'platform = ?', platform, limit, offset);
}

/** Rounds whose retention period began at or before `before` (epoch ms), oldest first. */
export function retiredRounds(sql: Sql, before: number, limit: number): string[] {
  return sql(
    `SELECT id FROM rounds WHERE retained_since IS NOT NULL AND retained_since <= ?
     ORDER BY retained_since, id LIMIT ?`,
  )
    .all(before, limit)
    .map((row) => str(row, 'id'));
}

function summaryRow(row: Row): RoundSummaryRow {
  return {
    id: str(row, 'id'),
    conversation: {
      platform: str(row, 'platform') as Platform,
      tenant: str(row, 'tenant'),
      conversationId: str(row, 'conversation_id'),
    },
    step: str(row, 'step') as RoundState['step'],
    status: str(row, 'status') as RoundState['status'],
    updatedAt: num(row, 'updated_at'),
  };
}

/**
 * Boxes, ballots, tallies and participants go with the round (ON DELETE
 * CASCADE); its save idempotency keys (`save:["<id>",…`) are deleted here.
 */
export function deleteRound(sql: Sql, roundId: string): boolean {
  const existed = changed(sql('DELETE FROM rounds WHERE id = ?').run(roundId)) > 0;
  deleteKeysWithPrefix(sql, `save:${JSON.stringify([roundId]).slice(0, -1)},`);
  return existed;
}

/**
 * Deletes one-off keys starting with `prefix` (only live ones when `liveAt`
 * is given: epoch ms); answers how many. A range on the primary key: every
 * key with the prefix sorts between the prefix and the prefix with its last
 * character raised by one (SQLite compares text bytewise).
 */
export function deleteKeysWithPrefix(sql: Sql, prefix: string, liveAt?: number): number {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (prefix === '' || last >= 0xd800) {
    // Raising a surrogate or U+FFFF would not sort right: compare the prefix itself.
    const query = 'DELETE FROM idempotency WHERE substr(key, 1, length(?)) = ? AND expires_at > ?';
    return changed(sql(query).run(prefix, prefix, liveAt ?? Number.MIN_SAFE_INTEGER));
  }
  const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
  const query = 'DELETE FROM idempotency WHERE key >= ? AND key < ? AND expires_at > ?';
  return changed(sql(query).run(prefix, upper, liveAt ?? Number.MIN_SAFE_INTEGER));
}

export function addParticipant(sql: Sql, roundId: string, voterKey: string, at: number): void {
  sql('INSERT OR IGNORE INTO participants (round_id, voter_key, joined_at) VALUES (?, ?, ?)').run(
    roundId,
    voterKey,
    at,
  );
}

export function participantCount(sql: Sql, roundId: string): number {
  const row = sql('SELECT COUNT(*) AS n FROM participants WHERE round_id = ?').get(roundId);
  return row ? num(row, 'n') : 0;
}

export function isParticipant(sql: Sql, roundId: string, voterKey: string): boolean {
  const row = sql('SELECT 1 FROM participants WHERE round_id = ? AND voter_key = ?');
  return row.get(roundId, voterKey) !== undefined;
}

/** Purges expired keys, then tells whether `key` is unused. */
export function keyFree(sql: Sql, key: string, now: number): boolean {
  sql('DELETE FROM idempotency WHERE expires_at <= ?').run(now);
  return sql('SELECT 1 FROM idempotency WHERE key = ?').get(key) === undefined;
}

export function recordKey(sql: Sql, key: string, expiresAt: number): void {
  sql('INSERT INTO idempotency (key, expires_at) VALUES (?, ?)').run(key, expiresAt);
}

/** The listed columns, then when the retention period began (null: keep). */
function columns(state: RoundState): [string, string, string, string, string, number | null] {
  const c = state.conversation;
  return [c.platform, c.tenant, c.conversationId, state.status, state.step, keepUntil(state, 0)];
}
