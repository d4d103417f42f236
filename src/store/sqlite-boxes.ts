import type { BallotValue, BoxId, RoundCounts, RoundState, Tally } from '../core/model.ts';
import { openBoxIds } from '../core/round/boxes.ts';
import { StoreError } from './errors.ts';
import { num, type Row, type Sql, str } from './sqlite-db.ts';
import { foldBallots, isBoxId, mergeTallies } from './tally.ts';

/**
 * Ballot boxes of the SQLite store. Every function runs inside the caller's
 * transaction (or is a single read), on the caller's statement cache.
 */

/**
 * Makes open_boxes equal `openBoxIds(state)`. A box dropped from the list is
 * sealed: its ballots fold into its tally and the per-voter rows are deleted.
 * A box listed again after sealing re-opens empty; its next seal adds to the
 * old tally (a voter who voted in both openings then counts twice: the price
 * of not keeping who voted).
 */
export function reconcileBoxes(sql: Sql, state: RoundState): void {
  const wanted = new Set<string>(openBoxIds(state));
  const open = sql('SELECT box FROM open_boxes WHERE round_id = ?').all(state.id).map(boxOf);
  for (const box of open) if (!wanted.has(box)) seal(sql, state.id, box);
  const insert = sql('INSERT OR IGNORE INTO open_boxes (round_id, box) VALUES (?, ?)');
  for (const box of wanted) insert.run(state.id, box);
}

function seal(sql: Sql, roundId: string, box: BoxId): void {
  const values = sql('SELECT value FROM ballots WHERE round_id = ? AND box = ?')
    .all(roundId, box)
    .map((row) => JSON.parse(str(row, 'value')) as BallotValue);
  const previous = sql('SELECT ballots, counts FROM tallies WHERE round_id = ? AND box = ?').get(
    roundId,
    box,
  );
  const tally = mergeTallies(previous && tallyOf(previous), foldBallots(box, values));
  sql(
    `INSERT INTO tallies (round_id, box, ballots, counts) VALUES (?, ?, ?, ?)
     ON CONFLICT (round_id, box) DO UPDATE SET ballots = excluded.ballots, counts = excluded.counts`,
  ).run(roundId, box, tally.ballots, JSON.stringify(tally.counts));
  // Anonymity: once sealed, only the counts above remain.
  sql('DELETE FROM ballots WHERE round_id = ? AND box = ?').run(roundId, box);
  sql('DELETE FROM open_boxes WHERE round_id = ? AND box = ?').run(roundId, box);
}

/** Records or replaces a ballot; the round is known to exist. */
/** A ballot's outcome in an open box; the caller adds the version and counts of CastResult. */
export type CastInto =
  | { ok: true; outcome: 'recorded' | 'changed' | 'unchanged' }
  | { ok: false; reason: 'box_not_open' };

export function castInto(
  sql: Sql,
  roundId: string,
  box: BoxId,
  voterKey: string,
  value: BallotValue,
  at: number,
): CastInto {
  if (!sql('SELECT 1 FROM open_boxes WHERE round_id = ? AND box = ?').get(roundId, box)) {
    return { ok: false, reason: 'box_not_open' };
  }
  const json = JSON.stringify(value);
  const before = readBallot(sql, roundId, box, voterKey);
  const outcome = before === undefined ? 'recorded' : before === json ? 'unchanged' : 'changed';
  if (outcome !== 'unchanged') {
    sql(
      `INSERT INTO ballots (round_id, box, voter_key, value, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (round_id, box, voter_key) DO UPDATE SET value = excluded.value, at = excluded.at`,
    ).run(roundId, box, voterKey, json, at);
  }
  return { ok: true, outcome };
}

/** The ballot as stored JSON, or undefined. */
export function readBallot(
  sql: Sql,
  roundId: string,
  box: BoxId,
  voterKey: string,
): string | undefined {
  const row = sql('SELECT value FROM ballots WHERE round_id = ? AND box = ? AND voter_key = ?').get(
    roundId,
    box,
    voterKey,
  );
  return row ? str(row, 'value') : undefined;
}

/** Ballots per open box (zero included) and tallies of boxes that are sealed now. */
export function boxCounts(sql: Sql, roundId: string): Omit<RoundCounts, 'participants'> {
  const result: Omit<RoundCounts, 'participants'> = { ballots: {}, tallies: {} };
  const open = sql(
    `SELECT o.box AS box, COUNT(b.voter_key) AS n FROM open_boxes o
     LEFT JOIN ballots b ON b.round_id = o.round_id AND b.box = o.box
     WHERE o.round_id = ? GROUP BY o.box`,
  ).all(roundId);
  for (const row of open) result.ballots[boxOf(row)] = num(row, 'n');
  // A re-opened box keeps its old tally stored, but it is reported only once sealed again.
  const sealed = sql(
    `SELECT box, ballots, counts FROM tallies t WHERE round_id = ? AND NOT EXISTS
     (SELECT 1 FROM open_boxes o WHERE o.round_id = t.round_id AND o.box = t.box)`,
  ).all(roundId);
  for (const row of sealed) result.tallies[boxOf(row)] = tallyOf(row);
  return result;
}

function boxOf(row: Row): BoxId {
  const value = str(row, 'box');
  if (!isBoxId(value)) throw new StoreError('invalid box id in store', { permanent: true });
  return value;
}

function tallyOf(row: Row): Tally {
  return {
    ballots: num(row, 'ballots'),
    counts: JSON.parse(str(row, 'counts')) as Record<string, number>,
  };
}

/**
 * How many of `boxes` hold a ballot of this voter (who has voted, for
 * nudges; the values are not read). Sealed boxes have no ballot rows left.
 */
export function countBallotsOf(
  sql: Sql,
  roundId: string,
  voterKey: string,
  boxes: readonly BoxId[],
): number {
  const wanted = new Set<string>(boxes);
  if (wanted.size === 0) return 0;
  const rows = sql('SELECT box FROM ballots WHERE round_id = ? AND voter_key = ?').all(
    roundId,
    voterKey,
  );
  return rows.filter((row) => wanted.has(str(row, 'box'))).length;
}
