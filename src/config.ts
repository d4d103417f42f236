import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_DECK_ID } from './app/decks.ts';
import { newSecret } from './app/identity.ts';
import type { RoundDefaults } from './app/round-service.ts';
import { deriveKey } from './app/secret-box.ts';
import {
  DEFAULT_EXPORT_LINK_DAYS,
  MAX_EXPORT_LINK_DAYS,
  MIN_EXPORT_LINK_DAYS,
} from './app/signed-links.ts';
import { DEFAULT_RETENTION_DAYS } from './core/round/retention.ts';
import { isValidTimeZone } from './core/time.ts';

/**
 * The whole configuration, read from the environment once at start-up.
 * Every problem is reported together, so one restart fixes them all.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  dataDir: string;
  /** Where rounds, ballots and reminders live: one SQLite file, or a Redis shared by instances. */
  store: StoreConfig;
  /** Kept for the sqlite store (and for `dialogrunde` CLI commands that open the file). */
  sqlitePath: string;
  /** Days an ended round (all follow-up items done) is kept after its last change. */
  retentionDays: number;
  /** HMAC secret for voter keys. */
  secret: string;
  /** Where the secret came from: the environment, or a generated file (development). */
  secretSource: 'env' | 'file';
  extraDeckDirs: string[];
  schedulerPollMs: number;
  /** HTTP port and bind address of the one server all channels share. */
  port: number;
  host: string;
  /** Base URL people open (links, QR codes); null = work it out from the LAN address. */
  publicUrl: string | null;
  /** How many days a signed export link (Teams summary card) works. */
  exportLinkDays: number;
  defaults: RoundDefaults;
  teams: TeamsConfig;
  slack: SlackConfig;
}

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'redis';
      /** e.g. redis://:password@redis.internal:6379/0 (rediss:// for TLS). */
      url: string;
      /** Prepended to every key, so several deployments can share one Redis. */
      prefix: string;
    };

/** Microsoft Teams (Azure Bot Service). Off unless an app id or the anonymous dev flag is set. */
export interface TeamsConfig {
  enabled: boolean;
  /** The bot's Entra app (client) id: the expected audience of inbound tokens. */
  appId: string | null;
  /** The app registration's client secret (outbound tokens). */
  appPassword: string | null;
  /** Tenant of a single-tenant app registration; null = multi-tenant. */
  tenantId: string | null;
  /** Development only: accept requests without a token (Agents Playground). */
  allowAnonymous: boolean;
  /** Tenants whose activities are handled; empty = any tenant. */
  tenantAllowlist: string[];
}

/**
 * Slack. On when one way to authorise (a bot token for one workspace, or
 * OAuth installs for many) and one way to receive (HTTP with the signing
 * secret, or Socket Mode with an app token) are configured.
 */
export interface SlackConfig {
  enabled: boolean;
  /** The bot user OAuth token (`xoxb-…`) of the one workspace; null with OAuth. */
  botToken: string | null;
  /** The app's signing secret: every HTTP request's signature is checked with it. */
  signingSecret: string | null;
  /** Socket Mode: the app-level token (`xapp-…`); null (or absent) = HTTP mode. */
  appToken?: string | null;
  /** OAuth installs into many workspaces instead of one bot token; null (or absent) = off. */
  oauth?: SlackOAuthConfig | null;
  /** Slack's Web API base URL (SLACK_API_URL); absent = https://slack.com/api/. For local fakes. */
  apiUrl?: string;
}

