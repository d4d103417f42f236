import type { ConversationReference } from '@microsoft/agents-activity';
import {
  CardFactory,
  type CloudAdapter,
  type ConnectorClient,
  MessageFactory,
  type TurnContext,
} from '@microsoft/agents-hosting';
import type { Logger } from '../../app/logger.ts';
import { createChannelOutbox, TEAMS_RETRYABLE_STATUSES } from '../../app/outbox/channel.ts';
import { type EditGate, namespacedGate } from '../../app/outbox/edit-gate.ts';
import type { SendInfo } from '../../app/outbox/outbox.ts';
import { PostOnceThenEdit } from '../../app/outbox/post-once.ts';
import { type BackoffOptions, type HttpFailure, retryOnStatus } from '../../app/outbox/retry.ts';
import { TEAMS_THREAD_LIMITS } from '../../app/outbox/thread-limiter.ts';
import type { Timers } from '../../app/outbox/timers.ts';
import type {
  ChannelMemory,
  ChannelOutput,
  Clock,
  MessageRevision,
  OutboundMessage,
} from '../../core/ports.ts';
import { viewKey } from '../../core/views/input.ts';
import type { ViewModel } from '../../core/views/types.ts';
import {
  REFRESH_USER_LIMIT,
  type TeamsCardExtras,
  teamsCard,
  USER_SPECIFIC_KINDS,
} from './cards.ts';
import { facilitatorChatOf } from './facilitator-chat.ts';
import { ConversationRoster, rosterConversationId } from './roster.ts';
import { SummaryLinks } from './summary-extras.ts';

/**
 * What one outbox send carries: the view (the card is built at send time,
 * with what Teams adds), and where to find the conversation reference.
 */
export type TeamsSend =
  | { tenant: string; view: ViewModel; facilitatorOf?: undefined }
  | {
      tenant: string;
      /** The view as the round service last sent it, if it did (a fallback). */
      view?: ViewModel;
      /**
       * The facilitator's card in their 1:1 chat: the round its buttons act on
       * (`teamsCard`'s `roundId`). The card is rendered afresh at send time.
       */
      facilitatorOf: string;
    };

/** Renders a round's facilitator view now (set by the channel once the service exists). */
export type FacilitatorViews = (roundId: string) => Promise<ViewModel | undefined>;

/** What the Teams channel saves per conversation (`ChannelMemory.saveConversation`'s `data`). */
export interface StoredConversation {
  /** `context.activity.getConversationReference()`: service url, conversation, agent, … */
  reference: ConversationReference;
  /**
   * The team of a channel conversation (`activity.channelData.team.id`), when
   * saved: its members are the channel's. Without it the conversation itself
   * is listed.
   */
  teamId?: string;
}

export interface TeamsOutputDeps {
  adapter: CloudAdapter;
  /**
   * The bot's app id (Entra client id); `continueConversation` needs it for the
   * outbound token. Absent in anonymous mode (Agents Playground): calls then
   * carry no Authorization header.
   */
  appId?: string;
  memory: ChannelMemory;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Minimum time between two edits of one card, in ms. Default 2000. */
  intervalMs?: number;
  backoff?: BackoffOptions;
  /** The summary card's picture and export links; without them (or PUBLIC_URL) there are none. */
  summaryLinks?: SummaryLinks;
  /** Lists conversation members for `refresh.userIds`; default: cached 5 minutes per conversation. */
  roster?: ConversationRoster;
  /** Several instances: shares posts and edits of cards with them (see EditGate). */
  editGate?: EditGate;
}

/** A proactive call failed before reaching the connector (no stored reference, no id back). */
export class TeamsSendError extends Error {
  override readonly name = 'TeamsSendError';
}

/**
 * Status and Retry-After of the SDK's `HttpError` (`status`, and a fetch
 * `Headers` at `response.headers`); the SDK itself never retries.
 */
export function readHttpError(error: unknown): HttpFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number') return undefined;
  const headers = (error as { response?: { headers?: unknown } }).response?.headers;
  let retryAfter: string | null = null;
  if (headers instanceof Headers) retryAfter = headers.get('retry-after');
  else if (typeof headers === 'object' && headers !== null) {
    const raw = (headers as Record<string, unknown>)['retry-after'];
    if (typeof raw === 'string') retryAfter = raw;
  }
  return { status, retryAfter };
}

