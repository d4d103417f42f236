import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const SECRET = 'a-production-secret-of-enough-length-0123456789';
const TOKEN = 'xoxb-1234-5678-abcdef';
const SIGNING = '8f742231b10e8888abcd99yyyzzz85a5';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

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
    expect(loadConfig(base).slack).toEqual({ enabled: false, botToken: null, signingSecret: null });
    expect(
      loadConfig({ ...base, SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' }).slack.enabled,
    ).toBe(false);
  });

  it('is enabled by the bot token with the signing secret', () => {
    const config = loadConfig({ ...base, SLACK_BOT_TOKEN: TOKEN, SLACK_SIGNING_SECRET: SIGNING });
    expect(config.slack).toEqual({ enabled: true, botToken: TOKEN, signingSecret: SIGNING });
  });

  it('needs both: either alone is refused, naming the missing one', () => {
    expect(problems({ ...base, SLACK_BOT_TOKEN: TOKEN })).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN/),
    ]);
    expect(problems({ ...base, SLACK_SIGNING_SECRET: SIGNING })).toEqual([
      expect.stringMatching(/^SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET/),
    ]);
  });

  it('refuses a token that is not a bot token', () => {
    expect(
      problems({ ...base, SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: SIGNING }),
    ).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token \(xoxb-…\)/)]);
  });

  it('refuses SLACK_APP_TOKEN clearly: Socket Mode is not built yet', () => {
    const found = problems({
      ...base,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SIGNING,
      SLACK_APP_TOKEN: 'xapp-1-A0-123',
    });
    expect(found).toEqual([
      expect.stringMatching(/^SLACK_APP_TOKEN: Socket Mode is not supported yet/),
    ]);
  });

  it('lists Slack’s problems together with every other problem', () => {
    const found = problems({
      ...base,
      NODE_ENV: 'production',
      DIALOGRUNDE_SECRET: undefined,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_APP_TOKEN: 'xapp-1',
      TEAMS_APP_ID: 'app-id',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DIALOGRUNDE_SECRET/),
        expect.stringMatching(/^TEAMS_APP_PASSWORD/),
        expect.stringMatching(/^SLACK_SIGNING_SECRET/),
        expect.stringMatching(/^SLACK_APP_TOKEN/),
      ]),
    );
  });
});
