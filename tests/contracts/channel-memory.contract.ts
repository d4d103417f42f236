import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelMemory } from '../../src/core/ports.ts';

export interface ChannelMemoryHarness {
  memory: ChannelMemory;
  /** Closes the memory and opens it again on the same data (persistent memories only). */
  reopen?: () => Promise<ChannelMemory>;
  cleanup: () => Promise<void>;
}

const whenever = (capable: boolean): typeof it =>
  capable ? it : ((() => undefined) as unknown as typeof it);

const REFERENCE = JSON.stringify({
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  conversation: { id: '19:abc@thread.tacv2', tenantId: 'tenant-1' },
});

/** The behaviour every ChannelMemory must show. Each test gets a fresh, empty memory. */
export function channelMemoryContract(
  name: string,
  factory: () => Promise<ChannelMemoryHarness>,
  caps: { durable: boolean },
): void {
  describe(`ChannelMemory contract: ${name}`, () => {
    let h: ChannelMemoryHarness;
    let memory: ChannelMemory;
    beforeEach(async () => {
      h = await factory();
      memory = h.memory;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('answers undefined for what it never saw', async () => {
      expect(await memory.conversation('teams', 'tenant-1', 'c1')).toBeUndefined();
      expect(await memory.message('teams', 'c1', 'card:x')).toBeUndefined();
    });

    it('round-trips a conversation reference and a message id unchanged', async () => {
      await memory.saveConversation({
        platform: 'teams',
        tenant: 'tenant-1',
        conversationId: 'c1',
        data: REFERENCE,
      });
      await memory.saveMessage('teams', 'c1', 'card:x', '1700000000001');
      expect(await memory.conversation('teams', 'tenant-1', 'c1')).toBe(REFERENCE);
      expect(await memory.message('teams', 'c1', 'card:x')).toBe('1700000000001');
    });

    it('overwrites: the last save wins', async () => {
      const ref = { platform: 'teams' as const, tenant: 'tenant-1', conversationId: 'c1' };
      await memory.saveConversation({ ...ref, data: '{"v":1}' });
      await memory.saveConversation({ ...ref, data: '{"v":2}' });
      await memory.saveMessage('teams', 'c1', 'card:x', '1');
      await memory.saveMessage('teams', 'c1', 'card:x', '2');
      expect(await memory.conversation('teams', 'tenant-1', 'c1')).toBe('{"v":2}');
      expect(await memory.message('teams', 'c1', 'card:x')).toBe('2');
    });

    it('keeps platforms, tenants, conversations and keys apart', async () => {
      await memory.saveConversation({
        platform: 'teams',
        tenant: 'tenant-1',
        conversationId: 'c1',
        data: 'teams-t1-c1',
      });
      await memory.saveConversation({
        platform: 'slack',
        tenant: 'tenant-1',
        conversationId: 'c1',
        data: 'slack-t1-c1',
      });
      await memory.saveConversation({
        platform: 'teams',
        tenant: 'tenant-2',
        conversationId: 'c1',
        data: 'teams-t2-c1',
      });
      await memory.saveMessage('teams', 'c1', 'card:x', 'a');
      await memory.saveMessage('slack', 'c1', 'card:x', 'b');
      await memory.saveMessage('teams', 'c2', 'card:x', 'c');
      await memory.saveMessage('teams', 'c1', 'card:y', 'd');

      expect(await memory.conversation('teams', 'tenant-1', 'c1')).toBe('teams-t1-c1');
      expect(await memory.conversation('slack', 'tenant-1', 'c1')).toBe('slack-t1-c1');
      expect(await memory.conversation('teams', 'tenant-2', 'c1')).toBe('teams-t2-c1');
      expect(await memory.conversation('teams', 'tenant-1', 'c2')).toBeUndefined();
      expect(await memory.message('teams', 'c1', 'card:x')).toBe('a');
      expect(await memory.message('slack', 'c1', 'card:x')).toBe('b');
      expect(await memory.message('teams', 'c2', 'card:x')).toBe('c');
      expect(await memory.message('teams', 'c1', 'card:y')).toBe('d');
      expect(await memory.message('slack', 'c2', 'card:x')).toBeUndefined();
    });

    it("forgets a round's message ids everywhere, and nothing else", async () => {
      const ref = { platform: 'teams' as const, tenant: 'tenant-1', conversationId: 'c1' };
      await memory.saveConversation({ ...ref, data: REFERENCE });
      await memory.saveMessage('teams', 'c1', 'r1:card:x', 'a');
      await memory.saveMessage('teams', 'c1', 'r1:plan', 'b');
      await memory.saveMessage('slack', 'D-dm', 'r1:reminder:p1:2027-01-10:0', 'c');
      await memory.saveMessage('teams', 'c1', 'facilitator-chat:r1', 'personal-chat');
      await memory.saveMessage('teams', 'c1', 'r10:card:x', 'd');
      await memory.saveMessage('teams', 'c1', 'facilitator-chat:r10', 'e');
      await memory.saveMessage('teams', 'c1', 'help', 'f');
      await memory.saveMessage('teams', 'c2', 'r2:plan', 'g');
      expect(await memory.forgetRounds(['r1', 'r2'])).toBe(5);
      expect(await memory.message('teams', 'c1', 'r1:card:x')).toBeUndefined();
      expect(await memory.message('teams', 'c1', 'r1:plan')).toBeUndefined();
      expect(await memory.message('slack', 'D-dm', 'r1:reminder:p1:2027-01-10:0')).toBeUndefined();
      expect(await memory.message('teams', 'c1', 'facilitator-chat:r1')).toBeUndefined();
      expect(await memory.message('teams', 'c2', 'r2:plan')).toBeUndefined();
      expect(await memory.message('teams', 'c1', 'r10:card:x')).toBe('d');
      expect(await memory.message('teams', 'c1', 'facilitator-chat:r10')).toBe('e');
      expect(await memory.message('teams', 'c1', 'help')).toBe('f');
      // A conversation outlives its rounds.
      expect(await memory.conversation('teams', 'tenant-1', 'c1')).toBe(REFERENCE);
      expect(await memory.forgetRounds(['r1'])).toBe(0);
      expect(await memory.forgetRounds([])).toBe(0);
    });

    whenever(caps.durable)('survives a reopen', async () => {
      await memory.saveConversation({
        platform: 'teams',
        tenant: 'tenant-1',
        conversationId: 'c1',
        data: REFERENCE,
      });
      await memory.saveMessage('teams', 'c1', 'card:x', '42');
      const reopened = await h.reopen?.();
      expect(reopened).toBeDefined();
      expect(await reopened?.conversation('teams', 'tenant-1', 'c1')).toBe(REFERENCE);
      expect(await reopened?.message('teams', 'c1', 'card:x')).toBe('42');
    });
  });
}
