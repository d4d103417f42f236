import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import type { ConversationRef } from '../../core/model.ts';
import type { ChannelMemory } from '../../core/ports.ts';
import type { NudgeView } from '../../core/views/types.ts';
import {
  BLOCK_KIT_LIMITS,
  bold,
  context,
  escapeText,
  header,
  note,
  paragraph,
  type SlackMessage,
  sections,
  truncate,
} from './blocks/kit.ts';
import { platformError } from './web-client.ts';

/*
 * The Slack half of nudges (async rounds): who is in a channel, and the
 * direct message itself. When a nudge is due and whom it reaches is decided
 * by the core and the app (`src/core/round/nudges.ts`, `src/app/nudges.ts`);
 * this file only lists members and renders.
 */

/** Page size of conversations.members (Slack allows up to 1000; 200 is its advice). */
export const MEMBERS_PAGE = 200;
/**
 * Above this many members a channel gets no nudges: a round is a team's, and
 * direct messages to a whole #general would be spam (and slow).
 */
export const MAX_NUDGE_MEMBERS = 500;
/** Slack's own bot user, which users.info does not mark as a bot. */
const SLACKBOT = 'USLACKBOT';
/** users.info calls at a time. */
const LOOKUP_BATCH = 10;

/**
 * Who counts as a person in a workspace: users.info's `is_bot` and `deleted`,
 * remembered per process (neither changes for a user id in practice).
 */
export class MemberDirectory {
  readonly #people = new Map<string, boolean>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /**
   * The channel's members who are people (bots, apps, Slackbot and
   * deactivated accounts left out), from conversations.members followed page
   * by page; undefined when the channel has more than MAX_NUDGE_MEMBERS.
   * Slack's failures (not_in_channel, 429) are thrown to the caller.
   */
  async people(client: WebClient, conversation: ConversationRef): Promise<string[] | undefined> {
    const members: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.members({
        channel: conversation.conversationId,
        limit: MEMBERS_PAGE,
        ...(cursor && { cursor }),
      });
      members.push(...(page.members ?? []));
      if (members.length > MAX_NUDGE_MEMBERS) {
        this.#logger.warn(
          { members: members.length, max: MAX_NUDGE_MEMBERS },
          'slack: channel too large for nudges',
        );
        return undefined;
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    const unique = [...new Set(members)].filter((id) => id !== SLACKBOT);
    const people: string[] = [];
    for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
      const batch = unique.slice(i, i + LOOKUP_BATCH);
      const checked = await Promise.all(
        batch.map((id) => this.#isPerson(client, conversation.tenant, id)),
      );
      people.push(...batch.filter((_, j) => checked[j]));
    }
    return people;
  }

  async #isPerson(client: WebClient, tenant: string, userId: string): Promise<boolean> {
    const key = `${tenant}/${userId}`;
    const known = this.#people.get(key);
    if (known !== undefined) return known;
    let person: boolean;
    try {
      const info = await client.users.info({ user: userId });
      person = info.user?.is_bot !== true && info.user?.deleted !== true;
    } catch (error) {
      // A user Slack does not know is nobody to remind; anything else (429) is retried by the job.
      if (platformError(error) !== 'user_not_found') throw error;
      person = false;
    }
    this.#people.set(key, person);
    return person;
  }
}

/** Only plain http(s) links without characters that end a Slack link (`|`, `<`, `>`). */
const SAFE_LINK = /^https?:\/\/[^\s|<>]+$/;

/**
 * Where the nudge's link leads: the step's message in the channel (Slack's
 * permalink for it), else the channel itself (app_redirect).
 */
export class RoundLinks {
  readonly #permalinks = new Map<string, string>();

  async linkTo(
    client: WebClient,
    memory: ChannelMemory,
    conversation: ConversationRef,
    messageKey: string,
  ): Promise<string> {
    const channel = conversation.conversationId;
    const fallback = `https://slack.com/app_redirect?channel=${encodeURIComponent(channel)}`;
    const ts = await memory.message('slack', channel, messageKey);
    if (ts === undefined) return fallback;
    const cached = this.#permalinks.get(`${channel}/${ts}`);
    if (cached) return cached;
    try {
      const answer = await client.chat.getPermalink({ channel, message_ts: ts });
      const link = answer.permalink;
      if (typeof link !== 'string' || !SAFE_LINK.test(link)) return fallback;
      this.#permalinks.set(`${channel}/${ts}`, link);
      return link;
    } catch {
      return fallback;
    }
  }
}

/**
 * The nudge as a direct message: where (step), how far the group is ("7 af
 * 9 har svaret – husk at svare inden …"), what the person has left, a link
 * back to the round's message, and who sees this. Texts are escaped; the
 * link is ours (Slack's permalink or app_redirect), checked before use.
 */
export function nudgeMessage(view: NudgeView, link: string | undefined): SlackMessage {
  const safe = link !== undefined && SAFE_LINK.test(link) ? link : undefined;
  return {
    text: truncate(escapeText(view.text), BLOCK_KIT_LIMITS.sectionText),
    blocks: [
      ...context(escapeText(view.stepLine)),
      header(view.title),
      ...sections(bold(view.text)),
      ...paragraph(view.yours),
      ...(safe ? sections(`:point_right: <${safe}|${escapeText(view.open)}>`) : []),
      ...note(view.privacy),
    ],
  };
}
