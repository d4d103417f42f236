import type { Job } from '../core/ports.ts';
import { nudgeApplies, nudgeBoxes } from '../core/round/nudges.ts';
import { nudgeView } from '../core/views/nudge.ts';
import type { RoundService } from './round-service.ts';

export type NudgeJob = Extract<Job, { type: 'nudge' }>;

/**
 * How long "this person got this step's nudge" is remembered after the
 * step's deadline (a retried job, a second process, the facilitator going
 * back into the step: none sends a second one). The claim names the round,
 * the step and the person's round-scoped voter key, never the user id.
 */
export const NUDGE_CLAIM_AFTER_DEADLINE_MS = 30 * 24 * 60 * 60_000;

/** The claim that makes a nudge happen at most once per round, step and person. */
export const nudgeClaimKey = (roundId: string, step: string, voterKey: string) =>
  `nudge:${roundId}:${step}:${voterKey}`;

/** Raised when some nudges could not be delivered: the scheduler retries the job. */
export class NudgesNotSentError extends Error {
  constructor(count: number) {
    super(`${count} nudge(s) could not be delivered`);
    this.name = 'NudgesNotSentError';
  }
}

/**
 * A `nudge` job is due: every member of the round's conversation who has not
 * answered the step (see `nudgeBoxes`) gets one private message with the
 * counts ("7 af 9 har svaret") and their own progress. Who has answered comes
 * from the store's ballot count per voter key, never from what anyone voted.
 *
 * At most once per (round, step, person): each message is claimed before it
 * is sent; a failed delivery gives its claim back and the job is retried, so
 * it reaches only those still missing. Nothing about individuals is logged or
 * posted to the group: the log line holds counts.
 */
export async function sendNudges(service: RoundService, job: NudgeJob): Promise<void> {
  const { store, output, logger, clock } = service.deps;
  const roundId = job.roundId;
  const record = await store.load(roundId);
  if (!record || !nudgeApplies(record.state, job)) {
    logger.info({ roundId, job: job.id }, 'nudge no longer applies');
    return;
  }
  const { state } = record;
  const boxes = nudgeBoxes(state);
  if (boxes.length === 0) {
    logger.info({ roundId, step: state.step }, 'nudge: nothing to answer');
    return;
  }
  if (!output.members || !output.nudge) {
    logger.info({ roundId, platform: state.conversation.platform }, 'nudge: channel cannot send');
    return;
  }
  const members = await output.members(state.conversation);
  if (members === undefined) {
    logger.info({ roundId, platform: state.conversation.platform }, 'nudge: members unknown');
    return;
  }
  const tenant = state.conversation.tenant;
  const platform = state.conversation.platform;
  const people = await Promise.all(
    [...new Set(members)].map(async (userId) => {
      const key = service.keyOf(roundId, { platform, tenant, userId });
      const answered = await store.ballotCount(roundId, key, boxes);
      return { userId, key, left: Math.max(0, boxes.length - answered) };
    }),
  );
  const done = people.filter((p) => p.left === 0).length;
  const snap = await service.snapshot(roundId);
  if (!snap) return;
  const ttl = Math.max(0, job.deadline - clock.now()) + NUDGE_CLAIM_AFTER_DEADLINE_MS;
  const outcome = { sent: 0, earlier: 0, failed: 0 };
  await Promise.all(
    people
      .filter((p) => p.left > 0)
      .map(async (person) => {
        const claim = nudgeClaimKey(roundId, state.step, person.key);
        if (!(await store.claim(claim, ttl))) {
          outcome.earlier += 1;
          return;
        }
        const view = nudgeView(snap, {
          answered: done,
          members: people.length,
          left: person.left,
          total: boxes.length,
        });
        let delivered = false;
        try {
          delivered = view
            ? ((await output.nudge?.({
                conversation: state.conversation,
                userId: person.userId,
                view,
              })) ?? false)
            : false;
        } catch (error) {
          logger.error({ err: error, roundId }, 'nudge: sending failed');
        }
        if (delivered) {
          outcome.sent += 1;
          return;
        }
        outcome.failed += 1;
        await store.release(claim);
      }),
  );
  logger.info(
    { roundId, step: state.step, members: people.length, answered: done, ...outcome },
    'nudges sent',
  );
  if (outcome.failed > 0) throw new NudgesNotSentError(outcome.failed);
}
