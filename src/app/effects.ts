import type { Deck } from '../core/deck/schema.ts';
import type { RoundState } from '../core/model.ts';
import type { ChannelOutput, RoundStore, Scheduler } from '../core/ports.ts';
import type { Effect, ViewRequest } from '../core/round/effects.ts';
import { buildView } from '../core/views/build.ts';
import type { Logger } from './logger.ts';
import { revisionOf } from './revision.ts';

export interface EffectPorts {
  store: RoundStore;
  scheduler: Scheduler;
  output: ChannelOutput;
  logger: Logger;
}

/**
 * Runs a transition's effects after its state was saved: schedule and cancel
 * first (so reminders exist even if a post fails), then render and send each
 * view once. A failing effect is logged; the saved state stands. `version` is
 * the store version of `state`: with it, each message carries its revision.
 */
export async function runEffects(
  ports: EffectPorts,
  deck: Deck,
  state: RoundState,
  effects: readonly Effect[],
  now: number,
  version?: number,
): Promise<void> {
  const shows: { view: ViewRequest; audience: 'group' | 'facilitator' }[] = [];
  for (const effect of effects) {
    try {
      if (effect.type === 'schedule') await ports.scheduler.schedule(effect.job);
      else if (effect.type === 'cancel') await ports.scheduler.cancel(effect.jobId);
      else shows.push({ view: effect.view, audience: effect.audience });
    } catch (error) {
      ports.logger.error({ err: error, roundId: state.id, effect: effect.type }, 'effect failed');
    }
  }
  if (shows.length === 0) return;
  const counts = await ports.store.counts(state.id);
  const revision = version === undefined ? undefined : revisionOf(version, counts);
  const seen = new Set<string>();
  for (const { view: request, audience } of shows) {
    const id = `${audience}:${JSON.stringify(request)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const view = buildView(request, { deck, state, counts, now });
    if (!view) continue;
    try {
      await ports.output.send({
        conversation: state.conversation,
        audience,
        view,
        ...(revision && { revision }),
      });
    } catch (error) {
      ports.logger.error(
        { err: error, roundId: state.id, view: view.kind },
        'sending a message failed',
      );
    }
  }
}
