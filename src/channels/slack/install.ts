import { type App, type Authorize, ExpressReceiver, type Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Router } from 'express';
import type { Logger } from '../../app/logger.ts';
import type { SlackConfig } from '../../config.ts';
import type { InstallationStore } from '../../core/ports.ts';
import { fromInstallations, singleWorkspace } from './authorize.ts';
import { SlackInstallations } from './installations.ts';
import { InstalledWebClient, mountOAuth } from './oauth.ts';
import { slackSignatureGuard } from './signature-guard.ts';
import { createSocketReceiver } from './socket.ts';
import { createWebClient, slackClientOptions, slackLogger } from './web-client.ts';

/*
 * How the Slack channel is connected, from the configuration:
 *
 * |                    | receive over HTTP (signing secret)     | Socket Mode (SLACK_APP_TOKEN)  |
 * |--------------------|----------------------------------------|--------------------------------|
 * | one bot token      | ExpressReceiver on /slack/events       | SocketModeReceiver             |
 * | OAuth installs     | the same, plus /slack/install + redirect on our server           ||
 *
 * Authorisation: one token (`singleWorkspace`), or the installation of the
 * request's workspace (`fromInstallations`). Outbound sends use
 * `clientFor(tenant)`: the one WebClient, or a per-tenant client that looks
 * up the installation on every call.
 */

/** Where Slack sends events, slash commands and interactions in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Largest request accepted: block_actions payloads carry the whole message (≤ 50 blocks). */
export const SLACK_BODY_LIMIT = '1mb';

export interface WiringOptions {
  config: SlackConfig;
  logger: Logger;
  apiUrl: string;
  /** Our express router, mounted on the one HTTP server. */
  router: Router;
  /** OAuth: where installations are kept. */
  installations?: InstallationStore;
  /** OAuth: the app secret (DIALOGRUNDE_SECRET) that seals installation tokens. */
  secret?: string;
  /** OAuth: PUBLIC_URL, for the redirect_uri. */
  publicUrl?: string | null;
  /** OAuth: Slack's consent page (tests: the fake's). */
  authorizationUrl?: string;
  /** Socket Mode: ping timeouts (tests). */
  socket?: { clientPingTimeout?: number; serverPingTimeout?: number };
}

export interface SlackWiring {
  mode: 'http' | 'socket';
  receiver: Receiver;
  authorize: Authorize<boolean>;
  clientFor(tenant: string): WebClient;
  /** OAuth installations (undefined with one bot token). */
  installations: SlackInstallations | undefined;
  /** Socket Mode: connects. Token mode: checks the token once (auth.test). */
  start(app: App): Promise<void>;
  /** Socket Mode: disconnects. */
  stop(): Promise<void>;
}

