import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Clock, Job, JobHandler, Scheduler } from '../core/ports.ts';
import { StoreError } from '../store/errors.ts';
import { migrate, openDatabase, type Sql, statementCache } from '../store/sqlite-db.ts';
import {
  claimJob,
  completeJob,
  dueJobIds,
  failAbandoned,
  failJob,
  JOB_MIGRATIONS,
  pendingJobs,
  purgeFinished,
  upsertJob,
} from './sqlite-jobs.ts';

export interface SqliteSchedulerOptions {
  /** An open database (e.g. the store's), or a path to open one. */
  db?: DatabaseSync;
  path?: string;
  clock: Clock;
  pollMs?: number;
  /** How long a claimed job is reserved; after that another instance may take it over. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Delay before retry number `attempt + 1`, after `attempt` failed tries (1-based). */
  backoffMs?: (attempt: number) => number;
  /** How long finished jobs are kept so re-scheduling them stays a no-op. Default 30 days. */
  keepFinishedMs?: number;
  /** Jobs claimed per poll. */
  batchSize?: number;
  /** Told about polls that failed (the poller carries on). Never given job payloads. */
  onError?: (error: unknown) => void;
}

/** How often (clock time) a poll also deletes finished jobs older than `keepFinishedMs`. */
const PURGE_EVERY_MS = 60_000;

/** 5 s, 10 s, 20 s … capped at 15 min. Deterministic, so tests can reason about it. */
export const defaultBackoff = (attempt: number): number =>
  Math.min(5_000 * 2 ** (attempt - 1), 15 * 60_000);

/**
 * Durable jobs in a SQLite table, delivered by polling. Any number of
 * instances may poll the same file: a job is claimed by one atomic UPDATE,
 * so each is delivered once in normal operation (at least once after a crash
 * mid-handler, when the lease expires).
 */
export class SqliteScheduler implements Scheduler {
  readonly #db: DatabaseSync;
  readonly #ownsDb: boolean;
  readonly #sql: Sql;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: (attempt: number) => number;
  readonly #keepFinishedMs: number;
  readonly #batchSize: number;
  readonly #onError: (error: unknown) => void;
  #handler: JobHandler | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /** Clock time of the last purge of old finished jobs. */
  #purgedAt = Number.NEGATIVE_INFINITY;
  readonly #inFlight = new Set<Promise<number>>();

  constructor(options: SqliteSchedulerOptions) {
    if (options.db) this.#db = options.db;
    else if (options.path) this.#db = openDatabase(options.path);
    else throw new StoreError('SqliteScheduler needs a db or a path');
    this.#ownsDb = !options.db;
    this.#sql = statementCache(this.#db);
    this.#clock = options.clock;
    this.#pollMs = options.pollMs ?? 1000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoff = options.backoffMs ?? defaultBackoff;
    this.#keepFinishedMs = options.keepFinishedMs ?? 30 * 24 * 60 * 60_000;
    this.#batchSize = options.batchSize ?? 50;
    this.#onError = options.onError ?? (() => {});
    this.#guard('migrate', () => migrate(this.#db, JOB_MIGRATIONS));
  }

  async schedule(job: Job): Promise<void> {
    this.#guard('schedule', () => upsertJob(this.#sql, job));
  }

  async cancel(jobId: string): Promise<void> {
    // Only a job that has not fired; a finished row stays to keep re-scheduling idempotent.
    this.#guard('cancel', () => {
      this.#sql(`DELETE FROM jobs WHERE id = ? AND state = 'pending'`).run(jobId);
    });
  }

  async cancelRound(roundId: string): Promise<void> {
    this.#guard('cancelRound', () => {
      this.#sql(`DELETE FROM jobs WHERE round_id = ? AND state = 'pending'`).run(roundId);
    });
  }

  async pending(roundId: string): Promise<Job[]> {
    return this.#guard('pending', () => pendingJobs(this.#sql, roundId));
  }

  start(handler: JobHandler): void {
    this.#handler = handler;
    if (this.#running) return;
    this.#running = true;
    this.#arm();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops, then closes the database if this scheduler opened it. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#ownsDb && this.#db.isOpen) this.#db.close();
  }

  /**
   * Claims and runs the jobs due now, one after another, with `handler` or
   * the one given to start(). Returns how many handlers ran. Lets tests and
   * the simulation drive the scheduler with a manual clock and no timers.
   */
  async pollOnce(handler: JobHandler | undefined = this.#handler): Promise<number> {
    if (!handler) throw new StoreError('pollOnce needs a handler (or call start first)');
    const run = this.#poll(handler);
    this.#inFlight.add(run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(run);
    }
  }

  async #poll(handler: JobHandler): Promise<number> {
    const now = this.#clock.now();
    const ids = this.#guard('poll', () => {
      failAbandoned(this.#sql, now, this.#maxAttempts);
      // Now and then, not on every poll: a purge reads every finished row.
      if (now - this.#purgedAt >= PURGE_EVERY_MS) {
        purgeFinished(this.#sql, now - this.#keepFinishedMs);
        this.#purgedAt = now;
      }
      return dueJobIds(this.#sql, now, this.#batchSize);
    });
    let ran = 0;
    for (const id of ids) {
      const token = randomUUID();
      const at = this.#clock.now();
      const claimed = this.#guard('claim', () =>
        claimJob(this.#sql, id, at, at + this.#leaseMs, token, this.#maxAttempts),
      );
      if (!claimed) continue; // another instance was faster
      ran += 1;
      // Through a promise so that a handler throwing synchronously is caught too.
      const error = await Promise.resolve(claimed.job)
        .then(handler)
        .then(
          () => undefined,
          (thrown: unknown) => ({ thrown }),
        );
      if (!error) {
        this.#guard('complete', () => completeJob(this.#sql, id, token));
        continue;
      }
      const retry = claimed.attempts < this.#maxAttempts;
      const retryAt = retry ? this.#clock.now() + this.#backoff(claimed.attempts) : undefined;
      this.#guard('fail', () => failJob(this.#sql, id, token, describe(error.thrown), retryAt));
    }
    return ran;
  }

  #arm(delayMs = this.#pollMs): void {
    if (!this.#running) return;
    // setTimeout after each poll (not setInterval): polls never overlap.
    this.#timer = setTimeout(() => {
      let full = false;
      this.pollOnce()
        .then((ran) => {
          full = ran >= this.#batchSize;
        })
        // A failed poll (e.g. database busy) is retried on the next tick.
        .catch((error: unknown) => this.#onError(error))
        // A full batch: more are probably due (a backlog), so poll again at once.
        .finally(() => this.#arm(full ? 0 : this.#pollMs));
    }, delayMs);
    this.#timer.unref();
  }

  #guard<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`sqlite scheduler: ${name} failed`, { cause });
    }
  }
}

/** Kept short: the error's kind and message, no stack (which may quote data). */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
