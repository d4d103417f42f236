/**
 * The fake Slack behaves as the real Web API does where our code depends on
 * it, seen through the real WebClient configured as the channel configures it
 * (one attempt, 429 handed back with its Retry-After).
 */
import { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.ts';
import { createWebClient, readSlackError } from '../../src/channels/slack/web-client.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

const TOKEN = 'xoxb-fake-test';

describe('fake Slack Web API', () => {
  let now = 0;
  let slack: FakeSlack;
  let client: WebClient;
  beforeEach(async () => {
    now = Date.UTC(2026, 10, 23, 9);
    slack = await startFakeSlack({
      now: () => now,
      token: TOKEN,
      members: { C1: Array.from({ length: 250 }, (_, i) => `U${i}`) },
    });
    client = createWebClient(TOKEN, slack.apiUrl, silentLogger());
  });
  afterEach(async () => {
    await slack.close();
  });

  it('answers auth.test, and invalid_auth to any other token', async () => {
    expect(await client.auth.test()).toMatchObject({
      ok: true,
      team_id: 'T0TEAM',
      user_id: 'U0BOT',
    });
    const stranger = createWebClient('xoxb-wrong', slack.apiUrl, silentLogger());
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(slack.calls.map((c) => c.token)).toEqual([TOKEN, 'xoxb-wrong']);
  });

  it('throttles chat.postMessage above a burst of 3 per second per channel; the WebClient makes one attempt', async () => {
    for (let i = 0; i < 3; i++) await client.chat.postMessage({ channel: 'C1', text: `m${i}` });
    const error = await client.chat
      .postMessage({ channel: 'C1', text: 'm3' })
      .catch((e: unknown) => e);
    expect(readSlackError(error)).toEqual({ status: 429, retryAfter: 1 });
    // Another channel is not affected; one second later C1 is free again.
    await client.chat.postMessage({ channel: 'C2', text: 'x' });
    now += 1000;
    await client.chat.postMessage({ channel: 'C1', text: 'm4' });
    expect(slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([
      200, 200, 200, 429, 200, 200,
    ]);
  });

  it('throttles chat.update above Tier 3 (50 per minute per workspace) with Retry-After', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    for (let i = 0; i < 50; i++) {
      await client.chat.update({ channel: 'C1', ts: ts ?? '', text: `u${i}` });
      now += 100;
    }
    const error = await client.chat
      .update({ channel: 'C1', ts: ts ?? '', text: 'u50' })
      .catch((e: unknown) => e);
    // The first of the 50 leaves the window 60 s after it came: 55 s from now.
    expect(readSlackError(error)).toEqual({ status: 429, retryAfter: 55 });
    expect(slack.callsTo('chat.update')).toHaveLength(51);
  });

  it('pages conversations.members with next_cursor', async () => {
    const members: string[] = [];
    for await (const page of client.paginate('conversations.members', {
      channel: 'C1',
      limit: 100,
    })) {
      members.push(...((page as { members?: string[] }).members ?? []));
    }
    expect(members).toHaveLength(250);
    expect(new Set(members).size).toBe(250);
    expect(slack.callsTo('conversations.members')).toHaveLength(3);
  });

  it('answers users.info, views.open and chat.postEphemeral, and refuses invalid blocks', async () => {
    slack.issueTrigger('t');
    expect((await client.users.info({ user: 'U1', include_locale: true })).user).toMatchObject({
      id: 'U1',
      locale: 'da-DK',
    });
    expect(
      (
        await client.views.open({
          trigger_id: 't',
          view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
        })
      ).view?.id,
    ).toMatch(/^V/);
    expect((await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x' })).ok).toBe(
      true,
    );
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    await expect(
      client.chat.postMessage({ channel: 'C1', text: 'x', blocks: tooMany }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
  });

  it('records the arguments as Slack receives them (blocks JSON-encoded in the form)', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'æøå', blocks: [{ type: 'divider' }] });
    expect(slack.callsTo('chat.postMessage')[0]?.args).toMatchObject({
      channel: 'C1',
      text: 'æøå',
      blocks: [{ type: 'divider' }],
    });
  });

  it('shows what SDK retries do: one 503 becomes two calls (why the channel turns them off)', async () => {
    // A default WebClient would sleep Retry-After and try again by itself: one call becomes several.
    const eager = new WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 },
    });
    slack.failNext('auth.test', 1, { status: 503 });
    await eager.auth.test();
    expect(slack.callsTo('auth.test').map((c) => c.status)).toEqual([503, 200]);
  });
});