export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth `state`: SLACK_STATE_SECRET, or derived from DIALOGRUNDE_SECRET. */
  stateSecret: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('./data'),
  SQLITE_PATH: z.string().min(1).optional(),
  STORE: z.enum(['sqlite', 'redis'], { error: 'must be sqlite or redis' }).default('sqlite'),
  REDIS_URL: z
    .url({
      protocol: /^rediss?$/,
      error: 'must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379',
    })
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(
      /^[^{}\s]+$/,
      'must not contain braces or spaces (braces would move keys to another slot)',
    )
    .default('dialogrunde:'),
  RETENTION_DAYS: int(DEFAULT_RETENTION_DAYS, 1, 3650),
  DIALOGRUNDE_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (try: npx dialogrunde secret)')
    .optional(),
  DECKS_DIR: z.string().optional(),
  SCHEDULER_POLL_MS: int(1000, 50, 60_000),
  PORT: int(3978, 0, 65_535),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL such as https://dialog.example.dk',
    })
    .optional(),
  EXPORT_LINK_DAYS: int(DEFAULT_EXPORT_LINK_DAYS, MIN_EXPORT_LINK_DAYS, MAX_EXPORT_LINK_DAYS),
  DEFAULT_LANG: z.enum(['da', 'en']).default('da'),
  DEFAULT_MODE: z.enum(['sync', 'async']).default('sync'),
  DEFAULT_TIME_ZONE: z
    .string()
    .refine(isValidTimeZone, 'is not an IANA time zone such as Europe/Copenhagen')
    .default('Europe/Copenhagen'),
  ANONYMITY_K: int(3, 3, 50),
  MAX_PRIORITIES: int(3, 1, 10),
  REMINDER_DAYS_BEFORE: int(7, 0, 60),
  REMINDER_HOUR: int(9, 0, 23),
  ASYNC_STATUS_MINUTES: int(1440, 1, 86_400),
  ASYNC_RATING_MINUTES: int(2880, 1, 86_400),
  ASYNC_CUSTOM_MINUTES: int(1440, 1, 86_400),
  ASYNC_PRIORITY_MINUTES: int(1440, 1, 86_400),
  ASYNC_NUDGE_PERCENT: int(75, 0, 99),
  TEAMS_APP_ID: z.string().trim().min(1).optional(),
  TEAMS_APP_PASSWORD: z.string().min(1).optional(),
  TEAMS_TENANT_ID: z.string().trim().min(1).optional(),
  TEAMS_ALLOW_ANONYMOUS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false'),
  TEAMS_TENANT_ALLOWLIST: z.string().optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-…), from OAuth & Permissions in the Slack app')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().trim().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .trim()
    .regex(
      /^xapp-/,
      'must be an app-level token (xapp-…), from Basic Information → App-Level Tokens',
    )
    .optional(),
  SLACK_CLIENT_ID: z.string().trim().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().trim().min(1).optional(),
  SLACK_STATE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SLACK_API_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL such as http://127.0.0.1:4000/api/',
    })
    .optional(),
});

/** Parses the environment. Throws a ConfigError naming every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (VAR= in a .env file) mean "not set".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(present);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (parsed.success && parsed.data.NODE_ENV === 'production' && !parsed.data.DIALOGRUNDE_SECRET) {
    problems.push(
      'DIALOGRUNDE_SECRET: required in production (generate one: npx dialogrunde secret)',
    );
  }
  if (parsed.success && parsed.data.STORE === 'redis' && !parsed.data.REDIS_URL) {
    problems.push('REDIS_URL: required with STORE=redis (e.g. redis://127.0.0.1:6379)');
  }
  if (parsed.success && parsed.data.STORE === 'redis' && !parsed.data.DIALOGRUNDE_SECRET) {
    // Voter keys are HMACs of the secret: instances with different secrets would count one person twice.
    problems.push(
      'DIALOGRUNDE_SECRET: required with STORE=redis, the same on every instance (generate one: npx dialogrunde secret)',
    );
  }
  if (parsed.success) problems.push(...teamsProblems(parsed.data), ...slackProblems(parsed.data));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  const secret = e.DIALOGRUNDE_SECRET ?? developmentSecret(dataDir);
  const sqlitePath = e.SQLITE_PATH ?? join(dataDir, 'dialogrunde.db');
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir,
    store:
      e.STORE === 'redis' && e.REDIS_URL
        ? { kind: 'redis', url: e.REDIS_URL, prefix: e.REDIS_PREFIX }
        : { kind: 'sqlite', path: sqlitePath },
    sqlitePath,
    retentionDays: e.RETENTION_DAYS,
    secret,
    secretSource: e.DIALOGRUNDE_SECRET ? 'env' : 'file',
    extraDeckDirs: e.DECKS_DIR ? e.DECKS_DIR.split(',').map((d) => resolve(d.trim())) : [],
    schedulerPollMs: e.SCHEDULER_POLL_MS,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : null,
    exportLinkDays: e.EXPORT_LINK_DAYS,
    defaults: {
      deckId: DEFAULT_DECK_ID,
      lang: e.DEFAULT_LANG,
      mode: e.DEFAULT_MODE,
      timeZone: e.DEFAULT_TIME_ZONE,
      k: e.ANONYMITY_K,
      maxPriorities: e.MAX_PRIORITIES,
      reminderDaysBefore: e.REMINDER_DAYS_BEFORE,
      reminderHour: e.REMINDER_HOUR,
      stepMinutes: {
        status: e.ASYNC_STATUS_MINUTES,
        rating: e.ASYNC_RATING_MINUTES,
        custom: e.ASYNC_CUSTOM_MINUTES,
        priority: e.ASYNC_PRIORITY_MINUTES,
      },
      nudgeAtPercent: e.ASYNC_NUDGE_PERCENT,
    },
    teams: {
      enabled: Boolean(e.TEAMS_APP_ID) || e.TEAMS_ALLOW_ANONYMOUS === 'true',
      appId: e.TEAMS_APP_ID ?? null,
      appPassword: e.TEAMS_APP_PASSWORD ?? null,
      tenantId: e.TEAMS_TENANT_ID ?? null,
      allowAnonymous: e.TEAMS_ALLOW_ANONYMOUS === 'true',
      tenantAllowlist: (e.TEAMS_TENANT_ALLOWLIST ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    },
    slack: slackConfig(e, secret),
  };
}

function slackConfig(e: z.infer<typeof schema>, secret: string): SlackConfig {
  const oauth =
    e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET
      ? {
          clientId: e.SLACK_CLIENT_ID,
          clientSecret: e.SLACK_CLIENT_SECRET,
          stateSecret:
            e.SLACK_STATE_SECRET ?? deriveKey(secret, 'slack-oauth-state').toString('base64url'),
        }
      : null;
  return {
    enabled:
      Boolean(e.SLACK_BOT_TOKEN || oauth) && Boolean(e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN),
    botToken: e.SLACK_BOT_TOKEN ?? null,
    signingSecret: e.SLACK_SIGNING_SECRET ?? null,
    appToken: e.SLACK_APP_TOKEN ?? null,
    oauth,
    ...(e.SLACK_API_URL && { apiUrl: e.SLACK_API_URL.replace(/\/*$/, '/') }),
  };
}

/**
 * Slack needs exactly one way to authorise (SLACK_BOT_TOKEN for one
 * workspace, or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET for OAuth installs)
 * and at least one way to receive (SLACK_SIGNING_SECRET for HTTP, or
 * SLACK_APP_TOKEN for Socket Mode, which then wins). Nothing set: Slack is off.
 */
