import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import { createChannelOutbox } from '../../app/outbox/channel.ts';
import { type EditGate, namespacedGate } from '../../app/outbox/edit-gate.ts';
import type { Outbox, SendInfo } from '../../app/outbox/outbox.ts';
import { PostOnceThenEdit } from '../../app/outbox/post-once.ts';
import { type BackoffOptions, retryOnStatus } from '../../app/outbox/retry.ts';
import { type RateWindow, SLACK_CHANNEL_LIMITS } from '../../app/outbox/thread-limiter.ts';
import type { Timers } from '../../app/outbox/timers.ts';
import type { ConversationRef } from '../../core/model.ts';
import type {
  ChannelMemory,
  ChannelOutput,
  Clock,
  NudgeMessage,
  OutboundMessage,
} from '../../core/ports.ts';
import type { ViewModel } from '../../core/views/types.ts';
import { renderMessage } from './blocks/index.ts';
import { DirectMessages } from './direct.ts';
import { MemberDirectory, nudgeMessage, RoundLinks } from './nudges.ts';
import { reminderOwner } from './reminders.ts';
import { platformError, readSlackError, SLACK_RETRYABLE_STATUSES } from './web-client.ts';

/**
 * Tier 3 (chat.update and most methods we call): about 50 calls per minute
 * per method per workspace. The outbox counts every send of a workspace
 * (posts too) against it: conservative, since chat.postMessage has its own
 * budget, but a round never needs more.
 */
export const SLACK_WORKSPACE_LIMITS: readonly RateWindow[] = [{ limit: 50, perMs: 60_000 }];

/** What the outbox carries: a view to post or edit, or other work in a place's order (a DM, an upload). */
export type SlackSend =
  | { tenant: string; channel: string; view: ViewModel }
  | { tenant: string; task: (client: WebClient) => Promise<void> };

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
  /** Told of every group view after it was queued (the summary's file upload follows it). */
  followUps?: (message: OutboundMessage) => void;
  /** Several instances: shares posts and edits of messages with them (see EditGate). */
  editGate?: EditGate;
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
  /** Group views: posted once, later sends are edits. */
  readonly #messages: PostOnceThenEdit<SlackSend>;
  readonly #direct = new DirectMessages();
  readonly #directory: MemberDirectory;
  readonly #links = new RoundLinks();

  constructor(deps: SlackOutputDeps) {
    this.#d = deps;
    this.#directory = new MemberDirectory(deps.logger);
    const gate = deps.editGate && namespacedGate(deps.editGate, 'slack');
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
        ...(gate && { gate }),
      },
    );
    this.#messages = new PostOnceThenEdit(this.#outbox, gate ? { gate, timers: deps.timers } : {});
  }

  async send(message: OutboundMessage): Promise<void> {
    const { conversation, audience } = message;
    if (conversation.platform !== 'slack') return;
    if (audience === 'facilitator') return;
    await this.#sendGroup(message);
    const { view } = message;
    // A reminder goes to its owner too, directly, when the owner is a Slack user.
    const owner = view.kind === 'reminder' ? reminderOwner(view) : undefined;
    if (owner !== undefined) {
      const rendered = renderMessage(view);
      const memory = this.#d.memory;
      void this.enqueue(conversation.tenant, `dm:${owner}`, view.key, (client) =>
        this.#direct.post(client, conversation.tenant, owner, rendered, { memory, key: view.key }),
      );
    }
    this.#d.followUps?.(message);
  }

  /**
   * Queues other work on the outbox thread of `place` (a channel id, or
   * `dm:<user>`), after what is queued there already: paced by the same
   * limits, retried on 429/5xx like a post. Resolves true once done, false
   * when given up (logged as `slack send given up`).
   */
  enqueue(
    tenant: string,
    place: string,
    key: string,
    task: (client: WebClient) => Promise<void>,
  ): Promise<boolean> {
    return this.#outbox.post(threadOf(tenant, place), key, { tenant, task });
  }

  /** The channel's members who are people (for nudges); undefined for other platforms or huge channels. */
  async members(conversation: ConversationRef): Promise<string[] | undefined> {
    if (conversation.platform !== 'slack') return undefined;
    return this.#directory.people(this.#d.clientFor(conversation.tenant), conversation);
  }

  /**
   * A nudge as a direct message, with a link back to the step's message in
   * the channel. Its DM channel and ts are not stored anywhere.
   */
  async nudge(message: NudgeMessage): Promise<boolean> {
    const { conversation, userId, view } = message;
    if (conversation.platform !== 'slack') return false;
    const { tenant } = conversation;
    const link = await this.#links.linkTo(
      this.#d.clientFor(tenant),
      this.#d.memory,
      conversation,
      `${view.roundId}:step:${view.step}`,
    );
    const rendered = nudgeMessage(view, link);
    return this.enqueue(tenant, `dm:${userId}`, view.key, (client) =>
      this.#direct.post(client, tenant, userId, rendered),
    );
  }

  async #sendGroup(message: OutboundMessage): Promise<void> {
    const { conversation, view, revision } = message;
    const channel = conversation.conversationId;
    const thread = threadOf(conversation.tenant, channel);
    const value: SlackSend = { tenant: conversation.tenant, channel, view };
    const known = () => this.#d.memory.message('slack', channel, view.key);
    await this.#messages.send(thread, view.key, value, known, revision);
  }

  /** Sends every waiting edit now and resolves when nothing is queued. */
  flush(): Promise<void> {
    return this.#messages.flush();
  }

  close(): Promise<void> {
    return this.#messages.close();
  }

  stats() {
    return this.#messages.stats();
  }

  async #send(key: string, value: SlackSend, info: SendInfo): Promise<void> {
    const { memory, logger } = this.#d;
    const client = this.#d.clientFor(value.tenant);
    if ('task' in value) return value.task(client);
    const { channel, view } = value;
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
