import {
  type AuthConfiguration,
  CloudAdapter,
  OutboundHostValidator,
} from '@microsoft/agents-hosting';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../app/logger.ts';
import { systemTimers, type Timers } from '../../app/outbox/timers.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { TeamsConfig } from '../../config.ts';
import type { ChannelMemory, ChannelOutput, Clock, RoundStore } from '../../core/ports.ts';
import { quietTurnErrors, TeamsBot } from './invoke.ts';
import { TeamsOutput } from './output.ts';

/** How long a delivered activity id is remembered: Teams retries within seconds, not days. */
export const ACTIVITY_CLAIM_MS = 24 * 60 * 60 * 1000;
/** Largest activity body accepted; Teams activities with a card are a few kB. */
export const TEAMS_BODY_LIMIT = '256kb';

export interface TeamsChannelOptions {
  config: TeamsConfig;
  logger: Logger;
  clock: Clock;
  /** Where conversation references and message ids live. */
  channelMemory: ChannelMemory;
  /** For `claim` (duplicate activity ids). */
  store: Pick<RoundStore, 'claim'>;
  /** The round service, or later through `attach`. */
  service?: RoundService;
  /** Outbox timers; default the Node timers. */
  timers?: Timers;
  /**
   * Extra hosts (besides Microsoft's) allowed as an activity's `serviceUrl`
   * when credentials are configured. Tests use 127.0.0.1; production needs none.
   */
  serviceHosts?: string[];
}

export interface TeamsChannel {
  output: ChannelOutput;
  /** The SDK adapter (tests swap its `connectionManager` for a local token source). */
  adapter: CloudAdapter;
  attach(service: RoundService): void;
  /** Mounts `POST /api/messages`. */
  mount(app: Express): void;
  /** Sends what the outbox still holds, then stops it. */
  close(): Promise<void>;
}

/** The tenant of an activity as Teams sends it (conversation, else channelData). */
function tenantOf(body: Record<string, unknown>): string | undefined {
  const conversation = body.conversation as { tenantId?: unknown } | undefined;
  if (typeof conversation?.tenantId === 'string') return conversation.tenantId;
  const channelData = body.channelData as { tenant?: { id?: unknown } } | undefined;
  const id = channelData?.tenant?.id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The Microsoft Teams channel: the Agents SDK's CloudAdapter on our express
 * app with explicit configuration (never the SDK's environment variables),
 * JWT validation with issuer and service-url checks whenever an app id is
 * configured, an optional tenant allowlist, and one effect per activity id.
 */
export function createTeamsChannel(options: TeamsChannelOptions): TeamsChannel {
  const { config, logger } = options;
  const anonymous = !config.appId && config.allowAnonymous;
  if (!config.appId && !anonymous) {
    throw new Error(
      'Teams channel needs TEAMS_APP_ID, or TEAMS_ALLOW_ANONYMOUS=true in development',
    );
  }
  if (anonymous) logger.warn('Teams: anonymous requests are allowed (development only)');
  else if (config.allowAnonymous) {
    logger.warn('Teams: TEAMS_ALLOW_ANONYMOUS is ignored because TEAMS_APP_ID is set');
  }

  // Explicit, complete configuration: the SDK merges env vars (clientId, …) only under it.
  const authConfig: AuthConfiguration = anonymous
    ? {}
    : {
        clientId: config.appId ?? undefined,
        clientSecret: config.appPassword ?? undefined,
        ...(config.tenantId && { tenantId: config.tenantId }),
        validateIssuer: true,
      };
  const adapter = new CloudAdapter(
    authConfig,
    undefined,
    undefined,
    { validateServiceUrl: true },
    // The Playground's serviceUrl is localhost: the host allowlist is for real credentials.
    new OutboundHostValidator({
      enabled: !anonymous,
      ...(options.serviceHosts && { hosts: options.serviceHosts }),
    }),
  );
  quietTurnErrors(adapter, logger);

  const output = new TeamsOutput({
    adapter,
    ...(config.appId && { appId: config.appId }),
    memory: options.channelMemory,
    clock: options.clock,
    timers: options.timers ?? systemTimers,
    logger,
  });
  let bot: TeamsBot | undefined;
  const attach = (service: RoundService) => {
    bot = new TeamsBot({ service, memory: options.channelMemory, logger });
  };
  if (options.service) attach(options.service);
  const allowlist = new Set(config.tenantAllowlist);

  const requireBody = (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    // An empty JSON body parses as {}: an activity without a type is no activity.
    if (
      typeof body !== 'object' ||
      body === null ||
      Array.isArray(body) ||
      typeof (body as { type?: unknown }).type !== 'string'
    ) {
      res.status(400).json({ ok: false, error: { code: 'bad_request' } });
      return;
    }
    next();
  };

  /** After authentication: foreign tenants and repeated deliveries change nothing. */
  const admit = async (req: Request, res: Response, next: NextFunction) => {
    const body = req.body as Record<string, unknown>;
    if (allowlist.size > 0) {
      const tenant = tenantOf(body);
      if (!tenant || !allowlist.has(tenant)) {
        logger.info('teams: activity from a tenant not on the allowlist ignored');
        res.status(200).end();
        return;
      }
    }
    if (typeof body.id === 'string' && body.id !== '') {
      const first = await options.store.claim(`teams:activity:${body.id}`, ACTIVITY_CLAIM_MS);
      if (!first) {
        logger.info({ type: body.type }, 'teams: repeated activity ignored');
        res.status(200).end();
        return;
      }
    }
    next();
  };

  return {
    output,
    adapter,
    attach,
    mount(app) {
      app.post(
        '/api/messages',
        express.json({ limit: TEAMS_BODY_LIMIT }),
        requireBody,
        (req, res, next) => adapter.authorizeRequest(req, res, next),
        admit,
        async (req, res) => {
          const current = bot;
          if (!current) throw new Error('teams channel used before attach(service)');
          await adapter.process(req, res, (context) => current.run(context));
        },
      );
    },
    close: () => output.close(),
  };
}
