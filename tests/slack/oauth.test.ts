/**
 * OAuth installs into many workspaces, through the real Bolt app, our
 * express server and the real InstallProvider, against the fake's consent
 * page and oauth.v2.access. The browser part is plain HTTP: follow the
 * install link, let the fake "allow", come back to the redirect URL with the
 * code, the state and the state cookie.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.ts';
import { createSlackChannel } from '../../src/channels/slack/index.ts';
import { SlackInstallations } from '../../src/channels/slack/installations.ts';
import {
  mountOAuth,
  SLACK_BOT_SCOPES,
  SLACK_INSTALL_PATH,
} from '../../src/channels/slack/oauth.ts';
import { loadConfig } from '../../src/config.ts';
import type { ConversationRef } from '../../src/core/model.ts';
import { listen } from '../../src/http/server.ts';
import { start } from '../../src/main.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { CLIENT_ID, CLIENT_SECRET, type Installer } from './fake-slack-apps.ts';
import {
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  SECRET,
  startWorld,
  type World,
} from './harness.ts';

const ONE = 'T0ONE';
const TWO = 'T0TWO';

interface Browser {
  /** The install link's answer. */
  install: Response;
  consent?: Response;
  callback?: Response;
  page?: string;
}

const manual = () => ({ redirect: 'manual', signal: AbortSignal.timeout(10_000) }) as const;

/** The state cookie the install link set (`name=value`). */
function stateCookie(response: Response): string {
  const cookie = response.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

/** A person installs the app: install link → Slack's consent page → our redirect URL. */
async function install(
  w: World,
  installer: Installer,
  tamper: { cookie?: string; state?: (s: string) => string } = {},
): Promise<Browser> {
  w.apps.installAs(installer);
  const first = await fetch(`${w.server.url}${SLACK_INSTALL_PATH}`, manual());
  const browser: Browser = { install: first };
  const consentUrl = first.headers.get('location');
  if (first.status !== 302 || !consentUrl) return browser;
  browser.consent = await fetch(consentUrl, manual());
  const back = new URL(browser.consent.headers.get('location') ?? '');
  if (tamper.state)
    back.searchParams.set('state', tamper.state(back.searchParams.get('state') ?? ''));
  browser.callback = await fetch(back, {
    ...manual(),
    headers: { cookie: tamper.cookie ?? stateCookie(first) },
  });
  browser.page = await browser.callback.text();
  return browser;
}

/** `/dialogrunde <text>` from a user of `team` (signed, as Slack sends it). */
async function command(
  w: World,
  team: string,
  user: string,
  text: string,
  extra: Record<string, string> = {},
) {
  const params = new URLSearchParams(commandBody(w, user, text));
  params.set('team_id', team);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return deliver(w, params.toString(), FORM);
}

function eventBody(team: string, event: Record<string, unknown>, orgWide?: string): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: team,
    ...(orgWide && { enterprise_id: orgWide }),
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: 1795424400,
    authorizations: [
      {
        team_id: team,
        enterprise_id: orgWide ?? null,
        user_id: `U0BOT${team}`,
        is_bot: true,
        is_enterprise_install: orgWide !== undefined,
      },
    ],
    event,
  });
}

const conversation = (tenant: string): ConversationRef => ({
  platform: 'slack',
  tenant,
  conversationId: CHANNEL,
});