function slackProblems(e: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  const token = Boolean(e.SLACK_BOT_TOKEN);
  const oauthPart = Boolean(e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET);
  const receive = Boolean(e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN);
  if (token && oauthPart) {
    problems.push(
      'SLACK_BOT_TOKEN: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs into many workspaces), not both',
    );
  }
  if (e.SLACK_CLIENT_ID && !e.SLACK_CLIENT_SECRET) {
    problems.push(
      'SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID (Basic Information → App Credentials in the Slack app)',
    );
  }
  if (e.SLACK_CLIENT_SECRET && !e.SLACK_CLIENT_ID) {
    problems.push(
      'SLACK_CLIENT_ID: required with SLACK_CLIENT_SECRET (Basic Information → App Credentials in the Slack app)',
    );
  }
  if (e.SLACK_STATE_SECRET && !oauthPart) {
    problems.push(
      'SLACK_STATE_SECRET: only used for OAuth installs; set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET too, or unset it',
    );
  }
  const authorised = token ? 'SLACK_BOT_TOKEN' : oauthPart ? 'SLACK_CLIENT_ID' : undefined;
  if (authorised && !receive) {
    problems.push(
      `SLACK_SIGNING_SECRET: required with ${authorised} (Basic Information → App Credentials in the Slack app), or set SLACK_APP_TOKEN for Socket Mode`,
    );
  }
  if (receive && !token && !oauthPart) {
    const given = e.SLACK_SIGNING_SECRET ? 'SLACK_SIGNING_SECRET' : 'SLACK_APP_TOKEN';
    problems.push(
      `SLACK_BOT_TOKEN: required with ${given} (the xoxb- token from OAuth & Permissions), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth installs`,
    );
  }
  return problems;
}

function teamsProblems(e: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (e.TEAMS_APP_ID && !e.TEAMS_APP_PASSWORD) {
    problems.push(
      'TEAMS_APP_PASSWORD: required with TEAMS_APP_ID (the client secret of the Entra app registration)',
    );
  }
  if (e.TEAMS_APP_PASSWORD && !e.TEAMS_APP_ID) {
    problems.push("TEAMS_APP_ID: required with TEAMS_APP_PASSWORD (the bot's Entra app id)");
  }
  if (e.NODE_ENV === 'production' && e.TEAMS_ALLOW_ANONYMOUS === 'true') {
    problems.push(
      'TEAMS_ALLOW_ANONYMOUS: development only; the Teams channel refuses to start in production without credentials (set TEAMS_APP_ID and TEAMS_APP_PASSWORD instead)',
    );
  }
  return problems;
}

/**
 * Outside production a missing secret is generated once and kept beside the
 * data (mode 0600), so a newcomer needs no setup and votes stay linkable to
 * the same key across restarts.
 */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = newSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
