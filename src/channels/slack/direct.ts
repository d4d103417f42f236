import type { WebClient } from '@slack/web-api';
import type { ChannelMemory } from '../../core/ports.ts';
import type { SlackMessage } from './blocks/kit.ts';
import { platformError } from './web-client.ts';

/**
 * Direct messages from the bot to one person: `conversations.open` (the
 * same DM channel every time for the same person) and `chat.postMessage`
 * into it. The DM channel ids are kept in this process only, never stored:
 * a stored (DM channel, round) pair would be a record of who was written to.
 */
export class DirectMessages {
  /** `<tenant>/<user>` → DM channel id. */
  readonly #channels = new Map<string, string>();

  /** The DM channel with a person (opened once per process). */
  async open(client: WebClient, tenant: string, userId: string): Promise<string> {
    const known = this.#channels.get(`${tenant}/${userId}`);
    if (known) return known;
    const opened = await client.conversations.open({ users: userId });
    const id = opened.channel?.id;
    if (typeof id !== 'string' || id === '') {
      throw new Error('slack: conversations.open returned no channel');
    }
    this.#channels.set(`${tenant}/${userId}`, id);
    return id;
  }

  /**
   * Posts `message` to the person. With `remember`, the message's ts is kept
   * in ChannelMemory under `key` for the DM channel, and a later call with the
   * same key edits that message instead of posting another (used for the
   * follow-up reminders, whose owner is named in the plan anyway; never for
   * nudges).
   */
  async post(
    client: WebClient,
    tenant: string,
    userId: string,
    message: SlackMessage,
    remember?: { memory: ChannelMemory; key: string },
  ): Promise<void> {
    const channel = await this.open(client, tenant, userId);
    if (remember) {
      const ts = await remember.memory.message('slack', channel, remember.key);
      if (ts !== undefined) {
        try {
          await client.chat.update({ channel, ts, ...message });
          return;
        } catch (error) {
          if (platformError(error) !== 'message_not_found') throw error;
        }
      }
    }
    const posted = await client.chat.postMessage({ channel, ...message });
    if (remember && typeof posted.ts === 'string') {
      await remember.memory.saveMessage('slack', channel, remember.key, posted.ts);
    }
  }
}
