import type { ConnectorClient } from '@microsoft/agents-hosting';
import type { Logger } from '../../app/logger.ts';
import type { Clock } from '../../core/ports.ts';

/**
 * Who is in a Teams conversation, as the Bot Connector lists it: for the
 * `refresh.userIds` of user-specific cards (`cards.ts`). The list is the
 * conversation's members, never anything derived from who voted.
 * (Looking up one member, for the plan's people picker, is `members.ts`.)
 *
 * `GET /v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=`
 * answers `{ members, continuationToken }` (Teams docs, "Get Teams specific
 * context for your bot": page sizes below 50 count as 50, above 500 as 500;
 * the unpaged `/members` "is unreliable in large teams and must not be used",
 * so it is not used). The Agents SDK's `ConnectorClient` has no method for
 * it, so the call goes through its public `httpClient`: same base URL, token
 * and headers as the client's own calls.
 */

/** What a listing found. */
export interface MemberList {
  /** Teams user ids (MRIs, `29:…`) of the people in the conversation; bots excluded. */
  ids: string[];
  /** True when listing stopped at `limit`: the conversation has at least that many people. */
  truncated: boolean;
}

export interface RosterOptions {
  clock: Clock;
  logger: Logger;
  /** How long a listing is reused, in ms. Default 5 minutes: people join a meeting late. */
  ttlMs?: number;
  /** How long after a failed listing it is not tried again, in ms. Default 1 minute. */
  failureTtlMs?: number;
  /** Stop listing after this many people. Default 61: one more than `refresh.userIds` may hold. */
  limit?: number;
  /** `pageSize` asked for. Default 100 (Teams accepts 50 to 500). */
  pageSize?: number;
  /** Upper bound on conversations kept in memory. Default 1000. */
  maxEntries?: number;
}

/** The part of the SDK's connector client this needs. */
export type RosterClient = Pick<ConnectorClient, 'httpClient'>;

interface Entry {
  at: number;
  /** undefined: the listing failed. */
  list: MemberList | undefined;
}

const DEFAULTS = {
  ttlMs: 5 * 60_000,
  failureTtlMs: 60_000,
  limit: 61,
  pageSize: 100,
  maxEntries: 1000,
};
/** A guard against a connector that keeps answering with a continuation token. */
const MAX_PAGES = 20;

/**
 * The conversation whose members to list for a stored conversation: the
 * channel's team when known (a channel id alone may give only the people
 * active in that channel), else the conversation without a channel thread's
 * `;messageid=…` suffix (the thread's people are the channel's).
 */
export function rosterConversationId(conversationId: string, teamId?: string): string {
  if (teamId) return teamId;
  const cut = conversationId.indexOf(';messageid=');
  return cut < 0 ? conversationId : conversationId.slice(0, cut);
}

/**
 * Lists conversation members, cached per conversation in memory. Never
 * throws: a failed listing is logged (status and error class only, no ids)
 * and gives undefined, so a card is never held up by it.
 */
export class ConversationRoster {
  readonly #o: typeof DEFAULTS & Pick<RosterOptions, 'clock' | 'logger'>;
  readonly #cache = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<MemberList | undefined>>();

  constructor(options: RosterOptions) {
    this.#o = { ...DEFAULTS, ...options };
  }

  /**
   * The members of `conversationId` (bots and `botId` excluded), at most
   * `limit`, from the cache while it is fresh; undefined when listing failed.
   */
  async list(
    client: RosterClient,
    conversationId: string,
    botId?: string,
  ): Promise<MemberList | undefined> {
    const cached = this.#cache.get(conversationId);
    if (cached) {
      const ttl = cached.list ? this.#o.ttlMs : this.#o.failureTtlMs;
      if (this.#o.clock.now() - cached.at < ttl) return cached.list;
      this.#cache.delete(conversationId);
    }
    const running = this.#pending.get(conversationId);
    if (running) return running;
    const listing = this.#fetch(client, conversationId, botId).then((list) => {
      this.#remember(conversationId, { at: this.#o.clock.now(), list });
      return list;
    });
    this.#pending.set(conversationId, listing);
    try {
      return await listing;
    } finally {
      this.#pending.delete(conversationId);
    }
  }

  /** Forgets a conversation's listing (e.g. when members joined or left). */
  forget(conversationId: string): void {
    this.#cache.delete(conversationId);
  }

  #remember(conversationId: string, entry: Entry): void {
    this.#cache.delete(conversationId);
    this.#cache.set(conversationId, entry);
    if (this.#cache.size <= this.#o.maxEntries) return;
    // Maps keep insertion order: the first entry is the oldest.
    const oldest = this.#cache.keys().next().value;
    if (oldest !== undefined) this.#cache.delete(oldest);
  }

  async #fetch(
    client: RosterClient,
    conversationId: string,
    botId: string | undefined,
  ): Promise<MemberList | undefined> {
    const { limit, pageSize, logger } = this.#o;
    const ids: string[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const response = await client.httpClient.get<unknown>(
          `v3/conversations/${conversationId}/pagedmembers`,
          { params: { pageSize: String(pageSize), continuationToken: token } },
        );
        const { members, continuationToken } = readPage(response.data);
        for (const member of members) {
          if (member.id === botId || isBot(member) || seen.has(member.id)) continue;
          seen.add(member.id);
          ids.push(member.id);
          // The service may ignore pageSize and send everybody at once.
          if (ids.length >= limit) return { ids, truncated: true };
        }
        if (!continuationToken) return { ids, truncated: false };
        token = continuationToken;
      }
      logger.warn('teams: member listing did not end; treating the conversation as large');
      return { ids, truncated: true };
    } catch (error) {
      logger.warn(
        { status: statusOf(error), reason: reasonOf(error) },
        'teams: listing conversation members failed; card refresh without userIds',
      );
      return undefined;
    }
  }
}

interface Member {
  id: string;
  userRole?: string;
}

class BadRosterResponse extends Error {
  override readonly name = 'BadRosterResponse';
}

function readPage(data: unknown): { members: Member[]; continuationToken?: string } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BadRosterResponse('pagedmembers answered without an object');
  }
  const { members, continuationToken } = data as { members?: unknown; continuationToken?: unknown };
  if (!Array.isArray(members)) throw new BadRosterResponse('pagedmembers answered without members');
  const valid = members.filter(
    (m): m is Member =>
      typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string',
  );
  return {
    members: valid,
    ...(typeof continuationToken === 'string' && continuationToken !== ''
      ? { continuationToken }
      : {}),
  };
}

/** Bot accounts have `28:` ids in Teams. */
function isBot(member: Member): boolean {
  return member.id.startsWith('28:') || member.userRole === 'bot';
}

/** The HTTP status of the SDK's `HttpError`, if it is one. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** The error's class name: never its message, which could quote ids. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
