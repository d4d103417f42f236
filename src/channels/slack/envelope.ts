import type { Identity } from '../../app/identity.ts';
import type { ConversationRef } from '../../core/model.ts';

/*
 * Who acted and where, read only from the parts of a Slack payload that
 * Slack itself fills in and signs (the whole body is verified by Bolt before
 * any handler runs): team/enterprise and user of the request. Button values
 * are never consulted, so a forged `userId` in an action's value changes
 * nothing.
 *
 * The tenant is the Enterprise Grid organisation when there is one (user ids
 * are organisation-wide there, and a round may be seen from several of its
 * workspaces), else the workspace (team id).
 */

/** What Slack puts in a slash command's form body. */
export interface CommandEnvelope {
  team_id?: string;
  enterprise_id?: string | null;
  user_id?: string;
  channel_id?: string;
}

/** What Slack puts in a block_actions payload. */
export interface ActionEnvelope {
  team?: { id?: string } | null;
  enterprise?: { id?: string } | null;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; is_ephemeral?: boolean };
}

/** An Events API envelope and its app_mention event. */
export interface EventEnvelope {
  team_id?: string;
  enterprise_id?: string | null;
  event?: { user?: string; channel?: string };
}

export interface Where {
  who: Identity;
  conversation: ConversationRef;
}

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

function where(
  tenant: string | undefined,
  userId: string | undefined,
  channel: string | undefined,
): Where | undefined {
  if (!tenant || !userId || !channel) return undefined;
  return {
    who: { platform: 'slack', tenant, userId },
    conversation: { platform: 'slack', tenant, conversationId: channel },
  };
}

export function fromCommand(body: CommandEnvelope): Where | undefined {
  return where(
    nonEmpty(body.enterprise_id) ?? nonEmpty(body.team_id),
    nonEmpty(body.user_id),
    nonEmpty(body.channel_id),
  );
}

export function fromAction(body: ActionEnvelope): Where | undefined {
  return where(
    nonEmpty(body.enterprise?.id) ?? nonEmpty(body.team?.id),
    nonEmpty(body.user?.id),
    nonEmpty(body.channel?.id) ?? nonEmpty(body.container?.channel_id),
  );
}

export function fromEvent(body: EventEnvelope): Where | undefined {
  return where(
    nonEmpty(body.enterprise_id) ?? nonEmpty(body.team_id),
    nonEmpty(body.event?.user),
    nonEmpty(body.event?.channel),
  );
}

/**
 * A delivery's unique id, for "one effect per delivery": the event id of an
 * Events API delivery (the same on Slack's retries), else the trigger id Slack
 * gives every slash command and button press (the same when the same payload
 * is delivered again). Neither contains a user id.
 */
export function deliveryId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { event_id?: unknown; trigger_id?: unknown };
  const event = nonEmpty(b.event_id);
  if (event) return `event:${event}`;
  const trigger = nonEmpty(b.trigger_id);
  return trigger ? `trigger:${trigger}` : undefined;
}
