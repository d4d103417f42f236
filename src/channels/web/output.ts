import type { ChannelOutput, Clock, OutboundMessage } from '../../core/ports.ts';
import type { ReminderView } from '../../core/views/types.ts';
import type { EventHub } from './hub.ts';

/** Reminders kept per round, and rounds remembered; the oldest go first. */
const PER_ROUND = 20;
const MAX_ROUNDS = 1_000;

/**
 * Reminders the scheduler fired, kept in memory so the round's pages show
 * them as notices. Losing them on a restart is fine: the state endpoint also
 * works out from the plan which reminders are due today.
 */
export class ReminderBoard {
  readonly #rounds = new Map<string, { view: ReminderView; at: number }[]>();

  add(view: ReminderView, at: number): void {
    const kept = (this.#rounds.get(view.roundId) ?? []).filter((r) => r.view.key !== view.key);
    kept.push({ view, at });
    this.#rounds.delete(view.roundId);
    this.#rounds.set(view.roundId, kept.slice(-PER_ROUND));
    while (this.#rounds.size > MAX_ROUNDS) {
      const oldest = this.#rounds.keys().next().value;
      if (oldest === undefined) break;
      this.#rounds.delete(oldest);
    }
  }

  /** Reminders of the round that fired at or after `since` (epoch ms). */
  of(roundId: string, since: number): ReminderView[] {
    return (this.#rounds.get(roundId) ?? []).filter((r) => r.at >= since).map((r) => r.view);
  }
}

/**
 * The web channel's output. Pages render themselves from the state endpoint,
 * so a message only means "this round changed": the hub tells its pages.
 */
export class WebOutput implements ChannelOutput {
  readonly #hub: EventHub;
  readonly #reminders: ReminderBoard;
  readonly #clock: Clock;

  constructor(hub: EventHub, reminders: ReminderBoard, clock: Clock) {
    this.#hub = hub;
    this.#reminders = reminders;
    this.#clock = clock;
  }

  async send({ view }: OutboundMessage): Promise<void> {
    // Help and error views belong to no round; there is no page to update.
    if (!('roundId' in view)) return;
    if (view.kind === 'reminder') this.#reminders.add(view, this.#clock.now());
    this.#hub.publish(view.roundId);
  }
}
