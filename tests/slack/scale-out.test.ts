/**
 * Two SlackOutputs ("instances") on one fake Slack, one channel memory and
 * one edit gate (in memory, on virtual time): a message is posted once, its
 * edits are an interval apart across both, and the newest state is shown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/app/logger.ts';
import { ManualScheduler } from '../../src/app/outbox/manual-scheduler.ts';
import { MemoryEditGate, MemoryGateBackend } from '../../src/app/outbox/memory-edit-gate.ts';
import { SlackOutput } from '../../src/channels/slack/output.ts';
import { createWebClient } from '../../src/channels/slack/web-client.ts';
import type { OutboundMessage } from '../../src/core/ports.ts';
import { openSqliteStore, type SqliteRoundStore } from '../../src/store/sqlite-store.ts';
import { onLease } from '../app/outbox/instances.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

const TOKEN = 'xoxb-scale-out-test';
const TEAM = 'T0TEAM';

function message(text: string, progress: number): OutboundMessage {
  return {
    conversation: { platform: 'slack', tenant: TEAM, conversationId: 'C1' },
    audience: 'group',
    view: {
      kind: 'roundStatus',
      key: 'r1:status',
      lang: 'da',
      roundId: 'r1',
      title: 'Dialogrunde',
      status: 'active',
      text,
    },
    revision: { version: 1, progress },
  };
}

describe('two SlackOutputs sharing an edit gate', () => {
  let time: ManualScheduler;
  let slack: FakeSlack;
  let store: SqliteRoundStore;
  let outputs: SlackOutput[];
  /**
   * Virtual times at which either instance obtained a message's lease (noted
   * at the gate: HTTP is real, so Slack's arrival times drift).
   */
  let grants: number[];

  beforeEach(async () => {
    time = new ManualScheduler(Date.UTC(2026, 10, 23, 9));
    slack = await startFakeSlack({ now: () => time.now(), token: TOKEN, teamId: TEAM });
    store = await openSqliteStore({ path: ':memory:', clock: time });
    const client = createWebClient(TOKEN, slack.apiUrl, silentLogger());
    const backend = new MemoryGateBackend();
    grants = [];
    outputs = [0, 1].map(
      () =>
        new SlackOutput({
          clientFor: () => client,
          memory: store.channelMemory,
          clock: time,
          timers: time,
          logger: silentLogger(),
          backoff: { random: () => 0 },
          editGate: onLease(new MemoryEditGate(time, backend), () => grants.push(time.now())),
        }),
    );
  });
  afterEach(async () => {
    await drain();
    for (const output of outputs) await output.close();
    await store.close();
    await slack.close();
  });

  async function drain() {
    for (let i = 0; i < 20_000; i++) {
      const idle = outputs.every((o) => o.stats().queued === 0 && o.stats().pending === 0);
      if (idle && time.pendingTimers === 0) return;
      await time.advance(50);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error('outboxes did not drain');
  }

  const shown = async () => {
    const ts = await store.channelMemory.message('slack', 'C1', 'r1:status');
    return JSON.stringify(slack.message('C1', ts ?? '')?.blocks);
  };

  it('both instances showing a new message at once: posted once, the newer state wins', async () => {
    const [a, b] = outputs as [SlackOutput, SlackOutput];
    await Promise.all([a.send(message('first', 1)), b.send(message('second', 2))]);
    await drain();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await shown()).toContain('second');
  });

  it('a burst of edits from both: each chat.update under a lease, 2 s apart; newest shown', async () => {
    const [a, b] = outputs as [SlackOutput, SlackOutput];
    await a.send(message('v0', 0));
    await drain();
    for (let i = 1; i <= 12; i++) {
      await (i % 2 === 1 ? a : b).send(message(`v${i}`, i));
      await time.advance(250);
    }
    await drain();
    const updates = slack.callsTo('chat.update');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates.length).toBeLessThan(12);
    // One lease for the post, one per edit.
    expect(grants).toHaveLength(updates.length + 1);
    for (let i = 1; i < grants.length; i++) {
      expect((grants[i] ?? 0) - (grants[i - 1] ?? 0)).toBeGreaterThanOrEqual(2000);
    }
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await shown()).toContain('v12');
  });
});
