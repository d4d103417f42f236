/**
 * The composition root with Slack configured: `POST /slack/events` is served
 * by the one HTTP server next to the web channel, and Bolt (not the web
 * channel's body parsers) reads the raw body, so signatures verify.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { start } from '../../src/main.ts';
import { signedHeaders } from './harness.ts';

const SIGNING = 'main-test-signing-secret-0123456789';

describe('main: the Slack channel on the shared server', () => {
  let dataDir = '';
  let server: Awaited<ReturnType<typeof start>> | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-slack-main-'));
    server = await start(
      loadConfig({
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        SLACK_BOT_TOKEN: 'xoxb-main-test',
        SLACK_SIGNING_SECRET: SIGNING,
      }),
    );
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server?.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('answers a signed url_verification and refuses an unsigned one', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'æøå-123', token: 'x' });
    const signed = await post(body, signedHeaders(body, { secret: SIGNING }));
    expect(signed.status).toBe(200);
    expect(await signed.json()).toEqual({ challenge: 'æøå-123' });
    expect((await post(body, {})).status).toBe(401);
  });

  it('leaves the web channel and the health check as they were', async () => {
    expect((await fetch(`${server?.url}/healthz`)).status).toBe(200);
    const page = await fetch(`${server?.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
