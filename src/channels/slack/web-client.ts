import {
  LogLevel,
  type Logger as SlackLogger,
  WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import type { HttpFailure } from '../../app/outbox/retry.ts';

/** Slack's Web API. Tests point `apiUrl` at a local fake (`http://127.0.0.1:<port>/api/`). */
export const SLACK_API_URL = 'https://slack.com/api/';

/**
 * Failures worth another attempt: rate limits (429, with Retry-After) and
 * Slack's own trouble (5xx). Platform errors (`ok: false`, e.g.
 * `channel_not_found`) answer with HTTP 200 and are final.
 */
export const SLACK_RETRYABLE_STATUSES: readonly number[] = [429, 500, 502, 503, 504];

/** Milliseconds a Web API call may take before it counts as failed (then the outbox decides). */
const TIMEOUT_MS = 10_000;

/**
 * The SDKs log through this. Debug output is dropped: the WebClient logs
 * request bodies there (user ids, message texts). What is left are the
 * SDKs' own sentences ("Request verification failed …"), which carry no
 * user data; they go to our logger under `slack`.
 */
export function slackLogger(logger: Logger): SlackLogger {
  const child = logger.child({ sdk: 'slack' });
  const line = (msg: unknown[]) =>
    msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ');
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => child.info(line(msg)),
    warn: (...msg: unknown[]) => child.warn(line(msg)),
    error: (...msg: unknown[]) => child.error(line(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/**
 * Options for every WebClient we and Bolt create. The WebClient retries by
 * itself by default (ten times over about thirty minutes, and it pauses its
 * whole queue on a 429). Our outbox owns retries instead: it coalesces edits
 * while it waits, honours Retry-After per channel and gives up visibly. So the
 * SDK makes exactly one attempt (`retries: 0`) and hands a 429 back as an
 * error with its Retry-After (`rejectRateLimitedCalls`).
 */
export function slackClientOptions(apiUrl: string, logger: Logger): WebClientOptions {
  return {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: TIMEOUT_MS,
    logger: slackLogger(logger),
  };
}

export function createWebClient(token: string, apiUrl: string, logger: Logger): WebClient {
  return new WebClient(token, slackClientOptions(apiUrl, logger));
}

/**
 * Status and Retry-After of what the WebClient throws: `WebAPIRateLimitedError`
 * (`retryAfter` in seconds), `WebAPIHTTPError` (`statusCode`, headers), and
 * `WebAPIRequestError` (no answer at all: treated as 503, worth a retry).
 */
export function readSlackError(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as {
    code?: unknown;
    retryAfter?: unknown;
    statusCode?: unknown;
    headers?: unknown;
  };
  if (e.code === 'slack_webapi_rate_limited_error') {
    return { status: 429, retryAfter: typeof e.retryAfter === 'number' ? e.retryAfter : null };
  }
  if (e.code === 'slack_webapi_http_error' && typeof e.statusCode === 'number') {
    const headers = (e.headers ?? {}) as Record<string, unknown>;
    const after = headers['retry-after'];
    return { status: e.statusCode, retryAfter: typeof after === 'string' ? after : null };
  }
  if (e.code === 'slack_webapi_request_error') return { status: 503 };
  return undefined;
}

/** The `error` of a platform error (`ok: false`), e.g. `message_not_found`. */
export function platformError(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; data?: { error?: unknown } };
  if (e.code !== 'slack_webapi_platform_error') return undefined;
  return typeof e.data?.error === 'string' ? e.data.error : undefined;
}
