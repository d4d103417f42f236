import type { MessageRevision } from '../../core/ports.ts';
import type { EditGate } from './edit-gate.ts';
import { sleep, type Timers } from './timers.ts';

export interface GateSteps {
  gate: EditGate;
  timers: Timers;
  /** Minimum time between two edits of one message, in ms (the lease's length). */
  intervalMs: number;
}

/**
 * What an outbox does with a gate right before a platform call. Resolves the
 * value to send, or undefined when it is stale (a newer one is held here or
 * by another instance, whose holder sends it).
 *
 * A post takes the message's lease when free (so that any edit follows an
 * interval later) and records its revision; posts are never dropped. An edit
 * drops a stale value early (without taking the lease), waits for the lease
 * (taking a newer local value meanwhile: `pick`), and checks its revision
 * once more under the lease, when no other instance can send.
 */
export async function clearedToSend<H extends { revision?: MessageRevision }>(
  steps: GateSteps,
  kind: 'post' | 'update',
  messageKey: string,
  first: H,
  pick: () => H | undefined,
): Promise<H | undefined> {
  const { gate, timers, intervalMs } = steps;
  let held = first;
  const newest = async () => !held.revision || (await gate.isNewest(messageKey, held.revision));
  if (kind === 'post') {
    await gate.acquire(messageKey, intervalMs);
    if (held.revision) await gate.offer(messageKey, held.revision);
    return held;
  }
  for (;;) {
    if (!(await newest())) {
      // Stale; a newer value offered here meanwhile may still be the newest.
      const next = pick();
      if (!next || next === held) return undefined;
      held = next;
      continue;
    }
    const wait = await gate.acquire(messageKey, intervalMs);
    if (wait <= 0) break;
    await sleep(timers, wait);
    held = pick() ?? held;
  }
  return (await newest()) ? held : undefined;
}
