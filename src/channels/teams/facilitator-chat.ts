import type { Activity, ConversationParameters } from '@microsoft/agents-activity';
import type { CloudAdapter } from '@microsoft/agents-hosting';
import type { Logger } from '../../app/logger.ts';
import type { ChannelMemory } from '../../core/ports.ts';
import { identityOf } from './commands.ts';
import type { StoredConversation } from './output.ts';
import { readHttpError } from './output.ts';

/*
 * The facilitator's controls in a 1:1 chat with the bot. When a round starts
 * in a group conversation (channel, group chat, meeting), the bot opens (or,
 * since Teams answers a 1:1 create with the existing chat, reuses) a personal
 * conversation with the starter, saves its reference like any conversation's
 * (`saveConversation`, platform 'teams', the tenant, the personal conversation
 * id) and links the round to it in ChannelMemory:
 * `saveMessage('teams', <group thread>, 'facilitator-chat:<roundId>', <personal conversation id>)`.
 * `TeamsOutput` then posts the round's `audience: 'facilitator'` views there
 * and edits them in place.
 */

/** Token scope of outbound Bot Connector calls (see the README, "(e)"). */
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

/** The ChannelMemory key (in the group thread) that names a round's personal chat. */
export function facilitatorChatKey(roundId: string): string {
  return `facilitator-chat:${roundId}`;
}

/** The personal conversation holding the round's facilitator controls, if one was opened. */
export function facilitatorChatOf(
  memory: ChannelMemory,
  groupThread: string,
  roundId: string,
): Promise<string | undefined> {
  return memory.message('teams', groupThread, facilitatorChatKey(roundId));
}

/** Whether the activity comes from a conversation with more people than the user and the bot. */
export function isGroupConversation(activity: Activity): boolean {
  const type = activity.conversation?.conversationType;
  if (type) return type !== 'personal';
  return activity.conversation?.isGroup === true;
}

export interface FacilitatorChatDeps {
  adapter: CloudAdapter;
  /** Absent in anonymous mode (Agents Playground). */
  appId?: string;
  memory: ChannelMemory;
  logger: Logger;
}

/** Opens the facilitator's chat for a round; resolves true when the round is linked to it. */
export type FacilitatorChatOpener = (activity: Activity, roundId: string) => Promise<boolean>;

/**
 * Opens (or reuses) the 1:1 chat with the activity's sender and links the
 * round to it. Never throws: a failure (typically 403 when the user has not
 * installed the app personally) is logged as a warning without ids, and the
 * caller falls back to the hint card's button.
 */
export function facilitatorChatOpener(deps: FacilitatorChatDeps): FacilitatorChatOpener {
  return async (activity, roundId) => {
    const who = identityOf(activity);
    const group = activity.conversation?.id;
    const member = activity.from?.id;
    const serviceUrl = activity.serviceUrl;
    if (!who || !group || !member || !serviceUrl) return false;
    const bot = activity.recipient
      ? { id: activity.recipient.id, name: activity.recipient.name }
      : undefined;
    // The REST API names the bot `bot`; the SDK's type (and `createCreateActivity`,
    // which makes the callback's recipient from it) says `agent`. Both are sent:
    // which one the real service reads has not been checked (README).
    const parameters = {
      isGroup: false,
      ...(bot && { bot, agent: bot }),
      members: [{ id: member }],
      tenantId: who.tenant,
      channelData: { tenant: { id: who.tenant } },
    } as unknown as ConversationParameters;
    let stored: StoredConversation | undefined;
    try {
      await deps.adapter.createConversationAsync(
        deps.appId ?? '',
        activity.channelId ?? 'msteams',
        serviceUrl,
        BOT_FRAMEWORK_SCOPE,
        parameters,
        async (context) => {
          const reference = context.activity.getConversationReference();
          // The synthetic activity's id is the conversation id: not a message to reply to.
          stored = { reference: { ...reference, activityId: undefined } };
        },
      );
      const personal = stored?.reference.conversation?.id;
      if (!stored || !personal) throw new Error('no conversation id from createConversation');
      await deps.memory.saveConversation({
        platform: 'teams',
        tenant: who.tenant,
        conversationId: personal,
        data: JSON.stringify(stored),
      });
      await deps.memory.saveMessage('teams', group, facilitatorChatKey(roundId), personal);
      return true;
    } catch (error) {
      const status = readHttpError(error)?.status;
      const reason = error instanceof Error ? error.name : typeof error;
      deps.logger.warn(
        { status, reason },
        'teams: no personal chat with the facilitator; the hint card offers the controls',
      );
      return false;
    }
  };
}
