import {
  type AuthConfiguration,
  CloudAdapter,
  OutboundHostValidator,
} from '@microsoft/agents-hosting';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../app/logger.ts';
import type { EditGate } from '../../app/outbox/edit-gate.ts';
import { systemTimers, type Timers } from '../../app/outbox/timers.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { TeamsConfig } from '../../config.ts';
import type { ChannelMemory, ChannelOutput, Clock, RoundStore } from '../../core/ports.ts';
import { facilitatorChatOpener } from './facilitator-chat.ts';
import { answerUnavailable, quietTurnErrors, TeamsBot, TURN_FAILED } from './invoke.ts';
import { TeamsOutput } from './output.ts';
import { sameServiceUrl } from './service-url.ts';
import { type SummaryLinkOptions, SummaryLinks } from './summary-extras.ts';

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
  /** For `claim` and `release` (duplicate activity ids). */
  store: Pick<RoundStore, 'claim' | 'release'>;
  /** The round service, or later through `attach`. */
  service?: RoundService;
  /** Outbox timers; default the Node timers. */
  timers?: Timers;
  /**
   * Extra hosts (besides Microsoft's) allowed as an activity's `serviceUrl`
   * when credentials are configured. Tests use 127.0.0.1; production needs none.
   */
  serviceHosts?: string[];
  /**
   * The summary card's måloversigt picture and export links: the signer and
   * `PUBLIC_URL`. Without a public URL the card goes out without them (a warning is logged once).
   */
  summaryLinks?: SummaryLinkOptions;
  /**
   * Several instances on one Redis: posts each card once and spaces and
   * orders its edits across them (`createRedisEditGate`). Absent: one instance.
   */
  editGate?: EditGate;
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
 * The claim key of an activity: its id within its conversation. Teams message
 * ids are epoch milliseconds, so two conversations can share one; a redelivery
 * keeps both. Undefined for an activity without an id (nothing to deduplicate).
 */
export function activityKey(body: Record<string, unknown>): string | undefined {
  if (typeof body.id !== 'string' || body.id === '') return undefined;
  const conversation = body.conversation as { id?: unknown } | undefined;
  const conversationId = typeof conversation?.id === 'string' ? conversation.id : '';
  return `teams:activity:${JSON.stringify([conversationId, body.id])}`;
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

  // One for the whole channel: whatever shows the summary card adds the same extras, and warns once.
  const summaryLinks = new SummaryLinks(options.summaryLinks, logger);
  const output = new TeamsOutput({
    adapter,
    ...(config.appId && { appId: config.appId }),
    memory: options.channelMemory,
    clock: options.clock,
    timers: options.timers ?? systemTimers,
    logger,
    summaryLinks,
    ...(options.editGate && { editGate: options.editGate }),
  });
  const openFacilitatorChat = facilitatorChatOpener({
    adapter,
    ...(config.appId && { appId: config.appId }),
    memory: options.channelMemory,
    logger,
  });
  let bot: TeamsBot | undefined;
  const attach = (service: RoundService) => {
    output.attachViews((roundId) => service.view(roundId, { kind: 'facilitator' }));
    bot = new TeamsBot({
      service,
      memory: options.channelMemory,
      logger,
      summaryLinks,
      openFacilitatorChat,
    });
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

  /** Requests that arrived while the store could not be reached. */
  const unavailable = new WeakSet<Request>();
  /** Activity ids `admit` claimed, per request: given back when the turn fails. */
  const claims = new WeakMap<Request, string>();

  /**
   * Gives the request's activity id back, so that Teams' redelivery of an
   * activity whose turn failed runs instead of being ignored for 24 h.
   */
  const release = async (req: Request) => {
    const key = claims.get(req);
    if (key === undefined) return;
    claims.delete(req);
    try {
      await options.store.release(key);
      logger.info('teams: turn failed; activity id released for a redelivery');
    } catch (error) {
      logger.error({ err: error }, 'teams: releasing the activity id failed');
    }
  };

  /**
   * After authentication: foreign tenants and repeated deliveries change
   * nothing. The activity id stays claimed while its turn runs (a concurrent
   * duplicate is dropped) and afterwards if the turn succeeded.
   */
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
    const key = activityKey(body);
    if (key !== undefined) {
      let first: boolean;
      try {
        first = await options.store.claim(key, ACTIVITY_CLAIM_MS);
      } catch (error) {
        // The store is unreachable: run nothing, but tell the user nothing was saved.
        logger.error({ err: error }, 'teams: store unreachable; answering "not saved"');
        unavailable.add(req);
        next();
        return;
      }
      if (!first) {
        logger.info({ type: body.type }, 'teams: repeated activity ignored');
        res.status(200).end();
        return;
      }
      claims.set(req, key);
    }
    next();
  };

  /**
   * Runs the turn. A turn that throws, a request that fails (express answers
   * 500) or an answer of 500 or more releases the activity id; the first two
   * release it before the answer is written, so a quick redelivery finds it free.
   */
  const run = async (req: Request, res: Response) => {
    try {
      const current = bot;
      if (!current) throw new Error('teams channel used before attach(service)');
      await adapter.process(req, res, async (context) => {
        if (unavailable.has(req)) return answerUnavailable(context);
        try {
          await current.run(context);
          if (context.turnState.get(TURN_FAILED) === true) await release(req);
        } catch (error) {
          await release(req);
          throw error;
        }
      });
    } catch (error) {
      await release(req);
      throw error;
    }
    if (res.statusCode >= 500) await release(req);
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
        sameServiceUrl(logger),
        admit,
        run,
      );
    },
    close: () => output.close(),
  };
}
