import { t } from '../core/i18n/index.ts';
import { NUDGE_STEPS, type PlanOwner, type Platform, type RoundState } from '../core/model.ts';
import { AppError } from './errors.ts';
import { nudgeClaimKey } from './nudges.ts';
import type { PrivacyDeps } from './privacy.ts';
import type { ServiceDeps } from './service-types.ts';

/*
 * `dialogrunde user forget PLATFORM USER`: removes what is stored about one
 * person. Votes need nothing: they are stored under round-scoped keyed
 * hashes and folded into counts when a card closes. What names a person:
 * follow-up items they own (the typed name, their platform user id and
 * their round key) and the records of the nudges they were sent.
 */

export type ForgetDeps = PrivacyDeps & Pick<ServiceDeps, 'keys'>;

export interface ForgetReport {
  /** Rounds of the platform looked through. */
  rounds: number;
  /** Follow-up items this person owned: now owned by a neutral "(deleted user)". */
  owners: number;
  /** Records that this person was sent a step's nudge, removed. */
  nudges: number;
  /**
   * Ids of the rounds this person facilitates. Kept as they are: the
   * facilitator key is a keyed hash, and a round cannot run without it;
   * delete such a round (`dialogrunde round delete`) to remove it.
   */
  facilitating: string[];
  /**
   * Installations removed for this person: always 0. Slack's installation
   * record keeps no installer (`src/channels/slack/installations.ts` drops it).
   */
  installations: 0;
}

/** Rounds looked at per page. */
const PAGE = 100;
/** Saves tried per round when the round changes under us (a running round). */
const ATTEMPTS = 8;

export async function forgetUser(
  deps: ForgetDeps,
  platform: Platform,
  userId: string,
): Promise<ForgetReport> {
  const report: ForgetReport = {
    rounds: 0,
    owners: 0,
    nudges: 0,
    facilitating: [],
    installations: 0,
  };
  for (let offset = 0; ; offset += PAGE) {
    const rows = await deps.store.listByPlatform(platform, PAGE, offset);
    for (const row of rows) {
      const who = { platform, tenant: row.conversation.tenant, userId };
      const key = deps.keys.of(row.id, who);
      const found = await forgetInRound(deps, row.id, (owner) => isOwner(owner, who, key));
      if (found === undefined) continue;
      report.rounds += 1;
      report.owners += found.owners;
      if (found.facilitatorKey === key) report.facilitating.push(row.id);
      for (const step of NUDGE_STEPS) {
        if (await deps.store.release(nudgeClaimKey(row.id, step, key))) report.nudges += 1;
      }
    }
    if (rows.length < PAGE) break;
  }
  // Counts only: the person is the operator's to know, not the log's.
  const { rounds, owners, nudges } = report;
  const facilitating = report.facilitating.length;
  deps.logger.info({ platform, rounds, owners, nudges, facilitating }, 'user forgotten');
  return report;
}

function isOwner(
  owner: PlanOwner,
  who: { platform: Platform; userId: string },
  key: string,
): boolean {
  const user = owner.user;
  return (user?.platform === who.platform && user.userId === who.userId) || owner.key === key;
}

/**
 * Replaces the owner of each matching item with a neutral name in the
 * round's language, without user or key, by compare-and-set (retried when
 * the round changed meanwhile). `updatedAt` stays: forgetting someone is no
 * change of the round's content and must not extend its retention.
 * Undefined when the round is gone.
 */
async function forgetInRound(
  deps: ForgetDeps,
  roundId: string,
  matches: (owner: PlanOwner) => boolean,
): Promise<{ owners: number; facilitatorKey: string } | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const record = await deps.store.load(roundId);
    if (!record) return undefined;
    const { state } = record;
    const owners = state.plan.filter((item) => matches(item.owner)).length;
    if (owners === 0) return { owners, facilitatorKey: state.facilitatorKey };
    const saved = await deps.store.save(withoutOwner(state, matches), record.version);
    if (saved.ok) return { owners, facilitatorKey: state.facilitatorKey };
  }
  throw new AppError(`forget: round ${roundId} kept changing; try again`);
}

function withoutOwner(state: RoundState, matches: (owner: PlanOwner) => boolean): RoundState {
  const owner: PlanOwner = { name: t(state.settings.lang, 'privacy.deletedUser') };
  return {
    ...state,
    plan: state.plan.map((item) => (matches(item.owner) ? { ...item, owner } : item)),
  };
}
