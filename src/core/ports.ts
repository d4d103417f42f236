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
import type { ViewModel } from './views/types.ts';

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
  | { ok: true; outcome: 'recorded' | 'changed' | 'unchanged'; ballots: number }
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
   * idempotency key the save happens at most once per key: a reused key
   * answers 'duplicate' before the version is compared, so a retried request
   * that already went through is reported as done, not as a conflict.
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
  wasSaved(idempotencyKey: string): Promise<boolean>;
  /**
   * Records or replaces the voter's ballot in an open box, atomically checking
   * the box is open. Also records the voter as a participant. `at` is epoch ms.
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
  /** Deletes a round with all its ballots, tallies and participants. True if it existed. */
  delete(roundId: string): Promise<boolean>;
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

/** Where a rendered message goes. `audience` narrows who may see it. */
export interface OutboundMessage {
  conversation: ConversationRef;
  audience: 'group' | 'facilitator';
  view: ViewModel;
}

/** A channel's output. It renders view models; it decides nothing. */
export interface ChannelOutput {
  /** Posts or updates the message for `view`. Channels coalesce rapid updates. */
  send(message: OutboundMessage): Promise<void>;
}
