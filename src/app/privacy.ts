import type { Job } from '../core/ports.ts';
import type { ServiceDeps } from './service-types.ts';

/*
 * Deleting rounds (DESIGN.md §4: "a round and a user's data can be
 * deleted"): by the facilitator, by the operator (`dialogrunde round
 * delete`), and by the retention purge, which the scheduler runs once a day
 * (and shortly after start). Logs hold counts and round ids, never people.
 * Export: `privacy-export.ts`; forgetting a person: `privacy-forget.ts`;
 * the facilitator's confirmation step: `privacy-facilitator.ts`.
 */

/** What deleting a round needs: the service's store, scheduler and channel memory. */
export type PrivacyDeps = Pick<
  ServiceDeps,
  'store' | 'scheduler' | 'clock' | 'logger' | 'channelMemory'
>;

export type PurgeJob = Extract<Job, { type: 'purge' }>;

/** One id for the purge job, so every instance that schedules it schedules the same job. */
export const PURGE_JOB_ID = 'retention:purge';
/** The first purge after a start: soon, but not in the middle of starting up. */
export const PURGE_FIRST_DELAY_MS = 60_000;
/** Then once a day; after a failed purge (store down) an hour later. */
export const PURGE_EVERY_MS = 24 * 60 * 60_000;
export const PURGE_RETRY_MS = 60 * 60_000;
/** Rounds deleted per batch (one channel-memory sweep per batch). */
export const PURGE_BATCH = 100;

/**
 * The claims a round's nudges leave (`nudgeClaimKey` in nudges.ts:
 * `nudge:<roundId>:<step>:<voterKey>`), all of which start with this.
 */
export const nudgeClaimPrefix = (roundId: string) => `nudge:${roundId}:`;

/**
 * Deletes a round with everything stored about it: its pending jobs
 * (reminders, deadlines, nudges), its nudge claims, the round with its
 * ballots, tallies, participants and idempotency keys, and the message ids
 * the channels remember for it. Jobs go first, so none fires on a half-
 * deleted round; the channel memory last, after the round can no longer
 * make a channel post. True when the round existed. Failures throw (the
 * store's StoreError): the caller says "try again", and a purge retries.
 */
export async function deleteRound(deps: PrivacyDeps, roundId: string): Promise<boolean> {
  await forgetBeside(deps, roundId);
  const existed = await deps.store.delete(roundId);
  await deps.channelMemory?.forgetRounds([roundId]);
  deps.logger.info({ roundId, existed }, 'round deleted');
  return existed;
}

/** What lives beside a round in the store and the scheduler: its jobs and nudge claims. */
async function forgetBeside(deps: PrivacyDeps, roundId: string): Promise<void> {
  await deps.scheduler.cancelRound(roundId);
  await deps.store.releaseAll(nudgeClaimPrefix(roundId));
}

/**
 * Deletes every round whose retention period is over at `now` (epoch ms;
 * see `expiredRounds`), in batches. Returns how many. A store whose keys
 * expired by themselves (Redis) has dropped the round already; its jobs and
 * channel memory go here.
 */
export async function purgeExpired(deps: PrivacyDeps, now: number): Promise<number> {
  const done = new Set<string>();
  for (;;) {
    const ids = (await deps.store.expiredRounds(now, PURGE_BATCH)).filter((id) => !done.has(id));
    // No new ids: finished (or a store that keeps listing a deleted round: not forever).
    if (ids.length === 0) break;
    for (const id of ids) {
      await forgetBeside(deps, id);
      await deps.store.delete(id);
      done.add(id);
    }
    await deps.channelMemory?.forgetRounds(ids);
  }
  deps.logger.info({ purged: done.size }, 'retention purge done');
  return done.size;
}

/** Schedules the purge job `inMs` from now (replacing a pending one: one per deployment). */
export async function schedulePurge(deps: PrivacyDeps, inMs: number): Promise<void> {
  const job: PurgeJob = {
    id: PURGE_JOB_ID,
    roundId: '',
    runAt: deps.clock.now() + inMs,
    type: 'purge',
  };
  await deps.scheduler.schedule(job);
}

/**
 * The purge job is due: purges, then schedules the next one (a day later,
 * or an hour after a failure). Never throws: a retry of this job would be
 * stale anyway, since the next one is already scheduled under the same id.
 */
export async function runPurgeJob(deps: PrivacyDeps, _job: PurgeJob): Promise<void> {
  let next = PURGE_EVERY_MS;
  try {
    await purgeExpired(deps, deps.clock.now());
  } catch (error) {
    next = PURGE_RETRY_MS;
    deps.logger.error({ err: error }, 'retention purge failed; trying again in an hour');
  }
  try {
    await schedulePurge(deps, next);
  } catch (error) {
    // The next start schedules it again.
    deps.logger.error({ err: error }, 'scheduling the next retention purge failed');
  }
}
