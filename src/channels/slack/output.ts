import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import { createChannelOutbox } from '../../app/outbox/channel.ts';
import type { Outbox, SendInfo } from '../../app/outbox/outbox.ts';
import { type BackoffOptions, retryOnStatus } from '../../app/outbox/retry.ts';
import { type RateWindow, SLACK_CHANNEL_LIMITS } from '../../app/outbox/thread-limiter.ts';
import type { Timers } from '../../app/outbox/timers.ts';
import type { ChannelMemory, ChannelOutput, Clock, OutboundMessage } from '../../core/ports.ts';
import type { ViewModel } from '../../core/views/types.ts';
import { renderMessage } from './blocks/index.ts';
import { platformError, readSlackError, SLACK_RETRYABLE_STATUSES } from './web-client.ts';

/**
 * Tier 3 (chat.update and most methods we call): about 50 calls per minute
 * per method per workspace. The outbox counts every send of a workspace
 * (posts too) against it: conservative, since chat.postMessage has its own
 * budget, but a round never needs more.
 */
export const SLACK_WORKSPACE_LIMITS: readonly RateWindow[] = [{ limit: 50, perMs: 60_000 }];

export interface SlackSend {
  tenant: string;
  channel: string;
  view: ViewModel;
}

export interface SlackOutputDeps {
  /** The WebClient (bot token) for a workspace (team or enterprise id). */
  clientFor(tenant: string): WebClient;
  memory: ChannelMemory;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Minimum time between two edits of one message, in ms. Default 2000. */
  intervalMs?: number;
  backoff?: BackoffOptions;
}

/** The outbox's thread for a channel: workspace and channel, so limits can be per workspace. */
export function threadOf(tenant: string, channel: string): string {
  return `${tenant}/${channel}`;
}

const tenantOfThread = (thread: string) => thread.slice(0, thread.indexOf('/'));

/**
 * The Slack channel's output. Group views are posted once with
 * chat.postMessage and edited with chat.update afterwards (the message `ts`
 * per view key is kept in ChannelMemory). Everything goes through the shared
 * outbox: at most one edit per message every 2 s (newest state wins), about
 * one call per second per channel, Tier 3 per workspace, and 429/5xx retried
 * with backoff, never earlier than Slack's Retry-After.
 *
 * Facilitator views are not posted: the channel would show the facilitator's
 * script to everyone. The facilitator gets them as ephemeral answers to their
 * own commands and buttons (see `interactions.ts`).
 */
export class SlackOutput implements ChannelOutput {
  readonly #d: SlackOutputDeps;
  readonly #outbox: Outbox<SlackSend>;
  /** Messages (thread + key) posted or being posted by this process: later sends are edits. */
  readonly #posted = new Set<string>();

  constructor(deps: SlackOutputDeps) {
    this.#d = deps;
    this.#outbox = createChannelOutbox<SlackSend>(
      {
        send: (_thread, key, value, info) => this.#send(key, value, info),
        isRetryable: retryOnStatus(SLACK_RETRYABLE_STATUSES, readSlackError, deps.clock),
        limits: SLACK_CHANNEL_LIMITS,
        shared: { windows: SLACK_WORKSPACE_LIMITS, bucket: tenantOfThread },
      },
      {
        clock: deps.clock,
        timers: deps.timers,
        ...(deps.intervalMs !== undefined && { intervalMs: deps.intervalMs }),
        ...(deps.backoff && { backoff: deps.backoff }),
        onError: (error, failure) =>
          deps.logger.error(
            {
              err: error,
              key: failure.key,
              kind: failure.kind,
              attempts: failure.attempts,
              slackError: platformError(error),
            },
            'slack send given up',
          ),
      },
    );
  }

  async send(message: OutboundMessage): Promise<void> {
    const { conversation, audience, view } = message;
    if (conversation.platform !== 'slack') return;
    if (audience === 'facilitator') return;
    const channel = conversation.conversationId;
    const thread = threadOf(conversation.tenant, channel);
    const value: SlackSend = { tenant: conversation.tenant, channel, view };
    const mk = JSON.stringify([thread, view.key]);
    if (this.#posted.has(mk)) {
      this.#outbox.update(thread, view.key, value);
      return;
    }
    const known = await this.#d.memory.message('slack', channel, view.key);
    if (known !== undefined || this.#posted.has(mk)) {
      this.#posted.add(mk);
      this.#outbox.update(thread, view.key, value);
      return;
    }
    this.#posted.add(mk);
    // Not awaited: the outbox queues it (later edits of the key ride along or follow it).
    void this.#outbox.post(thread, view.key, value).then((sent) => {
      if (!sent) this.#posted.delete(mk);
    });
  }

  /** Sends every waiting edit now and resolves when nothing is queued. */
  flush(): Promise<void> {
    return this.#outbox.flush();
  }

  close(): Promise<void> {
    return this.#outbox.close();
  }

  stats() {
    return this.#outbox.stats();
  }

  async #send(key: string, value: SlackSend, info: SendInfo): Promise<void> {
    const { memory, logger } = this.#d;
    const { channel, view } = value;
    const client = this.#d.clientFor(value.tenant);
    const message = renderMessage(view);
    const ts = await memory.message('slack', channel, key);
    if (ts !== undefined) {
      try {
        await client.chat.update({ channel, ts, ...message });
        return;
      } catch (error) {
        // Someone deleted the message: post it again rather than lose it.
        if (platformError(error) !== 'message_not_found') throw error;
        logger.warn({ key }, 'slack: message to edit is gone; posting it again');
      }
    } else if (info.kind === 'update') {
      logger.warn({ key }, 'slack: no ts for an edit; posting instead');
    }
    const posted = await client.chat.postMessage({ channel, ...message });
    if (typeof posted.ts !== 'string') throw new Error('slack: chat.postMessage returned no ts');
    await memory.saveMessage('slack', channel, key, posted.ts);
  }
}
