import { STEPS, type StepId } from '../model.ts';
import type { ViewRequest } from '../round/effects.ts';
import { daysBetween, epochToZonedDate } from '../time.ts';
import type { ViewInput } from './input.ts';

/*
 * The way back from a message to the view it shows. Every view's key is
 * `<roundId>:<what>` (see `base` in input.ts): `step:<step>`, `card:<cardId>`,
 * `facilitator`, `status` (the round's status), `plan` and
 * `reminder:<itemId>:<due>:<daysBefore>`. Channels that ask a message for the
 * current version of itself (Teams' card refresh) send the key back.
 */

/** The round and view a view key stands for; undefined for anything that is no key of ours. */
export function viewRequestOfKey(
  key: string,
): { roundId: string; request: ViewRequest } | undefined {
  const colon = key.indexOf(':');
  if (colon <= 0) return undefined;
  const roundId = key.slice(0, colon);
  const request = requestOf(key.slice(colon + 1));
  return request ? { roundId, request } : undefined;
}

function requestOf(what: string): ViewRequest | undefined {
  if (what === 'facilitator') return { kind: 'facilitator' };
  if (what === 'status') return { kind: 'roundStatus' };
  if (what === 'plan') return { kind: 'plan' };
  if (what.startsWith('step:')) {
    const step = what.slice('step:'.length);
    return (STEPS as readonly string[]).includes(step)
      ? { kind: 'step', step: step as StepId }
      : undefined;
  }
  if (what.startsWith('card:')) {
    const cardId = what.slice('card:'.length);
    return cardId === '' ? undefined : { kind: 'card', cardId };
  }
  if (what.startsWith('reminder:')) {
    // Item ids have no ':'; the date (YYYY-MM-DD) has none either.
    const [itemId, due, days, ...rest] = what.slice('reminder:'.length).split(':');
    const daysBefore = Number(days);
    if (!itemId || !due || rest.length > 0 || days === '' || !Number.isInteger(daysBefore)) {
      return undefined;
    }
    if (daysBefore < 0) return undefined;
    return { kind: 'reminder', itemId, daysBefore };
  }
  return undefined;
}

/**
 * A plan item's reminder as of now: the days left until its due date (0 on
 * the day or once overdue). After "postpone a week" a reminder that said
 * "today" then says "in 7 days".
 */
export function reminderRequestNow(input: ViewInput, itemId: string): ViewRequest | undefined {
  const item = input.state.plan.find((p) => p.id === itemId);
  if (!item) return undefined;
  const today = epochToZonedDate(input.now, input.state.settings.timeZone);
  return { kind: 'reminder', itemId, daysBefore: Math.max(0, daysBetween(today, item.due)) };
}
