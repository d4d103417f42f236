import { randomUUID } from 'node:crypto';
import { type Job as BullJob, Queue, Worker } from 'bullmq';
import { createClient } from 'redis';
import type { Clock, Job, JobHandler, Scheduler } from '../core/ports.ts';
import { StoreError } from '../store/errors.ts';
import { withTimeout } from '../store/redis-client.ts';
import { defaultBackoff } from './sqlite-scheduler.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface BullmqSchedulerOptions {
  /** Default `REDIS_URL`, else redis://127.0.0.1:6379. */
  url?: string;
  /** Namespaces every key (BullMQ's and ours). Default `dialogrunde`. */
  prefix?: string;
  /** Default `jobs`. */
  queueName?: string;
  clock: Clock;
  /**
   * `real` (production): BullMQ's own timers make jobs due (real time), and
   * start() runs a BullMQ Worker. `manual` (tests, simulation): jobs only
   * become due through pollOnce(), measured on `clock` — BullMQ still stores,
   * claims (locks) and completes them, but never promotes them by itself.
   */
  timing?: 'real' | 'manual';
  maxAttempts?: number;
  /** Delay before retry number `attempt + 1`, after `attempt` failed tries (1-based). */
  backoffMs?: (attempt: number) => number;
  /** How long finished jobs and delivery markers are kept. Default 30 days. */
  keepFinishedMs?: number;
  /** How long a worker holds a job before BullMQ considers it stalled. Default 30 s. */
  lockMs?: number;
  /**
   * Longest wait for schedule, cancel, cancelRound and pending, in ms: while
   * Redis is unreachable they fail after this instead of waiting for a
   * reconnect (the request that asked for them answers politely). Default 2000.
   */
  opTimeoutMs?: number;
  /** Worker concurrency (real timing). Default 4. */
  concurrency?: number;
  /** Told when a delivery is skipped: `stale` (replaced or cancelled), `delivered` (marker already set). For logs. */
  onSkipped?: (jobId: string, reason: 'stale' | 'delivered') => void;
  /** Told about worker and poll errors (the worker carries on). Never given job payloads. */
  onError?: (error: unknown) => void;
}

interface Payload {
  job: Job;
  /** Manual timing only: failed tries so far, and when the next try is due (clock ms). */
  attempts?: number;
  nextAt?: number;
}

const newClient = (url: string) => createClient({ url });
type NodeRedis = ReturnType<typeof newClient>;

type Bull = BullJob<Payload, unknown, string>;

/** Jobs in manual timing sit this far in BullMQ's (real-time) future: never promoted by BullMQ. */
const FAR_MS = 365 * 24 * 60 * 60_000;
const PENDING_STATES = new Set(['delayed', 'waiting', 'prioritized']);

/**
 * The BullMQ job id for our job: deterministic in (id, runAt). BullMQ ignores
 * an add whose id it already holds (also a completed one), so the same
 * schedule twice is one job; a new runAt is a new BullMQ job. Our ids contain
 * ':', which BullMQ forbids in ids, hence base64url.
 */
export const bullJobId = (job: Pick<Job, 'id' | 'runAt'>): string =>
  `${Buffer.from(job.id).toString('base64url')}.${job.runAt}`;

/**
 * Durable delayed jobs on BullMQ, shared by any number of instances.
 *
 * Keys besides BullMQ's (all under `<prefix>:<queue>:dr:`, each with a TTL of
 * time-until-due plus `keepFinishedMs`): `current:<jobId>` (its BullMQ id, so
 * a replaced job is recognised as stale), `round:<roundId>` (set of job ids:
 * the per-round index behind pending and cancelRound; BullMQ cannot filter by
 * round cheaply), `sent:<bullId>:<created>` (delivery markers).
 *
 * Delivery guarantee. BullMQ gives a job to one worker at a time (a lock),
 * but re-runs a job whose worker stopped renewing the lock (killed, or
 * blocked longer than `lockMs`): at least once. Before calling the handler
 * the wrapper records the delivery with SET NX (TTL `keepFinishedMs`); a
 * run that finds the marker already set skips the handler. A handler that
 * throws deletes its own marker, so the retry runs it again. Hence: the
 * handler is never entered twice for one scheduled job; when an instance is
 * killed inside the handler, the job is not re-run (at most once for that
 * crash — the side effect may or may not have happened). Deadlines and
 * nudges are additionally guarded by the round service (compare-and-set on
 * the round's version, stale-deadline checks); reminders rely on the marker.
 */
