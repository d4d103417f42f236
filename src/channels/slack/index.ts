import {
  type AnyMiddlewareArgs,
  App,
  ExpressReceiver,
  type Middleware,
  type RespondFn,
} from '@slack/bolt';
import express, { type Express } from 'express';
import type { Logger } from '../../app/logger.ts';
import { systemTimers, type Timers } from '../../app/outbox/timers.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { SlackConfig } from '../../config.ts';
import type { ChannelMemory, Clock, RoundStore } from '../../core/ports.ts';
import { singleWorkspace } from './authorize.ts';
import { ACTION_ID_PATTERN } from './blocks/buttons.ts';
import { mentionText, type Reply, runTextCommand, type SlackDeps } from './commands.ts';
import { deliveryId, fromAction, fromCommand, fromEvent } from './envelope.ts';
import { type ActionPayload, runAction } from './interactions.ts';
import { SlackOutput } from './output.ts';
import { createWebClient, SLACK_API_URL, slackClientOptions, slackLogger } from './web-client.ts';

/** Where Slack sends events, slash commands and interactions (one Request URL for all three). */
export const SLACK_EVENTS_PATH = '/slack/events';
/**
 * How long a delivery id is remembered. Slack retries an event three times
 * within about five minutes; an hour leaves ample room.
 */
export const DELIVERY_CLAIM_MS = 60 * 60 * 1000;
/** Largest request accepted: block_actions payloads carry the whole message (≤ 50 blocks). */
export const SLACK_BODY_LIMIT = '1mb';

/** What Bolt hands a global middleware. */
type MiddlewareArgs = Parameters<Middleware<AnyMiddlewareArgs>>[0];

export interface SlackChannelOptions {
  config: SlackConfig;
  logger: Logger;
  clock: Clock;
  /** Where message timestamps live. */
  channelMemory: ChannelMemory;
  /** For one effect per delivery. */
  store: Pick<RoundStore, 'claim' | 'release'>;
  /** The round service, or later through `attach`. */
  service?: RoundService;
  /** Outbox timers; default the Node timers. */
  timers?: Timers;
  /** Slack's Web API base URL; tests use a local fake. */
  apiUrl?: string;
}

export interface SlackChannel {
  output: SlackOutput;
  /** The Bolt app (tests inspect it; production never needs it). */
  app: App;
  attach(service: RoundService): void;
  /** Mounts `POST /slack/events` on our express app. */
  mount(app: Express): void;
  /** Checks the bot token once (auth.test) and logs which workspace it serves. */
  start(): Promise<void>;
  /** Resolves when no delivery is being handled (handlers run on after their ack). */
  idle(): Promise<void>;
  /** Waits for deliveries in hand, sends what the outbox still holds, then stops it. */
  close(): Promise<void>;
}

/** Answers via the interaction's response_url, visible only to the person who acted. */
function viaResponseUrl(respond: RespondFn): Reply {
  return async (message, options) => {
    await respond(
      options?.replace
        ? { replace_original: true, ...message }
        : { response_type: 'ephemeral', replace_original: false, ...message },
    );
  };
}

/**
 * The Slack channel: Bolt's App on an ExpressReceiver whose router we mount
 * on our own express app, so Slack shares the one HTTP server. Bolt verifies
 * every request's signature on the raw body (HMAC-SHA256 with the signing
 * secret, timestamps older than 5 minutes refused, 401) before any handler
 * runs; handlers `ack()` first (Slack wants an answer within 3 s) and work
 * afterwards. Each delivery (event id, or the trigger id of a command or
 * button) is claimed once, so Slack's retries and repeated payloads have one
 * effect; a claim is given back when the work fails.
 */
export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { config, logger, store } = options;
  if (!config.botToken || !config.signingSecret) {
    throw new Error('Slack channel needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
  }
  const token = config.botToken;
  const apiUrl = options.apiUrl ?? SLACK_API_URL;
  const client = createWebClient(token, apiUrl, logger);
  const boltLogger = slackLogger(logger);

  const router = express.Router();
  const receiver = new ExpressReceiver({
    signingSecret: config.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    // Ack first, work afterwards (Slack's 3 s deadline); our handlers call ack() themselves.
    processBeforeResponse: false,
    router,
    logger: boltLogger,
    bodyLimit: SLACK_BODY_LIMIT,
  });
  const app = new App({
    receiver,
    authorize: singleWorkspace(client, token),
    logger: boltLogger,
    clientOptions: slackClientOptions(apiUrl, logger),
  });

  const output = new SlackOutput({
    clientFor: () => client,
    memory: options.channelMemory,
    clock: options.clock,
    timers: options.timers ?? systemTimers,
    logger,
  });
  let deps: SlackDeps | undefined = options.service && { service: options.service, logger };
  const ready = (): SlackDeps => {
    if (!deps) throw new Error('slack channel used before attach(service)');
    return deps;
  };

  // Deliveries being handled: after ack() nobody waits for them but `idle()` and `close()`.
  const inFlight = new Set<Promise<void>>();
  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  // One effect per delivery: the first claim wins; a failed delivery gives its claim back.
  const handleOnce = async (args: MiddlewareArgs): Promise<void> => {
    const id = deliveryId(args.body);
    if (!id) return args.next();
    const key = `slack:${id}`;
    if (!(await store.claim(key, DELIVERY_CLAIM_MS))) {
      logger.info({ retry: args.context.retryNum ?? 0 }, 'slack: repeated delivery ignored');
      if ('ack' in args && typeof args.ack === 'function') await args.ack();
      return;
    }
    try {
      await args.next();
    } catch (error) {
      await store.release(key).catch((e: unknown) => {
        logger.error({ err: e }, 'slack: releasing a delivery claim failed');
      });
      throw error;
    }
  };
  app.use((args) => {
    const handled = handleOnce(args);
    inFlight.add(handled);
    return handled.finally(() => inFlight.delete(handled));
  });

  app.command(/^\/.+/, async ({ ack, body, respond }) => {
    await ack();
    await runTextCommand(ready(), fromCommand(body), body.text ?? '', viaResponseUrl(respond));
  });

  app.event('app_mention', async ({ body, event, client: web }) => {
    const where = fromEvent(body);
    // No response_url for events: answer with an ephemeral message in the channel.
    await runTextCommand(ready(), where, mentionText(event.text), async (message) => {
      if (!where) return;
      await web.chat.postEphemeral({
        channel: where.conversation.conversationId,
        user: where.who.userId,
        ...message,
      });
    });
  });

  app.action(ACTION_ID_PATTERN, async ({ ack, body, respond }) => {
    await ack();
    const payload = body as ActionPayload;
    await runAction(ready(), fromAction(payload), payload, viaResponseUrl(respond));
  });

  app.error(async (error) => {
    logger.error({ err: error.original ?? error, code: error.code }, 'slack: handling failed');
  });

  return {
    output,
    app,
    attach(service) {
      deps = { service, logger };
    },
    mount(http) {
      http.use(router);
    },
    async start() {
      try {
        const me = await client.auth.test();
        logger.info({ team: me.team_id }, 'slack: connected');
      } catch (error) {
        // Not fatal: the web channel still works, and Bolt asks again on the first request.
        logger.error({ err: error }, 'slack: the bot token was not accepted (auth.test)');
      }
    },
    idle,
    async close() {
      await idle();
      await output.close();
    },
  };
}
