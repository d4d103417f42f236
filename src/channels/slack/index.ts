import { type AnyMiddlewareArgs, App, type Middleware, type RespondFn } from '@slack/bolt';
import express, { type Express } from 'express';
import { failureOf } from '../../app/errors.ts';
import type { Logger } from '../../app/logger.ts';
import type { EditGate } from '../../app/outbox/edit-gate.ts';
import { systemTimers, type Timers } from '../../app/outbox/timers.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { SlackConfig } from '../../config.ts';
import type { ChannelMemory, Clock, InstallationStore, RoundStore } from '../../core/ports.ts';
import type { Failure } from '../../core/views/types.ts';
import { listenForHome } from './app-home.ts';
import { ACTION_ID_PATTERN, FORM_ACTION_ID_PATTERN } from './blocks/buttons.ts';
import {
  errorMessage,
  mentionText,
  type Reply,
  runTextCommand,
  type SlackDeps,
} from './commands.ts';
import type { PostMessage } from './delete-round.ts';
import { deliveryId, fromAction, fromCommand, fromEvent } from './envelope.ts';
import {
  createWiring,
  listenForUninstall,
  SLACK_BODY_LIMIT,
  SLACK_EVENTS_PATH,
} from './install.ts';
import { type ActionPayload, runAction } from './interactions.ts';
import {
  answerSubmission,
  FORM_CALLBACK_PATTERN,
  type OpenPayload,
  openForm,
  type SubmitPayload,
} from './modals/index.ts';
import { refusal } from './modals/submit.ts';
import { SlackOutput } from './output.ts';
import { SummaryUploads } from './summary-upload.ts';
import { SLACK_API_URL, slackClientOptions, slackLogger } from './web-client.ts';

// The HTTP endpoint (one Request URL for events, commands and interactions) and its body limit.
export { SLACK_BODY_LIMIT, SLACK_EVENTS_PATH };
/**
 * How long a delivery id is remembered. Slack retries an event three times
 * within about five minutes; an hour leaves ample room.
 */
export const DELIVERY_CLAIM_MS = 60 * 60 * 1000;

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
  /** OAuth installs (`config.oauth`): where installations are kept. */
  installations?: InstallationStore;
  /** OAuth installs: the app secret (DIALOGRUNDE_SECRET), which seals their tokens at rest. */
  secret?: string;
  /** OAuth installs: PUBLIC_URL, for the redirect_uri (absent: the app's configured one). */
  publicUrl?: string | null;
  /** OAuth installs: Slack's consent page; tests use the fake's. */
  authorizationUrl?: string;
  /** Socket Mode: ping timeouts in ms (tests). */
  socket?: { clientPingTimeout?: number; serverPingTimeout?: number };
  /**
   * Several instances on one Redis: posts each message once and spaces and
   * orders its edits across them (`createRedisEditGate`). Absent: one instance.
   */
  editGate?: EditGate;
}

export interface SlackChannel {
  output: SlackOutput;
  /** The Bolt app (tests inspect it; production never needs it). */
  app: App;
  attach(service: RoundService): void;
  /**
   * Mounts `POST /slack/events` (HTTP mode) and, with OAuth, `GET /slack/install`
   * and `GET /slack/oauth_redirect` on our express app.
   */
  mount(app: Express): void;
  /**
   * One bot token: checks it once (auth.test) and logs which workspace it
   * serves. Socket Mode: connects (resolves once Slack said hello).
   */
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
  const apiUrl = options.apiUrl ?? config.apiUrl ?? SLACK_API_URL;
  const router = express.Router();
  // HTTP or Socket Mode, one bot token or OAuth installs: see install.ts.
  const wiring = createWiring({
    config,
    logger,
    apiUrl,
    router,
    ...(options.installations && { installations: options.installations }),
    ...(options.secret && { secret: options.secret }),
    ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
    ...(options.authorizationUrl && { authorizationUrl: options.authorizationUrl }),
    ...(options.socket && { socket: options.socket }),
  });
  const app = new App({
    receiver: wiring.receiver,
    authorize: wiring.authorize,
    logger: slackLogger(logger),
    clientOptions: slackClientOptions(apiUrl, logger),
  });