export class BullmqScheduler implements Scheduler {
  readonly #queue: Queue<Payload, unknown, string>;
  readonly #redis: NodeRedis;
  readonly #url: string;
  /** node-redis clients handed to BullMQ (it has no ioredis here); closed by close(). */
  readonly #bullClients: NodeRedis[] = [];
  readonly #clock: Clock;
  readonly #manual: boolean;
  readonly #maxAttempts: number;
  readonly #backoff: (attempt: number) => number;
  readonly #keepFinishedMs: number;
  readonly #lockMs: number;
  readonly #concurrency: number;
  readonly #onError: (error: unknown) => void;
  readonly #onSkipped: (jobId: string, reason: 'stale' | 'delivered') => void;
  readonly #keys: string;
  readonly #queueName: string;
  readonly #prefix: string;
  /** Manual timing: a worker without processor, for getNextJob. */
  #fetcher: Worker<Payload, unknown, string> | undefined;
  #worker: Worker<Payload, unknown, string> | undefined;
  #handler: JobHandler | undefined;
  #connected: Promise<unknown> | undefined;
  readonly #inFlight = new Set<Promise<number>>();
  readonly #opTimeoutMs: number;

  constructor(options: BullmqSchedulerOptions) {
    const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
    this.#prefix = options.prefix ?? 'dialogrunde';
    this.#queueName = options.queueName ?? 'jobs';
    this.#keys = `${this.#prefix}:${this.#queueName}:dr:`;
    this.#url = url;
    this.#clock = options.clock;
    this.#manual = options.timing === 'manual';
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoff = options.backoffMs ?? defaultBackoff;
    this.#keepFinishedMs = options.keepFinishedMs ?? 30 * 24 * 60 * 60_000;
    this.#lockMs = options.lockMs ?? 30_000;
    this.#concurrency = options.concurrency ?? 4;
    this.#opTimeoutMs = options.opTimeoutMs ?? 2000;
    this.#onError = options.onError ?? (() => {});
    this.#onSkipped = options.onSkipped ?? (() => {});
    this.#queue = new Queue<Payload, unknown, string>(this.#queueName, {
      connection: this.#bullConnection(),
      prefix: this.#prefix,
    });
    this.#queue.on('error', (error) => this.#onError(error));
    this.#redis = newClient(url);
    this.#redis.on('error', (error: unknown) => this.#onError(error));
  }

  /**
   * A fresh node-redis client for one BullMQ object (BullMQ connects it and
   * duplicates it for a worker's blocking connection).
   */
  #bullConnection(): NodeRedis {
    const client = newClient(this.#url);
    client.on('error', (error: unknown) => this.#onError(error));
    this.#bullClients.push(client);
    return client;
  }

  async #ready(): Promise<void> {
    this.#connected ??= this.#redis.connect();
    await this.#connected;
  }

  async schedule(job: Job): Promise<void> {
    await this.#guard('schedule', async () => {
      await this.#ready();
      const bullId = bullJobId(job);
      const roundKey = `${this.#keys}round:${job.roundId}`;
      // Kept until the job is due, and then as long as finished jobs are.
      const ttl = Math.max(0, job.runAt - this.#clock.now()) + this.#keepFinishedMs;
      const previous = await this.#redis.get(`${this.#keys}current:${job.id}`);
      const keepSec = Math.ceil(this.#keepFinishedMs / 1000);
      const delay = this.#manual ? FAR_MS : Math.max(0, job.runAt - this.#clock.now());
      // Before the job exists: a worker may take a job that is due at once right
      // after add(), and must then find it current (else it is skipped as stale).
      await this.#redis
        .multi()
        .set(`${this.#keys}current:${job.id}`, bullId, { expiration: { type: 'PX', value: ttl } })
        .sAdd(roundKey, job.id)
        // The index lives as long as its longest-lived job (NX: a new key has no TTL yet).
        .pExpire(roundKey, ttl, 'NX')
        .pExpire(roundKey, ttl, 'GT')
        .exec();
      // A no-op when BullMQ still holds this id (pending, or already delivered).
      await this.#queue.add(
        job.type,
        { job },
        {
          jobId: bullId,
          delay,
          // Manual timing counts attempts itself (BullMQ's backoff runs on real time).
          attempts: this.#manual ? 1 : this.#maxAttempts,
          backoff: { type: 'dialogrunde' },
          removeOnComplete: { age: keepSec },
          removeOnFail: { age: keepSec },
        },
      );
      if (previous && previous !== bullId) await this.#removeIfNotRunning(previous);
    });
  }

  async cancel(jobId: string): Promise<void> {
    await this.#guard('cancel', async () => {
      await this.#ready();
      const bullId = await this.#redis.get(`${this.#keys}current:${jobId}`);
      if (!bullId) return;
      const bull = await this.#queue.getJob(bullId);
      // Only a job that has not fired; a finished one stays to keep re-scheduling idempotent.
      if (bull && PENDING_STATES.has(await bull.getState())) await this.#tryRemove(bull);
    });
  }

  async cancelRound(roundId: string): Promise<void> {
    await this.#guard('cancelRound', async () => {
      await this.#ready();
      for (const id of await this.#redis.sMembers(`${this.#keys}round:${roundId}`)) {
        await this.cancel(id);
      }
    });
  }

  async pending(roundId: string): Promise<Job[]> {
    return this.#guard('pending', async () => {
      await this.#ready();
      const ids = await this.#redis.sMembers(`${this.#keys}round:${roundId}`);
      const jobs: Job[] = [];
      for (const id of ids) {
        const bullId = await this.#redis.get(`${this.#keys}current:${id}`);
        const bull = bullId ? await this.#queue.getJob(bullId) : undefined;
        if (bull && PENDING_STATES.has(await bull.getState())) jobs.push(bull.data.job);
      }
      return jobs.sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    });
  }

  /** Real timing: runs a BullMQ worker. Manual timing: only records the handler for pollOnce. */
  start(handler: JobHandler): void {
    this.#handler = handler;
    if (this.#manual || this.#worker) return;
    this.#worker = new Worker<Payload, unknown, string>(
      this.#queueName,
      async (bull) => {
        await this.#ready();
        await this.#deliver(bull, handler);
      },
      {
        connection: this.#bullConnection(),
        prefix: this.#prefix,
        concurrency: this.#concurrency,
        lockDuration: this.#lockMs,
        stalledInterval: this.#lockMs,
        settings: { backoffStrategy: (attemptsMade: number) => this.#backoff(attemptsMade) },
      },
    );
    this.#worker.on('error', (error) => this.#onError(error));
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    // Worker.close waits for the jobs it is running.
    if (worker) await worker.close();
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops, then closes the connections. */
  async close(): Promise<void> {
    await this.stop();
    await this.#fetcher?.close();
    await this.#queue.close();
    for (const client of this.#bullClients) {
      if (client.isOpen) await client.close().catch(() => {});
    }
    if (this.#connected) {
      await this.#connected.catch(() => {});
      if (this.#redis.isOpen) await this.#redis.close();
    }
  }

  /** Deletes every key of this queue (BullMQ's and ours), then closes. For tests. */
  async destroy(): Promise<void> {
    await this.stop();
    await this.#queue.obliterate({ force: true });
    await this.#ready();
    const pattern = `${this.#prefix}:${this.#queueName}:*`;
    for await (const keys of this.#redis.scanIterator({ MATCH: pattern, COUNT: 500 })) {
      if (keys.length > 0) await this.#redis.del(keys);
    }
    await this.close();
  }

  /**
   * Manual timing: makes the jobs due on the clock available, then claims
   * and runs them one after another with `handler`. Returns how many handlers
   * ran. Claiming is BullMQ's (a job locked by one instance is not handed to
   * another). Promotion scans the delayed set: fine for tests and the
   * simulation, not meant for large queues.
   */
  async pollOnce(handler: JobHandler | undefined = this.#handler): Promise<number> {
    if (!this.#manual) throw new StoreError('pollOnce needs timing: manual');
    if (!handler) throw new StoreError('pollOnce needs a handler (or call start first)');
    const run = this.#guard('poll', () => this.#poll(handler));
    this.#inFlight.add(run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(run);
    }
  }

  async #poll(handler: JobHandler): Promise<number> {
    await this.#ready();
    const now = this.#clock.now();
    for (const bull of (await this.#queue.getDelayed()) as Bull[]) {
      if (!bull?.data?.job) continue;
      if ((bull.data.nextAt ?? bull.data.job.runAt) > now) continue;
      // Another instance may promote (or remove) it first.
      await bull.promote().catch(() => {});
    }
    this.#fetcher ??= new Worker<Payload, unknown, string>(this.#queueName, null, {
      connection: this.#bullConnection(),
      prefix: this.#prefix,
      lockDuration: this.#lockMs,
      autorun: false,
    });
    let ran = 0;
    for (;;) {
      const token = randomUUID();
      const bull = (await this.#fetcher.getNextJob(token, { block: false })) as Bull | undefined;
      if (!bull) break;
      try {
        if (await this.#deliver(bull, handler)) ran += 1;
        await bull.moveToCompleted(undefined, token, false);
      } catch (error) {
        ran += 1;
        const attempts = (bull.data.attempts ?? 0) + 1;
        if (attempts < this.#maxAttempts) {
          const nextAt = this.#clock.now() + this.#backoff(attempts);
          await bull.updateData({ ...bull.data, attempts, nextAt });
          await bull.moveToDelayed(Date.now() + FAR_MS, token);
        } else {
          await bull.moveToFailed(toError(error), token, false);
        }
      }
    }
    return ran;
  }

  /**
   * Runs the handler once per scheduled job (see the class comment). Resolves
   * false when it skipped the job: replaced by a newer schedule, or already
   * delivered. Throws what the handler threw, after clearing the marker.
   */
  async #deliver(bull: Bull, handler: JobHandler): Promise<boolean> {
    const job = bull.data.job;
    const current = await this.#redis.get(`${this.#keys}current:${job.id}`);
    if (current !== bull.id) {
      this.#onSkipped(job.id, 'stale'); // a newer runAt replaced it
      return false;
    }
    const marker = `${this.#keys}sent:${bull.id}:${bull.timestamp}`;
    const token = randomUUID();
    const set = await this.#redis.set(marker, token, {
      condition: 'NX',
      expiration: { type: 'PX', value: this.#keepFinishedMs },
    });
    if (set === null) {
      // Delivered before, or a killed worker was inside the handler.
      this.#onSkipped(job.id, 'delivered');
      return false;
    }
    try {
      await Promise.resolve(job).then(handler);
    } catch (error) {
      if ((await this.#redis.get(marker)) === token) await this.#redis.del(marker);
      throw error;
    }
    return true;
  }

  async #removeIfNotRunning(bullId: string): Promise<void> {
    const bull = await this.#queue.getJob(bullId);
    // A running handler is not interrupted; it finishes, and a re-run finds it stale.
    if (bull && (await bull.getState()) !== 'active') await this.#tryRemove(bull);
  }

  async #tryRemove(bull: Bull): Promise<void> {
    // Fails when a worker locked the job meanwhile: then it fires, as a running job would.
    await bull.remove().catch(() => {});
  }

  async #guard<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      // Polls run in the background and may take long; requests must not wait on a dead Redis.
      return name === 'poll' ? await fn() : await withTimeout(fn(), this.#opTimeoutMs);
    } catch (cause) {
      if (cause instanceof StoreError) throw cause;
      throw new StoreError(`bullmq scheduler: ${name} failed`, { cause });
    }
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
