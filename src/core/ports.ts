/**
 * Ports: the small interfaces the core needs from the outside world. The core
 * owns them; `src/store`, `src/scheduler` and `src/channels` implement them.
 * Every implementation passes the contract suites in `tests/contracts/`.
 */
import type {
  BallotValue,
  BoxId,
  ConversationRef,
  Platform,
  RoundCounts,
  RoundState,
  StepId,
} from './model.ts';
import type { NudgeView, ViewModel } from './views/types.ts';

/** Wall-clock time. Injectable so tests and simulations control it. */
export interface Clock {
  /** Current time in epoch milliseconds (UTC). */
  now(): number;
}

export interface RoundRecord {
  state: RoundState;
  /** Optimistic-concurrency version: 1 after create, +1 per successful save. */
  version: number;
}

export type SaveResult =
  | { ok: true; version: number }
  /** conflict: someone saved first; duplicate: the idempotency key was used before. */
  | { ok: false; reason: 'conflict' | 'duplicate' };

export type CastResult =
  | {
      ok: true;
      outcome: 'recorded' | 'changed' | 'unchanged';
      /** Ballots in the box, this one included. */
      ballots: number;
      /** The round's version when the ballot went in (ballots never change it). */
      version: number;
      /**
       * What `counts` would return right after this ballot, read in the same
       * atomic step: saves the vote path a second round trip.
       */
      counts: RoundCounts;
    }
  | { ok: false; reason: 'box_not_open' | 'round_not_found' };

export interface RoundSummaryRow {
  id: string;
  conversation: ConversationRef;
  step: StepId;
  status: RoundState['status'];
  updatedAt: number;
}

/**
 * Persistent rounds and their ballots. Ballots are keyed by a voter key (a
 * keyed hash, never a raw user id); when a box closes only its counts remain.
 */
