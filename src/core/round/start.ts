import { areasInScope, deckCardsInScope, findArea } from '../deck/lookup.ts';
import { fail } from '../errors.ts';
import {
  type CardPhase,
  DEADLINE_STEPS,
  LANGS,
  type RoundSettings,
  type RoundState,
  type Scope,
} from '../model.ts';
import { ok } from '../result.ts';
import { isValidTimeZone } from '../time.ts';
import type { Command } from './commands.ts';
import { LIMITS } from './commands.ts';
import type { Ctx, TransitionResult } from './context.ts';
import { show } from './effects.ts';
import { enterStep } from './steps.ts';

type StartCommand = Extract<Command, { type: 'start' }>;

/** Checks settings a user may have typed; the first problem wins. */
export function checkSettings(settings: RoundSettings) {
  const s = settings;
  const whole = (n: number | undefined, min: number, max: number) =>
    n !== undefined && Number.isInteger(n) && n >= min && n <= max;
  if (s.mode !== 'sync' && s.mode !== 'async') return fail('invalid_settings', { field: 'mode' });
  if (!(LANGS as readonly string[]).includes(s.lang))
    return fail('invalid_settings', { field: 'lang' });
  if (!whole(s.k, 0, LIMITS.maxK)) return fail('invalid_settings', { field: 'k' });
  if (s.k < LIMITS.minK) return fail('threshold_too_low', { min: LIMITS.minK });
  if (!whole(s.maxPriorities, 1, LIMITS.maxPriorities))
    return fail('invalid_settings', { field: 'maxPriorities' });
  if (!isValidTimeZone(s.timeZone)) return fail('invalid_time_zone', { timeZone: s.timeZone });
  if (!whole(s.reminderDaysBefore, 0, 60))
    return fail('invalid_settings', { field: 'reminderDaysBefore' });
  if (!whole(s.reminderHour, 0, 23)) return fail('invalid_settings', { field: 'reminderHour' });
  if (s.nudgeAtPercent !== undefined && !whole(s.nudgeAtPercent, 0, 99))
    return fail('invalid_settings', { field: 'nudgeAtPercent' });
  for (const step of DEADLINE_STEPS) {
    if (!whole(s.stepMinutes?.[step], 1, 60 * 24 * 60))
      return fail('invalid_settings', { field: step });
  }
  return ok(settings);
}

/** Every printed card in scope starts pending. */
export function cardsFor(ctx: Ctx, scope: Scope): Record<string, CardPhase> {
  return Object.fromEntries(deckCardsInScope(ctx.deck, scope).map((c) => [c.id, 'pending']));
}

export function checkScope(ctx: Ctx, scope: Scope) {
  if (scope.kind === 'area' && !findArea(ctx.deck, scope.areaId)) {
    return fail('area_not_found', { area: scope.areaId });
  }
  return areasInScope(ctx.deck, scope).length > 0 ? ok(scope) : fail('area_not_found');
}

/**
 * Starts a round; the starter becomes the facilitator. In async mode intro and
 * scope are announced together and the round goes straight to the status step.
 */
export function start(
  existing: RoundState | undefined,
  command: StartCommand,
  ctx: Ctx,
): TransitionResult {
  if (existing) return fail('round_exists');
  if (ctx.actor.kind !== 'user') return fail('not_facilitator');
  if (command.settings.deckId !== ctx.deck.id) {
    return fail('deck_not_found', { deck: command.settings.deckId });
  }
  const settings = checkSettings(command.settings);
  if (!settings.ok) return settings;
  const scope = checkScope(ctx, command.scope);
  if (!scope.ok) return scope;
  const state: RoundState = {
    id: command.roundId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    settings: command.settings,
    conversation: command.conversation,
    facilitatorKey: ctx.actor.key,
    step: 'intro',
    status: 'active',
    endedEarly: false,
    scope: command.scope,
    cards: cardsFor(ctx, command.scope),
    priority: 'pending',
    customCards: [],
    statusNotes: [],
    plan: [],
    deadline: null,
    pausedAt: null,
  };
  const intro = [
    show({ kind: 'step', step: 'intro' }),
    show({ kind: 'facilitator' }, 'facilitator'),
  ];
  if (command.settings.mode === 'sync') return ok({ state, effects: intro });
  const entered = enterStep(state, 'status', ctx.now);
  return ok({
    state: entered.state,
    effects: [show({ kind: 'step', step: 'intro' }), ...entered.effects],
  });
}
