import type { Clock } from '../../core/ports.ts';
import type { EditGate } from './edit-gate.ts';
import {
  createOutbox,
  type Outbox,
  type SendFailure,
  type SendFn,
  type SharedLimits,
} from './outbox.ts';
import type { BackoffOptions, RetryDecision } from './retry.ts';
import type { RateWindow } from './thread-limiter.ts';
import type { Timers } from './timers.ts';

/** Statuses Teams (Bot Connector) asks clients to retry with backoff. */
export const TEAMS_RETRYABLE_STATUSES: readonly number[] = [412, 429, 502, 504];

/**
 * What a platform channel (Teams, Slack) provides. The outbox does the rest:
 * coalescing of edits, per-thread order, rate limits, retries with backoff
 * and Retry-After.
 */
export interface OutboxChannel<T> {
  /**
   * One platform call: creates (`info.kind === 'post'`) or edits the message
   * `key` in `thread` (a Teams conversation id, a Slack channel id). Throws
   * on failure; the channel maps keys to platform message ids itself.
   */
  send: SendFn<T>;
  /** Which failures of `send` to retry, and the platform's Retry-After in ms. */
  isRetryable(error: unknown): RetryDecision;
  /** Per-thread windows (e.g. TEAMS_THREAD_LIMITS, SLACK_CHANNEL_LIMITS). */
  readonly limits: readonly RateWindow[];
  /** Optional windows shared by threads (e.g. a Slack workspace's Tier 3 budget). */
  readonly shared?: SharedLimits;
}

export interface ChannelOutboxDeps {
  clock: Clock;
  timers: Timers;
  /** Minimum time between two edits of one message, in ms. Default 2000. */
  intervalMs?: number;
  /** Attempts and backoff (defaults: 5 attempts, 500 ms base, 30 s cap, Math.random). */
  backoff?: BackoffOptions;
  onError?: (error: unknown, failure: SendFailure) => void;
  /** Shares edits with other instances (see `OutboxOptions.gate`); absent: this instance alone. */
  gate?: EditGate;
}

/** The outbox for a channel. */
export function createChannelOutbox<T>(
  channel: OutboxChannel<T>,
  deps: ChannelOutboxDeps,
): Outbox<T> {
  return createOutbox<T>({
    send: (thread, key, value, info) => channel.send(thread, key, value, info),
    limits: channel.limits,
    ...(channel.shared && { shared: channel.shared }),
    ...(deps.intervalMs !== undefined && { intervalMs: deps.intervalMs }),
    clock: deps.clock,
    timers: deps.timers,
    retry: { ...deps.backoff, isRetryable: (error) => channel.isRetryable(error) },
    ...(deps.onError && { onError: deps.onError }),
    ...(deps.gate && { gate: deps.gate }),
  });
}
