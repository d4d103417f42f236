import type { Clock } from '../../core/ports.ts';

/** How to treat a failure: retry or not, and how long the platform asked to wait (ms). */
export interface RetryDecision {
  retry: boolean;
  /** The platform's Retry-After, in ms: the next attempt waits at least this long. */
  afterMs?: number;
}

export interface RetryInfo {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  error: unknown;
  /** How long before the next attempt, in ms. */
  delayMs: number;
  /** The platform's Retry-After in ms, when it gave one. */
  afterMs?: number;
}

export interface BackoffOptions {
  /** Total attempts, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff base in ms: the cap before attempt n+1 is baseMs · 2^(n-1). Default 500. */
  baseMs?: number;
  /** Upper bound of the exponential backoff in ms (not of Retry-After). Default 30 000. */
  maxMs?: number;
  /** Uniform random number in [0, 1) for the jitter. Default Math.random. */
  random?: () => number;
}

export interface RetryOptions extends BackoffOptions {
  /** Classifies a failure. */
  isRetryable(error: unknown): RetryDecision;
  /** Waits `ms` milliseconds. Default: a real setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Hears of every failed attempt with its classification, the last one included. */
  onFailure?: (info: { attempt: number; error: unknown; decision: RetryDecision }) => void;
  /** Hears of every retry before its wait begins. */
  onRetry?: (info: RetryInfo) => void;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BASE_MS = 500;
export const DEFAULT_MAX_MS = 30_000;

/**
 * Full-jitter exponential backoff: a uniform delay in
 * [0, min(maxMs, baseMs · 2^(attempt-1))) ms after failed attempt `attempt`.
 */
export function backoffMs(attempt: number, options: BackoffOptions = {}): number {
  const baseMs = options.baseMs ?? DEFAULT_BASE_MS;
  const maxMs = options.maxMs ?? DEFAULT_MAX_MS;
  const random = options.random ?? Math.random;
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn(attempt)` (attempt 1, 2, …) until it resolves, a failure is not
 * retryable, or `maxAttempts` attempts have failed; then rethrows the last
 * error unchanged. Between attempts it waits the full-jitter backoff, but at
 * least the failure's Retry-After.
 */
export async function withRetry<R>(
  fn: (attempt: number) => Promise<R>,
  options: RetryOptions,
): Promise<R> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const decision = options.isRetryable(error);
      options.onFailure?.({ attempt, error, decision });
      if (!decision.retry || attempt >= maxAttempts) throw error;
      const afterMs = decision.afterMs !== undefined ? Math.max(0, decision.afterMs) : undefined;
      const delayMs = Math.max(backoffMs(attempt, options), afterMs ?? 0);
      options.onRetry?.({
        attempt,
        error,
        delayMs,
        ...(afterMs !== undefined && { afterMs }),
      });
      await sleep(delayMs);
    }
  }
}

/**
 * A `Retry-After` header value in ms: delta seconds ("3", "1.5") or an
 * HTTP date. Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(
  value: string | number | null | undefined,
  clock: Clock = { now: () => Date.now() },
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number')
    return Number.isFinite(value) ? Math.max(0, value * 1000) : undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - clock.now());
}

/** What a channel can read off a failed platform call. */
export interface HttpFailure {
  status?: number;
  /** The Retry-After header (seconds or HTTP date), when present. */
  retryAfter?: string | number | null;
}

/**
 * A classifier for HTTP-style failures: retry when the status is in
 * `statuses` (Teams: 412, 429, 502, 504), honouring Retry-After. `read`
 * extracts status and Retry-After from whatever the SDK throws.
 */
export function retryOnStatus(
  statuses: Iterable<number>,
  read: (error: unknown) => HttpFailure | undefined,
  clock?: Clock,
): (error: unknown) => RetryDecision {
  const retryable = new Set(statuses);
  return (error) => {
    const failure = read(error);
    if (failure?.status === undefined || !retryable.has(failure.status)) return { retry: false };
    const afterMs = parseRetryAfter(failure.retryAfter, clock);
    return afterMs === undefined ? { retry: true } : { retry: true, afterMs };
  };
}