export function createWiring(options: WiringOptions): SlackWiring {
  const { config, logger, apiUrl, router } = options;
  const oauth = config.oauth ?? null;
  const appToken = config.appToken ?? null;
  if (!config.botToken === !oauth) {
    throw new Error(
      'Slack channel needs SLACK_BOT_TOKEN or OAuth (SLACK_CLIENT_ID/SECRET), not both',
    );
  }
  if (!appToken && !config.signingSecret) {
    throw new Error(
      'Slack channel needs SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode)',
    );
  }

  // Registered before Bolt's own route on the router, so it runs first (see the guard).
  if (!appToken) router.post(SLACK_EVENTS_PATH, slackSignatureGuard());
  const receiver: Receiver = appToken
    ? createSocketReceiver({ appToken, apiUrl, logger, ...options.socket })
    : new ExpressReceiver({
        signingSecret: config.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        // Ack first, work afterwards (Slack's 3 s deadline); our handlers call ack() themselves.
        processBeforeResponse: false,
        router,
        logger: slackLogger(logger),
        bodyLimit: SLACK_BODY_LIMIT,
      });
  const mode = appToken ? 'socket' : 'http';
  const connect = async (app: App) => {
    if (!appToken) return;
    try {
      await app.start();
      logger.info('slack: connected in Socket Mode');
    } catch (error) {
      // Not fatal for the rest of the app (the web channel); Slack stays unreachable.
      logger.error(
        { err: error },
        'slack: Socket Mode did not connect (is SLACK_APP_TOKEN right?)',
      );
    }
  };
  const disconnect = async () => {
    if (receiver instanceof ExpressReceiver) return;
    await receiver.stop();
  };

  if (config.botToken) {
    const client = createWebClient(config.botToken, apiUrl, logger);
    return {
      mode,
      receiver,
      authorize: singleWorkspace(client, config.botToken),
      clientFor: () => client,
      installations: undefined,
      async start(app) {
        try {
          const me = await client.auth.test();
          logger.info({ team: me.team_id }, 'slack: connected');
        } catch (error) {
          // Not fatal: the web channel still works, and Bolt asks again on the first request.
          logger.error({ err: error }, 'slack: the bot token was not accepted (auth.test)');
        }
        await connect(app);
      },
      stop: disconnect,
    };
  }

  if (!oauth || !options.installations || !options.secret) {
    throw new Error('Slack OAuth needs an installation store and the app secret');
  }
  const installations = new SlackInstallations(options.installations, options.secret, logger);
  const clientOptions = slackClientOptions(apiUrl, logger);
  const { logger: _sdkLogger, ...installerClientOptions } = clientOptions;
  mountOAuth(router, {
    config: oauth,
    installations,
    logger,
    clientOptions: installerClientOptions,
    ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
    ...(options.authorizationUrl && { authorizationUrl: options.authorizationUrl }),
  });
  const clients = new Map<string, WebClient>();
  return {
    mode,
    receiver,
    authorize: fromInstallations(installations),
    clientFor(tenant) {
      let client = clients.get(tenant);
      if (!client) {
        client = new InstalledWebClient(
          async () => (await installations.forTenant(tenant))?.bot.token,
          clientOptions,
        );
        clients.set(tenant, client);
      }
      return client;
    },
    installations,
    async start(app) {
      logger.info('slack: OAuth installs; a workspace installs the app at /slack/install');
      await connect(app);
    },
    stop: disconnect,
  };
}

/** The row key of the installation a Bolt context belongs to. */
function contextKey(context: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string;
  teamId?: string;
}): string | undefined {
  return context.isEnterpriseInstall ? context.enterpriseId : context.teamId;
}

/**
 * `app_uninstalled` and `tokens_revoked` (Bolt delivers both without
 * authorising: the token may be gone already). With OAuth the workspace's
 * installation is removed, so nothing is sent there any more; with one bot
 * token there is nothing to remove (the token is configuration), so it is
 * logged.
 */
export function listenForUninstall(app: App, wiring: SlackWiring, logger: Logger): void {
  app.event('app_uninstalled', async ({ context }) => {
    const key = contextKey(context);
    if (!wiring.installations) {
      logger.warn('slack: the app was uninstalled; SLACK_BOT_TOKEN no longer works');
      return;
    }
    if (!key) return;
    const removed = await wiring.installations.remove(key);
    logger.info({ key, removed }, 'slack: uninstalled; installation removed');
  });

  app.event('tokens_revoked', async ({ context, event }) => {
    const bots = event.tokens.bot ?? [];
    if (bots.length === 0) return; // user tokens only: we keep none
    if (!wiring.installations) {
      logger.warn('slack: the bot token was revoked; SLACK_BOT_TOKEN no longer works');
      return;
    }
    const key = contextKey(context);
    if (!key) return;
    const found = await wiring.installations.forTenant(key);
    // Only when the revoked bot is this installation's (a reinstall may have replaced it).
    if (found?.key === key && bots.includes(found.bot.userId)) {
      await wiring.installations.remove(key);
      logger.info({ key }, 'slack: bot token revoked; installation removed');
    }
  });
}