export interface RoundStore {
  /** Inserts a new round at version 1 and opens its open boxes. Throws if the id exists. */
  create(state: RoundState): Promise<RoundRecord>;
  /** The round, or undefined when there is none with that id. */
  load(roundId: string): Promise<RoundRecord | undefined>;
  /**
   * Compare-and-set: writes `state` only if the stored version equals
   * `expectedVersion`. In the same atomic step it opens boxes that
   * `openBoxIds(state)` lists and seals every open box it no longer lists
   * (ballots become a Tally; per-voter rows are deleted). With an
   * idempotency key the save happens at most once per key and round: a
   * reused key answers 'duplicate' before the version is compared, so a
   * retried request that already went through is reported as done, not as a
   * conflict. Keys are scoped to the round (the same key on another round is
   * a different key), so a store can keep them beside the round's data.
   * A sealed box always has a tally (possibly `{ ballots: 0, counts: {} }`).
   */
  save(
    state: RoundState,
    expectedVersion: number,
    options?: { idempotencyKey?: string },
  ): Promise<SaveResult>;
  /**
   * Whether a save with this idempotency key succeeded (and the key has not
   * expired). Lets a retried request that the rules would now refuse (the
   * card it added exists already) be answered as the duplicate it is.
   */
  wasSaved(roundId: string, idempotencyKey: string): Promise<boolean>;
  /**
   * Records or replaces the voter's ballot in an open box, atomically checking
   * the box is open. Also records the voter as a participant. `at` is epoch ms.
   * Returns the round's version and the counts after the ballot.
   */
  castBallot(
    roundId: string,
    box: BoxId,
    voterKey: string,
    value: BallotValue,
    at: number,
  ): Promise<CastResult>;
  /** The voter's ballot in an open box (to show "your vote: 4"); undefined after sealing. */
  ballotOf(roundId: string, box: BoxId, voterKey: string): Promise<BallotValue | undefined>;
  /**
   * How many of `boxes` hold a ballot of this voter: who has voted (for
   * nudges), never what. Only open boxes count (sealed ones keep no voters);
   * 0 for an unknown round, voter or box.
   */
  ballotCount(roundId: string, voterKey: string, boxes: readonly BoxId[]): Promise<number>;
  /** Records a participant (idempotent). Returns the number of participants. Throws for an unknown round. */
  join(roundId: string, voterKey: string, at: number): Promise<number>;
  /** Whether this voter has joined the round. */
  hasJoined(roundId: string, voterKey: string): Promise<boolean>;
  /** Participants, ballots per open box and tallies of sealed boxes. */
  counts(roundId: string): Promise<RoundCounts>;
  /**
   * Claims a one-off key (e.g. a platform event id) for `ttlMs` milliseconds
   * from now (store clock). True the first time, false while the claim lives
   * (until it expires or is released). Claims never collide with `save`'s
   * idempotency keys.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Gives a claimed key back at once, before its `ttlMs` run out: the work the
   * claim guarded failed, so a redelivery of the same event must run. True when
   * a live claim was removed; false (and no change) for a key that is not
   * claimed or whose claim expired. Never touches `save`'s idempotency keys.
   */
  release(key: string): Promise<boolean>;
  /** Rounds in a conversation, newest (by creation) first. */
  listByConversation(conversation: ConversationRef, limit: number): Promise<RoundSummaryRow[]>;
  /**
   * Rounds of a tenant (a Slack workspace or organisation, a Teams tenant),
   * across all its conversations, newest (by creation) first; at most `limit`.
   */
  listByTenant(platform: Platform, tenant: string, limit: number): Promise<RoundSummaryRow[]>;
  /**
   * Rounds of a platform across all its tenants and conversations (to find
   * what belongs to one person: `dialogrunde user forget`), newest (by
   * creation) first: at most `limit`, after skipping the first `offset`.
   */
  listByPlatform(platform: Platform, limit: number, offset?: number): Promise<RoundSummaryRow[]>;
  /**
   * Ids of rounds whose retention period is over at `now` (epoch ms): ended,
   * every follow-up item done, and last changed at least the store's
   * retention period before `now` (`keepUntil` in core/round/retention.ts).
   * Oldest first, at most `limit`. A store whose keys expire by themselves
   * (Redis) may have dropped such a round's data already; its id is listed
   * until `delete(id)` all the same, so what lives beside the round (jobs,
   * channel memory, claims) can be removed with it.
   */
  expiredRounds(now: number, limit: number): Promise<string[]>;
  /**
   * Deletes a round with all its ballots, tallies, participants and save
   * idempotency keys (`wasSaved` answers false afterwards), and drops it from
   * every listing and from `expiredRounds`. True if the round existed.
   */
  delete(roundId: string): Promise<boolean>;
  /**
   * Releases every live claim whose key starts with `prefix` (a deleted
   * round's nudge claims: `nudge:<roundId>:`); answers how many. Never
   * touches save idempotency keys.
   */
  releaseAll(prefix: string): Promise<number>;
  /** True when the backing storage answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * What a channel remembers about the places it posts to: enough to reach a
 * conversation again proactively, and which platform message shows which
 * view. Opaque to the core; only channels read it.
 */
export interface ChannelMemory {
  /**
   * Stores (or replaces) what the channel needs to reach the conversation
   * again. `data` is the channel's own JSON text (Teams: service url and
   * the conversation reference); the memory does not parse it.
   */
  saveConversation(ref: {
    platform: Platform;
    tenant: string;
    conversationId: string;
    data: string;
  }): Promise<void>;
  /** The JSON text saved last for this conversation, or undefined. */
  conversation(
    platform: Platform,
    tenant: string,
    conversationId: string,
  ): Promise<string | undefined>;
  /**
   * Remembers (or replaces) the platform message id (Teams activity id,
   * Slack ts) that shows the view with key `key` in the conversation.
   */
  saveMessage(
    platform: Platform,
    conversationId: string,
    key: string,
    messageId: string,
  ): Promise<void>;
  /** The platform message id saved for `key` in the conversation, or undefined. */
  message(platform: Platform, conversationId: string, key: string): Promise<string | undefined>;
  /**
   * Forgets the message ids saved for these rounds, in every platform and
   * conversation: keys `<roundId>:…` (views: `base` in core/views/input.ts)
   * and `…:<roundId>` (a channel's per-round records, e.g. Teams'
   * `facilitator-chat:<roundId>`). Conversation references stay: a
   * conversation outlives its rounds. Answers how many were forgotten.
   */
  forgetRounds(roundIds: readonly string[]): Promise<number>;
}

/**
 * An app's installation in a tenant, as a platform's OAuth flow leaves it
 * (Slack: a workspace or an Enterprise Grid organisation that installed the
 * app). `data` is the channel's own text, opaque to the store; channels
 * encrypt the tokens in it before saving (see `src/app/secret-box.ts`).
 */
export interface InstallationRecord {
  platform: Platform;
  /**
   * What the installation is keyed by: the organisation id of an org-wide
   * install, else the workspace id.
   */
  key: string;
  /**
   * The organisation a workspace install belongs to (Slack Enterprise Grid),
   * so `find` reaches it from the organisation id too; null when none.
   */
  organisation: string | null;
  data: string;
}

/** Installations of the app, one per (platform, key). */
export interface InstallationStore {
  /** Stores the installation, replacing one with the same platform and key (a reinstall). */
  save(installation: InstallationRecord): Promise<void>;
  /**
   * The installation that serves `tenant`: the one keyed by `tenant`; else,
   * when `tenant` is an organisation id, the most recently saved workspace
   * installation of that organisation; else undefined.
   */
  find(platform: Platform, tenant: string): Promise<InstallationRecord | undefined>;
  /** Removes the installation keyed by `key`. True if there was one. */
  delete(platform: Platform, key: string): Promise<boolean>;
}

/** A persisted job. `id` is deterministic: scheduling the same id twice keeps one job. */
export type Job =
  | {
      id: string;
      roundId: string;
      /** Epoch ms. */
      runAt: number;
      type: 'deadline';
      step: StepId;
      /** The deadline this job was made for; a job whose deadline no longer matches is stale. */
      deadline: number;
    }
  | {
      id: string;
      roundId: string;
      runAt: number;
      type: 'reminder';
      itemId: string;
      /** The due date this reminder was made for. */
      due: string;
      /** 0 on the due date, else days before it. */
      daysBefore: number;
    }
  | {
      id: string;
      roundId: string;
      runAt: number;
      /** Async mode: remind those who have not answered the step yet (see `nudgeAtPercent`). */
      type: 'nudge';
      step: StepId;
      /** The step's deadline when the job was made; a job whose deadline no longer matches is stale. */
      deadline: number;
    }
  | {
      id: string;
      /** '': the job belongs to no round. */
      roundId: '';
      runAt: number;
      /** Retention: deletes the rounds whose period is over (`expiredRounds`), then comes back later. */
      type: 'purge';
    };

export type JobHandler = (job: Job) => Promise<void>;

/**
 * Durable delayed jobs. A job fires once at or after `runAt`, also after a
 * restart; a handler that throws is retried with backoff.
 */
export interface Scheduler {
  /**
   * Adds or replaces the pending job with this id. Scheduling a job that
   * already fired again with the same `runAt` does nothing (idempotent); a
   * different `runAt` makes it pending again.
   */
  schedule(job: Job): Promise<void>;
  /** Removes the job if it has not fired (a running job is not interrupted). No-op when unknown. */
  cancel(jobId: string): Promise<void>;
  /** Removes every pending job of the round. */
  cancelRound(roundId: string): Promise<void>;
  /** Pending jobs of a round, soonest first. */
  pending(roundId: string): Promise<Job[]>;
  /** Begins delivering due jobs to the handler. */
  start(handler: JobHandler): void;
  /** Stops delivering and waits for running handlers to finish. */
  stop(): Promise<void>;
}

/**
 * Which state of the round a rendering shows, so that two renderings of the
 * same message can be ordered (newest wins) even when several instances send
 * them: compare `version` first, then `progress`.
 */
export interface MessageRevision {
  /** The round's version in the store (`RoundRecord.version`) the view was built from. */
  version: number;
  /**
   * Participants plus ballots in open boxes (`RoundCounts`) when the view was
   * built. Votes and joins do not change the version; this only grows while
   * the version stays the same (boxes close only by a save, which bumps it).
   */
  progress: number;
}

/** Where a rendered message goes. `audience` narrows who may see it. */
export interface OutboundMessage {
  conversation: ConversationRef;
  audience: 'group' | 'facilitator';
  view: ViewModel;
  /**
   * The round state the view shows, when the sender knows it. Channels that
   * edit messages in place use it to drop a rendering older than one already
   * offered (e.g. by another instance). Absent: no such check.
   */
  revision?: MessageRevision;
}

/** A private message to one person of a conversation: a nudge of an async round. */
export interface NudgeMessage {
  /** The round's conversation (the person is one of its members). */
  conversation: ConversationRef;
  /** The person, as `members` named them. */
  userId: string;
  view: NudgeView;
}

/** A channel's output. It renders view models; it decides nothing. */
export interface ChannelOutput {
  /** Posts or updates the message for `view`. Channels coalesce rapid updates. */
  send(message: OutboundMessage): Promise<void>;
  /**
   * Optional (async rounds' nudges): the people in a conversation, bots left
   * out, as platform user ids; undefined when the channel cannot tell.
   * Channels without it get no nudges.
   */
  members?(conversation: ConversationRef): Promise<string[] | undefined>;
  /**
   * Optional: sends one person a nudge privately (nobody else sees it).
   * Resolves true once delivered, false when it was given up.
   */
  nudge?(message: NudgeMessage): Promise<boolean>;
}