  let deps: SlackDeps | undefined = options.service && { service: options.service, logger };
  const ready = (): SlackDeps => {
    if (!deps) throw new Error('slack channel used before attach(service)');
    return deps;
  };
  // The summary's måloversigt, CSV and minutes follow it as files, once per round.
  const uploads = new SummaryUploads({
    enqueue: (tenant, place, key, task) => output.enqueue(tenant, place, key, task),
    claims: store,
    snapshot: async (roundId) => deps?.service.snapshot(roundId),
    logger,
  });
  const output = new SlackOutput({
    clientFor: (tenant) => wiring.clientFor(tenant),
    memory: options.channelMemory,
    clock: options.clock,
    timers: options.timers ?? systemTimers,
    logger,
    followUps: (message) => uploads.afterSend(message),
    ...(options.editGate && { editGate: options.editGate }),
  });

  // Deliveries being handled: after ack() nobody waits for them but `idle()` and `close()`.
  const inFlight = new Set<Promise<void>>();
  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  /**
   * Tells the person behind a failed delivery, in the deployment's language,
   * that it failed: acknowledges it if nobody did, then answers through
   * `respond` (commands, buttons) or, for a form, in the open modal.
   */
  const tellFailure = async (args: MiddlewareArgs, failure: Failure): Promise<void> => {
    const lang = deps?.service.deps.defaults.lang ?? 'da';
    const body = args.body as { type?: unknown };
    try {
      if ('ack' in args && typeof args.ack === 'function') {
        const answer =
          body.type === 'view_submission' ? refusal(undefined, failure, {}, lang) : undefined;
        await (args.ack as (a?: unknown) => Promise<void>)(answer).catch(() => undefined);
      }
      if ('respond' in args && typeof args.respond === 'function') {
        const respond = args.respond as RespondFn;
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...errorMessage(lang, failure),
        });
      }
    } catch (error) {
      logger.error({ err: error }, 'slack: the failure message could not be sent');
    }
  };

  // One effect per delivery: the first claim wins; a failed delivery gives its claim back.
  const handleOnce = async (args: MiddlewareArgs): Promise<void> => {
    const id = deliveryId(args.body);
    if (!id) return args.next();
    const key = `slack:${id}`;
    let first: boolean;
    try {
      first = await store.claim(key, DELIVERY_CLAIM_MS);
    } catch (error) {
      // The store is unreachable: run nothing; say that nothing was saved.
      logger.error({ err: error }, 'slack: store unreachable; answering "not saved"');
      await tellFailure(args, failureOf(error));
      return;
    }
    if (!first) {
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
      // Acknowledged already (actions, commands): the person would otherwise hear nothing.
      await tellFailure(args, failureOf(error));
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

  app.action(ACTION_ID_PATTERN, async ({ ack, body, respond, client: web }) => {
    await ack();
    const payload = body as ActionPayload;
    // For a notice to the whole channel (the round was deleted): a plain post, no edits later.
    const post: PostMessage = async (conversation, message) => {
      await web.chat.postMessage({ channel: conversation.conversationId, ...message });
    };
    await runAction(ready(), fromAction(payload), payload, viaResponseUrl(respond), post);
  });

  // A form's button: the modal opens right after the ack (its trigger_id lives 3 s).
  app.action(FORM_ACTION_ID_PATTERN, async ({ ack, body, respond, client: web }) => {
    await ack();
    await openForm(ready(), body as OpenPayload, web, viaResponseUrl(respond));
  });

  // A submitted form: the answer closes the modal or shows the refusal in it (see
  // `answerSubmission`: the one listener that works before its ack).
  app.view(
    { type: 'view_submission', callback_id: FORM_CALLBACK_PATTERN },
    async ({ ack, body, client: web }) => {
      await answerSubmission(ready(), body as SubmitPayload, web, (answer) => ack(answer));
    },
  );

  // The App Home tab, and uninstalls (OAuth: the workspace's installation goes).
  listenForHome(app, () => ready());
  listenForUninstall(app, wiring, logger);

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
    start: () => wiring.start(app),
    idle,
    async close() {
      // Socket Mode: no new deliveries; then finish those in hand.
      await wiring.stop();
      await idle();
      await output.close();
    },
  };
}
