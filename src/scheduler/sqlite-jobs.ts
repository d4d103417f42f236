import type { Job } from '../core/ports.ts';
import type { Migration, Row, Sql } from '../store/sqlite-db.ts';
import { changed, num, str } from '../store/sqlite-db.ts';

/**
 * The `jobs` table. `run_at` is the time the job was scheduled for (its
 * identity together with `id`); `next_at` is when it may next be attempted
 * (run_at, later pushed back by retries).
 */
export const JOB_MIGRATIONS: readonly Migration[] = [
  {
    name: 'scheduler-1',
    sql: `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  round_id TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  lease_token TEXT,
  last_error TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_at);
CREATE INDEX IF NOT EXISTS jobs_by_round ON jobs (round_id, state, run_at);
`,
  },
];

/**
 * Upsert by id. A pending job is replaced. A job that is running, done or
 * failed is left alone when runAt is unchanged (it already fired: the same
 * schedule call twice delivers once); with a different runAt it becomes a new
 * pending job, and a still-running handler can no longer complete it.
 */
export function upsertJob(sql: Sql, job: Job): void {
  sql(
    `INSERT INTO jobs (id, round_id, run_at, next_at, payload, state, attempts)
     VALUES (?, ?, ?, ?, ?, 'pending', 0)
     ON CONFLICT (id) DO UPDATE SET round_id = excluded.round_id, run_at = excluded.run_at,
       next_at = excluded.next_at, payload = excluded.payload, state = 'pending', attempts = 0,
       lease_until = NULL, lease_token = NULL, last_error = NULL
     WHERE jobs.state = 'pending' OR jobs.run_at <> excluded.run_at`,
  ).run(job.id, job.roundId, job.runAt, job.runAt, JSON.stringify(job));
}

/**
 * Ids that look claimable now, soonest first; each must still be claimed
 * with `claimJob`. Two range scans of `jobs_due`, each already in order and
 * cut at `limit`: one query with OR had to sort every due row on each poll,
 * which with a backlog of due jobs (100,000 reminders at 09:00) cost more
 * than running them. Jobs due at the same ms come in insertion order.
 */
export function dueJobIds(sql: Sql, now: number, limit: number): string[] {
  const pending = sql(
    `SELECT id, next_at AS at FROM jobs WHERE state = 'pending' AND next_at <= ?
     ORDER BY next_at LIMIT ?`,
  ).all(now, limit);
  const expired = sql(
    `SELECT id, next_at AS at FROM jobs WHERE state = 'running' AND lease_until <= ?
     ORDER BY next_at LIMIT ?`,
  ).all(now, limit);
  return [...pending, ...expired]
    .sort((a, b) => num(a, 'at') - num(b, 'at'))
    .slice(0, limit)
    .map((row) => str(row, 'id'));
}

export interface Claimed {
  job: Job;
  attempts: number;
}

/**
 * Atomically takes a due job: one UPDATE whose WHERE re-checks the state, so
 * of two instances racing for the same row exactly one sees a change. A
 * running job whose lease expired (its instance crashed) is taken over.
 * Attempts count claims, so a job that crashes its process gives up too.
 */
export function claimJob(
  sql: Sql,
  id: string,
  now: number,
  leaseUntil: number,
  token: string,
  maxAttempts: number,
): Claimed | undefined {
  const row = sql(
    `UPDATE jobs SET state = 'running', lease_until = ?, lease_token = ?, attempts = attempts + 1
     WHERE id = ? AND attempts < ? AND ((state = 'pending' AND next_at <= ?)
       OR (state = 'running' AND lease_until <= ?))
     RETURNING payload, attempts`,
  ).get(leaseUntil, token, id, maxAttempts, now, now);
  if (!row) return undefined;
  return { job: JSON.parse(str(row, 'payload')) as Job, attempts: num(row, 'attempts') };
}

/** Gives up on jobs whose lease expired after their last allowed attempt. */
export function failAbandoned(sql: Sql, now: number, maxAttempts: number): void {
  sql(
    `UPDATE jobs SET state = 'failed', lease_until = NULL, lease_token = NULL,
       last_error = 'lease expired' WHERE state = 'running' AND lease_until <= ? AND attempts >= ?`,
  ).run(now, maxAttempts);
}

/** Marks our claim done; false when the claim was lost (lease taken over, rescheduled). */
export function completeJob(sql: Sql, id: string, token: string): boolean {
  const result = sql(
    `UPDATE jobs SET state = 'done', lease_until = NULL, lease_token = NULL, last_error = NULL
     WHERE id = ? AND lease_token = ?`,
  ).run(id, token);
  return changed(result) > 0;
}

/** After a throw: pending again at `retryAt`, or failed when `retryAt` is undefined. */
export function failJob(
  sql: Sql,
  id: string,
  token: string,
  error: string,
  retryAt: number | undefined,
): void {
  sql(
    `UPDATE jobs SET state = ?, next_at = coalesce(?, next_at), lease_until = NULL,
       lease_token = NULL, last_error = ? WHERE id = ? AND lease_token = ?`,
  ).run(retryAt === undefined ? 'failed' : 'pending', retryAt ?? null, error, id, token);
}

export function pendingJobs(sql: Sql, roundId: string): Job[] {
  return sql(
    `SELECT payload FROM jobs WHERE round_id = ? AND state = 'pending' ORDER BY run_at, id`,
  )
    .all(roundId)
    .map((row: Row) => JSON.parse(str(row, 'payload')) as Job);
}

/** Finished jobs are kept (so re-scheduling them is a no-op) until they are old. */
export function purgeFinished(sql: Sql, before: number): void {
  sql(`DELETE FROM jobs WHERE state IN ('done', 'failed') AND run_at < ?`).run(before);
}
