import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallbackOptions, InstallProvider, type InstallURLOptions } from '@slack/oauth';
import { type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import type { Router } from 'express';
import type { Logger } from '../../app/logger.ts';
import type { SlackOAuthConfig } from '../../config.ts';
import { installationKey, type SlackInstallations } from './installations.ts';
import { slackLogger } from './web-client.ts';

/*
 * OAuth installs into many workspaces (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET):
 * `GET /slack/install` sends the browser to Slack's consent page with a signed
 * `state` (also set as a cookie, so the callback must come back to the same
 * browser); Slack sends it back to `GET /slack/oauth_redirect?code&state`,
 * where the code is exchanged for the workspace's bot token
 * (`oauth.v2.access`) and the installation stored, sealed (`installations.ts`).
 * Bolt's `InstallProvider` does the flow and the state checks; the routes sit
 * on our express app, so they share the one server in HTTP and Socket Mode.
 */

export const SLACK_INSTALL_PATH = '/slack/install';
export const SLACK_OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';
/** Slack's consent page (tests point it at the fake). */
export const SLACK_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

/**
 * The bot scopes the app asks for, the same list as `manifest/slack.yaml`
 * (tests/slack/manifest.test.ts compares them).
 */
export const SLACK_BOT_SCOPES: readonly string[] = [
  // @dialogrunde start|status|stop|hjælp
  'app_mentions:read',
  // /dialogrunde
  'commands',
  // post and edit the round's messages, ephemeral answers
  'chat:write',
  // channel members (nudges in asynchronous rounds; who may see a round in App Home)
  'channels:read',
  'groups:read',
  // whether a member is a person or a bot, and their name for the plan's owner
  'users:read',
  // direct messages: nudges and follow-up reminders to the owner
  'im:write',
  // the måloversigt picture and the exports with the summary
  'files:write',
];

/** The events the app subscribes to (the manifests' `bot_events`); each has a listener. */
export const SLACK_BOT_EVENTS: readonly string[] = [
  // the Home tab (app-home.ts)
  'app_home_opened',
  // @dialogrunde …
  'app_mention',
  // an uninstall or a revoked bot token removes the installation (install.ts)
  'app_uninstalled',
  'tokens_revoked',
];

export interface OAuthOptions {
  config: SlackOAuthConfig;
  installations: SlackInstallations;
  logger: Logger;
  /** WebClient options for oauth.v2.access and auth.test (our API URL, no SDK retries). */
  clientOptions: Omit<WebClientOptions, 'logger' | 'logLevel'>;
  /** Our public base URL (PUBLIC_URL): the redirect_uri sent to Slack. Absent: the app's configured one. */
  publicUrl?: string | null;
  authorizationUrl?: string;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="da"><head><meta charset="utf-8"><title>${title}</title>` +
  '<meta name="viewport" content="width=device-width, initial-scale=1"></head>' +
  `<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">${body}</body></html>`;

const html = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Mounts the install and redirect routes on `router`. */
export function mountOAuth(router: Router, options: OAuthOptions): InstallProvider {
  const { config, installations, logger } = options;
  const installer = new InstallProvider({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    stateSecret: config.stateSecret,
    installationStore: installations.bolt(),
    directInstall: true,
    authorizationUrl: options.authorizationUrl ?? SLACK_AUTHORIZE_URL,
    logger: slackLogger(logger),
    clientOptions: options.clientOptions,
  });
  const installUrl: InstallURLOptions = {
    scopes: [...SLACK_BOT_SCOPES],
    ...(options.publicUrl && { redirectUri: `${options.publicUrl}${SLACK_OAUTH_REDIRECT_PATH}` }),
  };
  const callbacks: CallbackOptions = {
    success: (installation, _options, _req, res) => {
      const key = installationKey(installation);
      logger.info({ key, orgWide: installation.isEnterpriseInstall === true }, 'slack: installed');
      const name = installation.team?.name ?? installation.enterprise?.name ?? '';
      const team = installation.team?.id ?? '';
      send(
        res,
        200,
        page(
          'Dialogrunde er installeret',
          `<h1>Dialogrunde er installeret${name ? ` i ${html(name)}` : ''}</h1>` +
            '<p>Invitér appen til en kanal (<code>/invite @dialogrunde</code>) og start en runde med <code>/dialogrunde start</code>.</p>' +
            `<p><a href="slack://open${team ? `?team=${encodeURIComponent(team)}` : ''}">Åbn Slack</a></p>` +
            '<p lang="en"><small>Dialogrunde is installed: invite it to a channel and type /dialogrunde start.</small></p>',
        ),
      );
    },
    failure: (error, _options, _req, res) => {
      // The code names the step that failed (state, code exchange, store); no token or user id.
      logger.warn({ code: error.code }, 'slack: installation failed');
      send(
        res,
        400,
        page(
          'Installationen lykkedes ikke',
          '<h1>Installationen lykkedes ikke</h1>' +
            `<p>Start forfra fra <a href="${SLACK_INSTALL_PATH}">${SLACK_INSTALL_PATH}</a> i den samme browser.</p>` +
            `<p lang="en"><small>The installation did not succeed (${html(error.code)}). Start again from ${SLACK_INSTALL_PATH} in the same browser.</small></p>`,
        ),
      );
    },
  };
  const wrap =
    (handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
      handle(req, res).catch(next);
    };
  router.get(
    SLACK_INSTALL_PATH,
    wrap((req, res) => installer.handleInstallPath(req, res, undefined, installUrl)),
  );
  router.get(
    SLACK_OAUTH_REDIRECT_PATH,
    wrap((req, res) => installer.handleCallback(req, res, callbacks)),
  );
  return installer;
}

export class NotInstalledError extends Error {
  constructor() {
    super('slack: the workspace has no installation (uninstalled?)');
    this.name = 'NotInstalledError';
  }
}

/**
 * A WebClient for one tenant of an OAuth app: every call looks up the
 * tenant's installation and uses its bot token, so `clientFor(tenant)` can
 * stay synchronous and an uninstall stops sending at once (calls then throw
 * `NotInstalledError` without reaching Slack). A call that names its own
 * `token` keeps it.
 */
export class InstalledWebClient extends WebClient {
  readonly #tokenFor: () => Promise<string | undefined>;

  constructor(tokenFor: () => Promise<string | undefined>, options: WebClientOptions) {
    super(undefined, options);
    this.#tokenFor = tokenFor;
  }

  override async apiCall(
    method: string,
    options: Record<string, unknown> = {},
  ): Promise<WebAPICallResult> {
    if (typeof options.token === 'string') return super.apiCall(method, options);
    const token = await this.#tokenFor();
    if (!token) throw new NotInstalledError();
    return super.apiCall(method, { ...options, token });
  }
}
