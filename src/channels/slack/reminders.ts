import type { RoundService } from '../../app/round-service.ts';
import { buildView } from '../../core/views/build.ts';
import { reminderRequestNow } from '../../core/views/requests.ts';
import type { ReminderView } from '../../core/views/types.ts';
import { renderMessage } from './blocks/index.ts';
import type { SlackMessage } from './blocks/kit.ts';

/*
 * Follow-up reminders in Slack. The reminder job (core/app) shows a
 * `reminder` view; the channel posts it in the round's channel and, when the
 * item's owner is a Slack user, sends the owner the same message directly
 * (see `SlackOutput.send`). Its Done / Postpone a week / Blocked buttons
 * carry the round id, because the DM is another conversation than the
 * round's channel; who pressed still comes from the signed payload, and the
 * core lets only the owner or the facilitator change the status.
 */

/** The owner to write to directly: a Slack user, in the round's own workspace. */
export function reminderOwner(view: ReminderView): string | undefined {
  const user = view.ownerUser;
  return user?.platform === 'slack' && user.userId !== '' ? user.userId : undefined;
}

/** Block ids of reminder messages start with this (see `reminderBlocks`). */
export const REMINDER_BLOCK_PREFIX = 'reminder:';

/**
 * The reminder for a plan item as it stands now (status, due date, buttons),
 * to replace the message whose button was just pressed; undefined when the
 * round or item is gone.
 */
export async function currentReminder(
  service: RoundService,
  roundId: string,
  itemId: string,
): Promise<SlackMessage | undefined> {
  const snap = await service.snapshot(roundId);
  if (!snap) return undefined;
  const request = reminderRequestNow(snap, itemId);
  const view = request && buildView(request, snap);
  return view ? renderMessage(view) : undefined;
}
