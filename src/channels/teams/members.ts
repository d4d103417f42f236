import type { Activity } from '@microsoft/agents-activity';
import type { ConnectorClient, TurnContext } from '@microsoft/agents-hosting';
import { readHttpError } from './output.ts';
import { rosterConversationId } from './roster.ts';

/** A member of the conversation, as our identities name them. */
export interface TeamsMember {
  /** The id `identityOf` gives this person: the Entra object id (else the Teams id). */
  userId: string;
  /** Display name, '' when Teams gave none. */
  name: string;
}

/** Finds a person in the activity's conversation; undefined when they are not in it. */
export type MemberLookup = (userId: string) => Promise<TeamsMember | undefined>;

/**
 * Where a conversation's members are listed (`rosterConversationId`): a
 * channel's team, else the conversation without a thread's `;messageid=` suffix.
 */
export function rosterOf(activity: Activity): string | undefined {
  const team = (activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  const conversationId = activity.conversation?.id;
  if (!conversationId) return undefined;
  return rosterConversationId(
    conversationId,
    typeof team === 'string' && team !== '' ? team : undefined,
  );
}

/**
 * Looks people up within the turn with the turn's own connector client
 * (`GET v3/conversations/{id}/members/{userId}`), so the call carries the
 * same credentials and service url as the activity. The REST answer names the
 * Entra object id `objectId`; the SDK's type calls it `aadObjectId`: both are read.
 * A 404 means "not in this conversation"; any other failure is thrown.
 */
export function memberLookup(context: TurnContext): MemberLookup {
  return async (userId) => {
    const conversationId = rosterOf(context.activity);
    const client = context.turnState.get<ConnectorClient | undefined>(
      context.adapter.ConnectorClientKey,
    );
    if (!conversationId || !client) throw new Error('teams: no connector client in this turn');
    let found: unknown;
    try {
      found = await client.getConversationMember(userId, conversationId);
    } catch (error) {
      if (readHttpError(error)?.status === 404) return undefined;
      throw error;
    }
    return memberOf(found);
  };
}

/** A member from the connector's JSON; undefined when it names nobody. */
export function memberOf(raw: unknown): TeamsMember | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as { id?: unknown; name?: unknown; objectId?: unknown; aadObjectId?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const userId = str(m.objectId) ?? str(m.aadObjectId) ?? str(m.id);
  if (!userId) return undefined;
  return { userId, name: str(m.name) ?? '' };
}
