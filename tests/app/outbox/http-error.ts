import { TEAMS_RETRYABLE_STATUSES } from '../../../src/app/outbox/channel.ts';
import type { RetryDecision } from '../../../src/app/outbox/retry.ts';

/** Fails a platform call with an HTTP status (and Retry-After in ms). */
export class HttpError extends Error {
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, retryAfterMs?: number) {
    super(`HTTP ${status}`);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Teams' rule: 412/429/502/504 are retried, honouring Retry-After. */
export function teamsRetryable(error: unknown): RetryDecision {
  if (!(error instanceof HttpError) || !TEAMS_RETRYABLE_STATUSES.includes(error.status)) {
    return { retry: false };
  }
  return error.retryAfterMs === undefined
    ? { retry: true }
    : { retry: true, afterMs: error.retryAfterMs };
}
