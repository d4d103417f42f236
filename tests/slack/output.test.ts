/**
 * SlackOutput on its own: the real WebClient (no SDK retries) against the
 * fake Slack, SQLite channel memory, the shared outbox on virtual time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import { SlackOutput } from '../../src/channels/slack/output.ts';
import { createWebClient } from '../../src/channels/slack/web-client.ts';
import type { OutboundMessage } from '../../src/core/ports.ts';
import type { RoundStatusView } from '../../src/core/views/types.ts';
import { openSqliteStore, type SqliteRoundStore } from '../../src/store/sqlite-store.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

const TOKEN = 'xoxb-output-test';
const TEAM = 'T0TEAM';

function view(key: string, text: string): RoundStatusView {
  return {
    kind: 'roundStatus',
    key,
    lang: 'da',
    roundId: 'r1',
    title: 'Dialogrunde',
    status: 'active',
    text,
  };
}

function message(
  channel: string,
  key: string,
  text: string,
  audience: OutboundMessage['audience'] = 'group',
): OutboundMessage {
  return {
    conversation: { platform: 'slack', tenant: TEAM, conversationId: channel },
    audience,
    view: view(key, text),
  };
}

describe('SlackOutput', () => {
  let time: ManualScheduler;
  let slack: FakeSlack;
  let store: SqliteRoundStore;
  let output: SlackOutput;

  beforeEach(async () => {
    time = new ManualScheduler(Date.UTC(2026, 10, 23, 9));
    slack = await startFakeSlack({ now: () => time.now(), token: TOKEN, teamId: TEAM });
    store = await openSqliteStore({ path: ':memory:', clock: time });
    const client = createWebClient(TOKEN, slack.apiUrl, silentLogger());
    output = new SlackOutput({
      clientFor: () => client,
      memory: store.channelMemory,
      clock: time,
      timers: time,
      logger: silentLogger(),
      backoff: { random: () => 0 },
    });
  });
  afterEach(async () => {
    await drain();
    await output.close();
    await store.close();
    await slack.close();
  });

  async function drain() {
    for (let i = 0; i < 20_000; i++) {
      const s = output.stats();
      if (s.queued === 0 && s.pending === 0 && time.pendingTimers === 0) return;
      await time.advance(100);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error('outbox did not drain');
  }

  it('posts a view once, keeps its ts, and edits that message afterwards', async () => {
    await output.send(message('C1', 'r1:status', 'Runden er i gang'));
    await drain();
    const ts = await store.channelMemory.message('slack', 'C1', 'r1:status');
    expect(ts).toBeDefined();
    await output.send(message('C1', 'r1:status', 'Runden er sat på pause'));
    await drain();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.callsTo('chat.update').map((c) => c.args.ts)).toEqual([ts]);
    expect(JSON.stringify(slack.message('C1', ts ?? '')?.blocks)).toContain(
      'Runden er sat på pause',
    );
  });

  it('coalesces ten edits within a second into at most one more call', async () => {
    await output.send(message('C1', 'r1:status', 'v0'));
    await drain();
    for (let i = 1; i <= 10; i++) {
      await output.send(message('C1', 'r1:status', `v${i}`));
      await time.advance(100);
    }
    await drain();
    const updates = slack.callsTo('chat.update');
    expect(updates.length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('v10');
  });

  it('never posts the facilitator’s views, nor other platforms’ messages', async () => {
    await output.send(message('C1', 'r1:facilitator', 'script', 'facilitator'));
    await output.send({
      ...message('C1', 'r1:x', 'teams'),
      conversation: { platform: 'teams', tenant: TEAM, conversationId: 'C1' },
    });
    await drain();
    expect(slack.calls).toEqual([]);
  });

  it('retries 429 after its Retry-After and 5xx with backoff', async () => {
    slack.failNext('chat.postMessage', 1, { status: 429, retryAfter: 4 });
    slack.failNext('chat.postMessage', 1, { status: 503 });
    await output.send(message('C1', 'r1:status', 'hej'));
    await drain();
    const posts = slack.callsTo('chat.postMessage');
    expect(posts.map((c) => c.status)).toEqual([429, 503, 200]);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(4000);
    expect(output.stats()).toMatchObject({ retried: 2, failed: 0 });
  });

  it('posts again when the message to edit was deleted (message_not_found)', async () => {
    await store.channelMemory.saveMessage('slack', 'C1', 'r1:status', '1795420000.000001');
    await output.send(message('C1', 'r1:status', 'igen'));
    await drain();
    expect(slack.callsTo('chat.update').map((c) => c.error)).toEqual(['message_not_found']);
    expect(slack.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200]);
    const ts = await store.channelMemory.message('slack', 'C1', 'r1:status');
    expect(ts).not.toBe('1795420000.000001');
  });

  it('paces a workspace to Tier 3 (50 per minute): 60 channels’ edits spread over a minute, none lost', async () => {
    const channels = Array.from({ length: 60 }, (_, i) => `C${i}`);
    for (const c of channels) await output.send(message(c, 'r1:status', 'første'));
    await drain();
    const start = time.now();
    for (const c of channels) await output.send(message(c, 'r1:status', 'anden'));
    await drain();
    const accepted = slack.callsTo('chat.update').filter((c) => c.status === 200);
    expect(new Set(accepted.map((c) => c.args.channel)).size).toBe(60);
    // Every send counts against the workspace's 50 per minute: the last edits waited for room.
    expect((accepted.at(-1)?.at ?? 0) - start).toBeGreaterThanOrEqual(58_000);
    // Our clock and Slack's differ by the time a request travels, so an edit sent at the very
    // edge of the window may still be refused; it is retried after Retry-After, never given up.
    const throttled = slack.calls.filter((c) => c.status === 429);
    expect(throttled.length).toBeLessThanOrEqual(10);
    expect(output.stats().failed).toBe(0);
    for (const c of channels) {
      const ts = await store.channelMemory.message('slack', c, 'r1:status');
      expect(JSON.stringify(slack.message(c, ts ?? '')?.blocks)).toContain('anden');
    }
  });
});