describe('Slack OAuth: installing into workspaces', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({ oauth: true });
  });
  afterEach(async () => {
    await w.close();
  });

  it('install link → consent → redirect: the installation is kept, its token sealed', async () => {
    const browser = await install(w, { teamId: ONE, teamName: 'Første <b>arbejdsplads</b>' });
    // The install link goes straight to Slack's consent page with our scopes and a state.
    expect(browser.install.status).toBe(302);
    const consent = new URL(browser.install.headers.get('location') ?? '');
    expect(`${consent.origin}${consent.pathname}`).toBe(w.apps.authorizeUrl);
    expect(consent.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(consent.searchParams.get('scope')?.split(',')).toEqual(SLACK_BOT_SCOPES);
    const state = consent.searchParams.get('state') ?? '';
    expect(state.length).toBeGreaterThan(20);
    // The same state in a cookie for this browser only.
    expect(stateCookie(browser.install)).toBe(`slack-app-oauth-state=${state}`);
    expect(browser.install.headers.get('set-cookie')).toMatch(/HttpOnly/);

    expect(browser.callback?.status).toBe(200);
    expect(browser.page).toContain(
      'Dialogrunde er installeret i Første &lt;b&gt;arbejdsplads&lt;/b&gt;',
    );
    // The state cookie is cleared after use.
    expect(browser.callback?.headers.get('set-cookie')).toMatch(/slack-app-oauth-state=deleted/);
    expect(w.slack.callsTo('oauth.v2.access')).toMatchObject([
      { status: 200, args: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } },
    ]);

    const token = w.apps.tokenOf(ONE) ?? 'missing';
    const row = await w.app.store.installations.find('slack', ONE);
    expect(row).toMatchObject({ platform: 'slack', key: ONE, organisation: null });
    // At rest: no token, no workspace name, no bot id in the clear.
    expect(row?.data).not.toContain(token);
    expect(row?.data).not.toContain('xoxb');
    expect(row?.data).not.toContain('Første');
    const opened = await new SlackInstallations(
      w.app.store.installations,
      SECRET,
      silentLogger(),
    ).forTenant(ONE);
    expect(opened).toMatchObject({
      key: ONE,
      teamId: ONE,
      isEnterpriseInstall: false,
      bot: { token, userId: `U0BOT${ONE}`, id: `B0BOT${ONE}`, scopes: [...SLACK_BOT_SCOPES] },
    });
    // The installing person's id is not kept.
    expect(JSON.stringify(opened)).not.toContain('U0ADMIN');
    // Another secret cannot open it: it counts as not installed.
    expect(
      await new SlackInstallations(
        w.app.store.installations,
        `${SECRET}-rotated`,
        silentLogger(),
      ).forTenant(ONE),
    ).toBeUndefined();
  });

  it('each workspace is served with its own token; a workspace that did not install is refused', async () => {
    await install(w, { teamId: ONE });
    await install(w, { teamId: TWO });
    const tokenOne = w.apps.tokenOf(ONE);
    const tokenTwo = w.apps.tokenOf(TWO);
    expect(tokenOne).toBeDefined();
    expect(tokenTwo).not.toBe(tokenOne);

    await command(w, ONE, FACILITATOR, 'start');
    await command(w, TWO, FACILITATOR, 'start');
    await drain(w);
    const [roundOne] = await w.app.store.listByConversation(conversation(ONE), 5);
    const [roundTwo] = await w.app.store.listByConversation(conversation(TWO), 5);
    expect(roundOne).toBeDefined();
    expect(roundTwo).toBeDefined();
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    const tokens = new Set(posts.map((c) => c.token));
    expect(tokens).toEqual(new Set([tokenOne, tokenTwo]));

    const before = w.slack.calls.length;
    const refused = await command(w, 'T0NOBODY', FACILITATOR, 'start');
    expect(refused.status).toBe(200);
    await drain(w);
    expect(await w.app.store.listByConversation(conversation('T0NOBODY'), 5)).toEqual([]);
    expect(w.slack.calls.slice(before)).toEqual([]);
    // No response to the person either: nothing ran.
    expect(w.slack.responses.filter((r) => r.body.text !== undefined).length).toBe(2);
  });

  it('refuses a callback without the state cookie, with a forged state, or with a used code', async () => {
    const noCookie = await install(w, { teamId: ONE }, { cookie: '' });
    expect(noCookie.callback?.status).toBe(400);
    expect(noCookie.page).toContain('Installationen lykkedes ikke');
    const forged = await install(w, { teamId: ONE }, { state: (s) => `${s.slice(0, -2)}xx` });
    expect(forged.callback?.status).toBe(400);
    expect(w.slack.callsTo('oauth.v2.access')).toEqual([]);
    expect(await w.app.store.installations.find('slack', ONE)).toBeUndefined();

    // A good install, then the same redirect URL again (a reload): the code is spent.
    const good = await install(w, { teamId: ONE });
    expect(good.callback?.status).toBe(200);
    const again = await fetch(good.consent?.headers.get('location') ?? '', {
      ...manual(),
      headers: { cookie: stateCookie(good.install) },
    });
    expect(again.status).toBe(400);
    expect(await w.app.store.installations.find('slack', ONE)).toBeDefined();
  });

  it('a reinstall replaces the token', async () => {
    await install(w, { teamId: ONE });
    const first = w.apps.tokenOf(ONE);
    await install(w, { teamId: ONE });
    const second = w.apps.tokenOf(ONE);
    expect(second).not.toBe(first);
    await command(w, ONE, FACILITATOR, 'start');
    await drain(w);
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.token === second)).toBe(true);
  });

  it('app_uninstalled removes the installation: nothing is sent there any more', async () => {
    await install(w, { teamId: ONE });
    await install(w, { teamId: TWO });
    await command(w, ONE, FACILITATOR, 'start');
    await drain(w);
    const [round] = await w.app.store.listByConversation(conversation(ONE), 1);
    const token = w.apps.tokenOf(ONE) ?? '';

    const gone = await deliver(w, eventBody(ONE, { type: 'app_uninstalled' }), 'application/json');
    expect(gone.status).toBe(200);
    w.apps.revoke(token);
    expect(await w.app.store.installations.find('slack', ONE)).toBeUndefined();
    expect(await w.app.store.installations.find('slack', TWO)).toBeDefined();

    // The round goes on inside the app (here: ended), but no call reaches Slack for it.
    const before = w.slack.calls.length;
    const ended = await w.app.service.command(
      round?.id ?? '',
      { platform: 'slack', tenant: ONE, userId: FACILITATOR },
      { type: 'end' },
    );
    expect(ended.ok).toBe(true);
    await drain(w);
    expect(w.slack.calls.slice(before)).toEqual([]);
    // Its commands are refused (no installation to authorise with).
    await command(w, ONE, FACILITATOR, 'start');
    expect(w.slack.calls.slice(before)).toEqual([]);
    // The other workspace is untouched.
    await command(w, TWO, FACILITATOR, 'start');
    await drain(w);
    expect(w.slack.calls.slice(before).every((c) => c.token === w.apps.tokenOf(TWO))).toBe(true);
    expect(w.slack.calls.length).toBeGreaterThan(before);
  });

  it('tokens_revoked removes the installation when its bot token is revoked, not for user tokens', async () => {
    await install(w, { teamId: ONE });
    const userOnly = eventBody(ONE, { type: 'tokens_revoked', tokens: { oauth: ['U0ADMIN'] } });
    await deliver(w, userOnly, 'application/json');
    expect(await w.app.store.installations.find('slack', ONE)).toBeDefined();
    const otherBot = eventBody(ONE, { type: 'tokens_revoked', tokens: { bot: ['U0SOMEBOT'] } });
    await deliver(w, otherBot, 'application/json');
    expect(await w.app.store.installations.find('slack', ONE)).toBeDefined();
    const ours = eventBody(ONE, { type: 'tokens_revoked', tokens: { bot: [`U0BOT${ONE}`] } });
    await deliver(w, ours, 'application/json');
    expect(await w.app.store.installations.find('slack', ONE)).toBeUndefined();
  });

  it('an org-wide install is keyed by the organisation and serves its workspaces', async () => {
    const browser = await install(w, { teamId: 'T0GRID', enterpriseId: 'E0ORG', orgWide: true });
    expect(browser.callback?.status).toBe(200);
    expect(await w.app.store.installations.find('slack', 'E0ORG')).toMatchObject({
      key: 'E0ORG',
      organisation: 'E0ORG',
    });
    expect(await w.app.store.installations.find('slack', 'T0GRID')).toBeUndefined();
    await command(w, 'T0GRID', FACILITATOR, 'start', {
      enterprise_id: 'E0ORG',
      is_enterprise_install: 'true',
    });
    await drain(w);
    // The round's tenant is the organisation; the bot posts with the org-wide token.
    expect(await w.app.store.listByConversation(conversation('E0ORG'), 1)).toHaveLength(1);
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.token === w.apps.tokenOf('E0ORG'))).toBe(true);
    // Uninstalling the org-wide app removes it.
    await deliver(w, eventBody('T0GRID', { type: 'app_uninstalled' }, 'E0ORG'), 'application/json');
    expect(await w.app.store.installations.find('slack', 'E0ORG')).toBeUndefined();
  });

  it('a workspace install inside an organisation serves rounds whose tenant is the organisation', async () => {
    await install(w, { teamId: 'T0GRIDWS', enterpriseId: 'E0ORG2' });
    expect(await w.app.store.installations.find('slack', 'T0GRIDWS')).toMatchObject({
      organisation: 'E0ORG2',
    });
    await command(w, 'T0GRIDWS', FACILITATOR, 'start', { enterprise_id: 'E0ORG2' });
    await drain(w);
    expect(await w.app.store.listByConversation(conversation('E0ORG2'), 1)).toHaveLength(1);
    const posts = w.slack.callsTo('chat.postMessage').filter((c) => c.status === 200);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.token === w.apps.tokenOf('T0GRIDWS'))).toBe(true);
  });
});

