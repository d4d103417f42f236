import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configProblems, SECRET } from '../fixtures/config.ts';

const TOKEN = 'xoxb-1234-5678-abcdef';
const SIGNING = '8f742231b10e8888abcd99yyyzzz85a5';
const APP_TOKEN = 'xapp-1-A0APP-1234-abcdef';
const CLIENT_ID = '1234567890.0987654321';
const CLIENT_SECRET = 'client-secret-abcdef0123456789';

describe('loadConfig: Slack', () => {
  let dir: string;
  let base: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-config-slack-'));
    base = { DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET };
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is disabled when neither the token nor the signing secret is set (or both are empty)', () => {
    expect(loadConfig(base).slack).toEqual({
      enabled: false,
      botToken: null,
      signingSecret: null,
      appToken: null,
      oauth: null,
    });
    expect(
      loadConfig({ ...base, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' }).slack.enabled,
    ).toBe(false);
  });

  it('is enabled by the bot token with the signing secret', () => {
    const config = loadConfig({ ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING });
    expect(config.slack).toEqual({
      enabled: true,
      botToken: TOKEN,
      signingSecret: SIGNING,
      appToken: null,
      oauth: null,
    });
  });

  it('takes the Web API base URL from SLACK_API_URL (a local stand-in), else leaves it to the default', () => {
    const env = { ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING };
    expect(loadConfig(env).slack.apiUrl).toBeUndefined();
    expect(loadConfig({ ...env, SLACK_API_URL: 'http://127.0.0.1:4000/api' }).slack.apiUrl).toBe(
      'http://127.0.0.1:4000/api/',
    );
    expect(configProblems({ ...env, SLACK_API_URL: 'ftp://example' })).toEqual([
      expect.stringMatching(/^SLACK_API_URL: must be an http\(s\) URL/),
    ]);
  });

  it('needs both: either alone is refused, naming the missing one', () => {
    expect(configProblems({ ...base, SLACK_BOT_TOKEN: TOKEN })).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/),
    ]);
    expect(configProblems({ ...base, SLACK_SIGNING_SECRET: SIGNING })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET/),
    ]);
  });

  it('refuses a token that is not a bot token', () => {
    expect(
      configProblems({
        ...base,
        SLACK_BOT_TOKEN: 'xoxp-user-token',
        SLACK_SIGNING_SECRET: SIGNING,
      }),
    ).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token \(xoxb-…\)/)]);
  });

  it('runs in Socket Mode with an app token: no signing secret needed', () => {
    const config = loadConfig({ ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: APP_TOKEN });
    expect(config.slack).toMatchObject({ enabled: true, botToken: TOKEN, appToken: APP_TOKEN });
    expect(
      loadConfig({
        ...base,
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING,
      }).slack,
    ).toMatchObject({ enabled: true, appToken: APP_TOKEN, signingSecret: SIGNING });
  });

  it('refuses an app token that is not one, and an app token alone', () => {
    expect(configProblems({ ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_APP_TOKEN: TOKEN })).toEqual([
      expect.stringMatching(/^SLACK_APP_TOKEN: must be an app-level token \(xapp-…\)/),
    ]);
    expect(configProblems({ ...base, SLACK_APP_TOKEN: APP_TOKEN })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: required with SLACK_APP_TOKEN/),
    ]);
  });

  it('enables OAuth installs with the client id and secret; the state secret is derived', () => {
    const oauth = { SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET };
    const config = loadConfig({ ...base, ...oauth, SLACK_SIGNING_SECRET: SIGNING });
    expect(config.slack).toMatchObject({ enabled: true, botToken: null, signingSecret: SIGNING });
    const derived = config.slack.oauth?.stateSecret ?? '';
    expect(config.slack.oauth).toEqual({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      stateSecret: derived,
    });
    // Derived from DIALOGRUNDE_SECRET: stable, long, and not the secret itself.
    expect(derived).toHaveLength(43);
    expect(derived).not.toContain(SECRET);
    expect(
      loadConfig({ ...base, ...oauth, SLACK_SIGNING_SECRET: SIGNING }).slack.oauth?.stateSecret,
    ).toBe(derived);
    const other = loadConfig({
      ...base,
      DIALOGRUNDE_SECRET: `${SECRET}-2`,
      ...oauth,
      SLACK_APP_TOKEN: APP_TOKEN,
    });
    expect(other.slack.oauth?.stateSecret).not.toBe(derived);
    const state = 'an-explicit-state-secret-of-32-chars-or-more';
    expect(
      loadConfig({ ...base, ...oauth, SLACK_SIGNING_SECRET: SIGNING, SLACK_STATE_SECRET: state })
        .slack.oauth?.stateSecret,
    ).toBe(state);
  });

  it('needs exactly one way to authorise: a bot token or OAuth, never both', () => {
    expect(
      configProblems({
        ...base,
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_SIGNING_SECRET: SIGNING,
      }),
    ).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: set either SLACK_BOT_TOKEN .* not both$/)]);
    expect(
      configProblems({ ...base, SLACK_CLIENT_ID: CLIENT_ID, SLACK_SIGNING_SECRET: SIGNING }),
    ).toEqual([expect.stringMatching(/^SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID/)]);
    expect(
      configProblems({
        ...base,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_SIGNING_SECRET: SIGNING,
      }),
    ).toEqual([expect.stringMatching(/^SLACK_CLIENT_ID: required with SLACK_CLIENT_SECRET/)]);
    expect(
      configProblems({ ...base, SLACK_CLIENT_ID: CLIENT_ID, SLACK_CLIENT_SECRET: CLIENT_SECRET }),
    ).toEqual([
      expect.stringMatching(
        /^SLACK_SIGNING_SECRET: required with SLACK_CLIENT_ID.*SLACK_APP_TOKEN/,
      ),
    ]);
    expect(
      configProblems({ ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_STATE_SECRET: 'x'.repeat(40) }),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SLACK_STATE_SECRET: only used for OAuth/)]),
    );
    expect(
      configProblems({
        ...base,
        SLACK_CLIENT_ID: CLIENT_ID,
        SLACK_CLIENT_SECRET: CLIENT_SECRET,
        SLACK_SIGNING_SECRET: SIGNING,
        SLACK_STATE_SECRET: 'short',
      }),
    ).toEqual([expect.stringMatching(/^SLACK_STATE_SECRET: must be at least 32 characters/)]);
  });

  it('lists Slack’s problems together with every other problem', () => {
    const found = configProblems({
      ...base,
      NODE_ENV: 'production',
      DIALOGRUNDE_SECRET: undefined,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_CLIENT_ID: CLIENT_ID,
      TEAMS_APP_ID: 'app-id',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DIALOGRUNDE_SECRET/),
        expect.stringMatching(/^TEAMS_APP_PASSWORD/),
        expect.stringMatching(/^SLACK_BOT_TOKEN: set either/),
        expect.stringMatching(/^SLACK_CLIENT_SECRET: required/),
        expect.stringMatching(/^SLACK_SIGNING_SECRET: required/),
      ]),
    );
  });
});