/** Parses what `saveConversation` stored; undefined when it is not a usable reference. */
export function parseStoredConversation(data: string | undefined): StoredConversation | undefined {
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data) as Partial<StoredConversation>;
    const reference = parsed.reference;
    if (!reference?.serviceUrl || !reference.conversation?.id) return undefined;
    const teamId = typeof parsed.teamId === 'string' && parsed.teamId !== '' ? parsed.teamId : null;
    return { reference, ...(teamId ? { teamId } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The Teams channel's output. Group views become Adaptive Cards posted
 * proactively in the round's conversation once, then edited in place (the
 * activity id per view key is kept in ChannelMemory). All calls go through
 * the channel outbox: edits of one card are coalesced (one per `intervalMs`),
 * per-thread rate limits are respected, and 412/429/502/504 are retried with
 * backoff and jitter, honouring Retry-After.
 *
 * User-specific cards (`cardVote`, `priority`) get `refresh` with the
 * conversation's members as `userIds` (`roster.ts`; see `#refreshFor`).
 *
 * Facilitator views never go to the group: that would show the facilitator's
 * script to everybody. When the round has a 1:1 chat with its facilitator
 * (`facilitator-chat.ts`), they are posted there once and edited in place
 * like group cards (same outbox); a vote or pick (which moves "n of m") also
 * re-renders that card. Without such a chat they are dropped, and the
 * facilitator sees them as the invoke answer to their own card actions.
 */
export class TeamsOutput implements ChannelOutput {
  readonly #d: TeamsOutputDeps;
  /** Cards (group and facilitator chat): posted once, later sends are edits. */
  readonly #messages: PostOnceThenEdit<TeamsSend>;
  readonly #summaryLinks: SummaryLinks;
  readonly #roster: ConversationRoster;
  #views: FacilitatorViews | undefined;

  constructor(deps: TeamsOutputDeps) {
    this.#d = deps;
    this.#summaryLinks = deps.summaryLinks ?? new SummaryLinks(undefined, deps.logger);
    this.#roster =
      deps.roster ?? new ConversationRoster({ clock: deps.clock, logger: deps.logger });
    const gate = deps.editGate && namespacedGate(deps.editGate, 'teams');
    const outbox = createChannelOutbox<TeamsSend>(
      {
        send: (thread, key, value, info) => this.#send(thread, key, value, info),
        isRetryable: retryOnStatus(TEAMS_RETRYABLE_STATUSES, readHttpError, deps.clock),
        limits: TEAMS_THREAD_LIMITS,
      },
      {
        clock: deps.clock,
        timers: deps.timers,
        ...(deps.intervalMs !== undefined && { intervalMs: deps.intervalMs }),
        ...(deps.backoff && { backoff: deps.backoff }),
        onError: (error, failure) =>
          deps.logger.error(
            { err: error, key: failure.key, kind: failure.kind, attempts: failure.attempts },
            'teams send given up',
          ),
        ...(gate && { gate }),
      },
    );
    this.#messages = new PostOnceThenEdit(outbox, gate ? { gate, timers: deps.timers } : {});
  }

  /** Where the facilitator's card gets its latest state (the round service). */
  attachViews(views: FacilitatorViews): void {
    this.#views = views;
  }

  async send(message: OutboundMessage): Promise<void> {
    const { conversation, audience, view, revision } = message;
    if (conversation.platform !== 'teams') return;
    const group = conversation.conversationId;
    const roundId = 'roundId' in view ? view.roundId : undefined;
    if (audience === 'facilitator') {
      // Only to the facilitator's 1:1 chat; never to the group (see the class comment).
      if (roundId === undefined) return;
      const chat = await facilitatorChatOf(this.#d.memory, group, roundId);
      if (chat === undefined) return;
      const value = { tenant: conversation.tenant, view, facilitatorOf: roundId };
      await this.#enqueue(chat, view.key, value, revision);
      return;
    }
    await this.#enqueue(group, view.key, { tenant: conversation.tenant, view }, revision);
    // A ballot moved "n of m": the facilitator's card shows it too.
    if (roundId !== undefined && USER_SPECIFIC_KINDS.has(view.kind) && this.#views) {
      const chat = await facilitatorChatOf(this.#d.memory, group, roundId);
      if (chat === undefined) return;
      // Rendered when sent (#send): ballots arrive far faster than the card is
      // edited, and rendering it here cost two store reads per vote.
      const value = { tenant: conversation.tenant, facilitatorOf: roundId };
      await this.#enqueue(chat, viewKey(roundId, 'facilitator'), value, revision);
    }
  }

  /** Posts the view's message once, then edits it (coalesced by the outbox). */
  #enqueue(
    thread: string,
    key: string,
    value: TeamsSend,
    revision: MessageRevision | undefined,
  ): Promise<void> {
    const known = () => this.#d.memory.message('teams', thread, key);
    return this.#messages.send(thread, key, value, known, revision);
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

  async #send(thread: string, key: string, value: TeamsSend, info: SendInfo): Promise<void> {
    const { adapter, appId, memory } = this.#d;
    const stored = parseStoredConversation(
      await memory.conversation('teams', value.tenant, thread),
    );
    if (!stored) throw new TeamsSendError('no conversation reference stored for this conversation');
    const existing = await memory.message('teams', thread, key);
    // A post whose first attempt landed but whose answer was lost is an edit on retry.
    const post = existing === undefined;
    if (info.kind === 'update' && post) {
      this.#d.logger.warn({ key }, 'teams: no message id for an edit; posting instead');
    }
    // The facilitator's card as the round stands now (edits are coalesced).
    const view =
      (value.facilitatorOf !== undefined && (await this.#views?.(value.facilitatorOf))) ||
      value.view;
    // A round deleted meanwhile leaves nothing to show.
    if (!view) return;
    // Built now: a summary's signed links get their expiry from this post or edit.
    const extras: TeamsCardExtras = {
      ...this.#summaryLinks.extrasFor(view),
      ...(value.facilitatorOf !== undefined && { roundId: value.facilitatorOf }),
    };
    // A new top-level message, not a reply to the reference's activity.
    const reference: ConversationReference = { ...stored.reference, activityId: undefined };
    let failure: unknown;
    let sentId: string | undefined;
    await adapter.continueConversation(appId ?? {}, reference, async (context) => {
      // Errors are caught here: thrown out of this callback they would reach
      // adapter.onTurnError, whose default posts error text into the chat.
      try {
        const refresh = USER_SPECIFIC_KINDS.has(view.kind)
          ? await this.#refreshFor(context, stored)
          : undefined;
        const card = teamsCard(view, refresh ? { ...extras, refresh } : extras);
        const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
        if (post) {
          context.onSendActivities(async (_ctx, activities, next) => {
            for (const a of activities) a.replyToId = undefined;
            return next();
          });
          sentId = (await context.sendActivity(activity))?.id;
        } else {
          activity.id = existing;
          await context.updateActivity(activity);
        }
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw failure;
    if (post) {
      if (!sentId) throw new TeamsSendError('the connector returned no activity id');
      await memory.saveMessage('teams', thread, key, sentId);
    }
  }

  /**
   * `refresh` of a user-specific card: `userIds` are all members of the
   * conversation (never who voted) while there are at most 60 of them. With
   * more, or when they could not be listed, there are no `userIds`: Teams then
   * refreshes automatically for everybody in conversations of at most 60
   * people and offers a manual refresh in larger ones. Never throws.
   */
  async #refreshFor(
    context: TurnContext,
    stored: StoredConversation,
  ): Promise<NonNullable<TeamsCardExtras['refresh']>> {
    try {
      const client = context.turnState.get<ConnectorClient | undefined>(
        this.#d.adapter.ConnectorClientKey,
      );
      if (!client) return {};
      const { reference } = stored;
      const list = await this.#roster.list(
        client,
        rosterConversationId(reference.conversation.id, stored.teamId),
        reference.agent?.id,
      );
      if (!list || list.truncated || list.ids.length > REFRESH_USER_LIMIT) return {};
      return { userIds: list.ids };
    } catch (error) {
      const reason = error instanceof Error ? error.name : typeof error;
      this.#d.logger.warn({ reason }, 'teams: card refresh without userIds');
      return {};
    }
  }
}