describe('Slack OAuth routes with PUBLIC_URL', () => {
  it('sends the redirect_uri under PUBLIC_URL', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const router = express.Router();
    mountOAuth(router, {
      config: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, stateSecret: 'x'.repeat(40) },
      installations: new SlackInstallations(store.installations, SECRET, silentLogger()),
      logger: silentLogger(),
      clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
      publicUrl: 'https://dialog.example.dk',
    });
    const app = express();
    app.use(router);
    const server = await listen(app, 0, '127.0.0.1');
    try {
      const answer = await fetch(`${server.url}${SLACK_INSTALL_PATH}`, manual());
      expect(answer.status).toBe(302);
      const consent = new URL(answer.headers.get('location') ?? '');
      expect(consent.origin).toBe('https://slack.com');
      expect(consent.searchParams.get('redirect_uri')).toBe(
        'https://dialog.example.dk/slack/oauth_redirect',
      );
    } finally {
      await server.close(100);
      await store.close();
    }
  });
});

describe('main with OAuth configured', () => {
  it('serves /slack/install on the shared server, with PUBLIC_URL as redirect_uri', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-slack-oauth-main-'));
    const server = await start(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        PUBLIC_URL: 'https://dialog.example.dk',
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_SIGNING_SECRET: 'main-test-signing-secret-0123456789',
      }),
    );
    try {
      const answer = await fetch(`${server.url}${SLACK_INSTALL_PATH}`, manual());
      expect(answer.status).toBe(302);
      const consent = new URL(answer.headers.get('location') ?? '');
      expect(consent.searchParams.get('client_id')).toBe(CLIENT_ID);
      expect(consent.searchParams.get('redirect_uri')).toBe(
        'https://dialog.example.dk/slack/oauth_redirect',
      );
      // A callback without the state cookie is refused, nothing stored.
      const back = await fetch(
        `${server.url}/slack/oauth_redirect?code=x&state=${consent.searchParams.get('state')}`,
        manual(),
      );
      expect(back.status).toBe(400);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('createSlackChannel refuses what config.ts refuses', () => {
  it('needs exactly one of a bot token and OAuth, and a way to receive', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const base = {
      logger: silentLogger(),
      clock: { now: () => 0 },
      channelMemory: store.channelMemory,
      store,
      installations: store.installations,
      secret: SECRET,
    };
    const oauth = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, stateSecret: 'x'.repeat(40) };
    const make = (config: Parameters<typeof createSlackChannel>[0]['config']) => () =>
      createSlackChannel({ ...base, config });
    expect(make({ enabled: true, botToken: 'xoxb-1', signingSecret: 's', oauth })).toThrow(
      /not both/,
    );
    expect(make({ enabled: true, botToken: null, signingSecret: 's' })).toThrow(/not both/);
    expect(make({ enabled: true, botToken: 'xoxb-1', signingSecret: null })).toThrow(
      /SLACK_SIGNING_SECRET \(HTTP\) or SLACK_APP_TOKEN/,
    );
    // OAuth without a store or secret to keep installations in.
    expect(() =>
      createSlackChannel({
        ...base,
        installations: undefined,
        config: { enabled: true, botToken: null, signingSecret: 's', oauth },
      }),
    ).toThrow(/installation store/);
    await store.close();
  });
});
