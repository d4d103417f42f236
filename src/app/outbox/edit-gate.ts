import type { MessageRevision } from '../../core/ports.ts';

/**
 * Coordinates the sends of one platform message (a Teams card, a Slack
 * message) between bot instances that share a backend (Redis), so that
 * several instances behind a load balancer behave like one outbox:
 *
 * - newest wins: each instance `offer`s the revision it wants to show; only
 *   the instance holding the newest offered revision sends it, and it checks
 *   `isNewest` again under the lease right before the platform call;
 * - one edit per interval: every edit attempt first takes the message's
 *   lease (`acquire`), which no instance can take again within `intervalMs`;
 * - post once: the first instance to `claimPost` a new message posts it; the
 *   others wait for its platform id and edit.
 *
 * Because revisions only grow and a send needs the lease plus the newest
 * revision, sends of a message never go back to an older revision, and the
 * newest offered revision is always held by some instance that will send it
 * (unless that instance dies). Ties (the same revision offered by two
 * instances) go to the first one.
 *
 * `messageKey` is opaque (the outbox uses JSON of [thread, key]); several
 * channels sharing one gate use `namespacedGate`. All times are milliseconds.
 * Entries expire some minutes after their last use, so nothing piles up.
 */
export interface EditGate {
  /**
   * Records `revision` as offered by this instance for `messageKey`. Resolves
   * true when it is the newest offered so far (newer than any other, or equal
   * to the newest and offered first by this instance): this instance should
   * send it. False: another instance holds a newer (or the same) revision and
   * will send that; drop this one.
   */
  offer(messageKey: string, revision: MessageRevision): Promise<boolean>;
  /**
   * Tries to take the edit lease of `messageKey` for `intervalMs` ms. Resolves
   * 0 when taken (this instance may make one platform call now), else the ms
   * (≥ 1) until the current lease ends. A lease is never given back early: it
   * is what spaces two edits of a message by at least `intervalMs`.
   */
  acquire(messageKey: string, intervalMs: number): Promise<number>;
  /**
   * Whether `revision` is still the newest offered for `messageKey` and this
   * instance offered it (or nothing is recorded). Checked while holding the
   * lease, right before the platform call: false means a newer value exists
   * elsewhere, so this one must not be sent.
   */
  isNewest(messageKey: string, revision: MessageRevision): Promise<boolean>;
  /**
   * Claims the right to post the new message `messageKey` for `ttlMs` ms
   * (long enough for the post, its retries and saving its platform id). True
   * for the first claimant; false while someone's claim lives.
   */
  claimPost(messageKey: string, ttlMs: number): Promise<boolean>;
  /** Gives this instance's post claim back (the post was given up). No-op when not ours. */
  releasePost(messageKey: string): Promise<void>;
}

/** How long gate entries (revisions, post claims' owners) live after their last use: 10 minutes. */
export const GATE_ENTRY_TTL_MS = 10 * 60 * 1000;

/** Default post claim: 2 minutes, enough for a post behind rate limits and retries. */
export const POST_CLAIM_TTL_MS = 2 * 60 * 1000;

/** The gate's key of message `key` in `thread` (the outbox's own message key). */
export const gateKey = (thread: string, key: string): string => JSON.stringify([thread, key]);

/** The same gate with every message key prefixed by `namespace` (e.g. 'teams', 'slack'). */
export function namespacedGate(gate: EditGate, namespace: string): EditGate {
  const k = (messageKey: string) => `${namespace}:${messageKey}`;
  return {
    offer: (messageKey, revision) => gate.offer(k(messageKey), revision),
    acquire: (messageKey, intervalMs) => gate.acquire(k(messageKey), intervalMs),
    isNewest: (messageKey, revision) => gate.isNewest(k(messageKey), revision),
    claimPost: (messageKey, ttlMs) => gate.claimPost(k(messageKey), ttlMs),
    releasePost: (messageKey) => gate.releasePost(k(messageKey)),
  };
}
