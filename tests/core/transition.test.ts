import { describe, expect, it } from 'vitest';
import type { DomainError } from '../../src/core/errors.ts';
import {
  type PlanItem,
  type RoundSettings,
  type RoundState,
  type Scope,
  STEPS,
  type StepId,
} from '../../src/core/model.ts';
import { checkPriorities, checkRating } from '../../src/core/round/ballots.ts';
import { openBoxIds } from '../../src/core/round/boxes.ts';
import type { Actor, Command, PlanInput } from '../../src/core/round/commands.ts';
import type { Ctx, Transitioned, TransitionResult } from '../../src/core/round/context.ts';
import type { Effect } from '../../src/core/round/effects.ts';
import { transition } from '../../src/core/round/transition.ts';
import { TEST_CARD_IDS, testDeck, testSettings } from '../fixtures/test-deck.ts';

// ---------------------------------------------------------------------------
// helpers

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0); // Monday 23 November 2026, 10:00 in Copenhagen
const MIN = 60_000;
const ROUND = 'r1';

const FAC: Actor = { kind: 'user', key: 'fac' };
const P1: Actor = { kind: 'user', key: 'p1' };
const P2: Actor = { kind: 'user', key: 'p2' };
const SYS: Actor = { kind: 'system' };

const ALL: Scope = { kind: 'all' };
const FASTHOLDELSE: Scope = { kind: 'area', areaId: 'fastholdelse' };

function ctx(actor: Actor = FAC, now = T0): Ctx {
  return { now, deck: testDeck, actor };
}

function startCommand(
  settings: Partial<RoundSettings> = {},
  scope: Scope = ALL,
  roundId = ROUND,
): Command {
  return {
    type: 'start',
    roundId,
    settings: testSettings(settings),
    conversation: { platform: 'web', tenant: 'local', conversationId: 'c1' },
    scope,
  };
}

function describeError(result: TransitionResult): string {
  return result.ok ? 'ok' : JSON.stringify(result.error);
}

/** Applies a command that must succeed. */
function run(
  state: RoundState | undefined,
  command: Command,
  actor: Actor = FAC,
  now = T0,
): Transitioned {
  const result = transition(state, command, ctx(actor, now));
  if (!result.ok) {
    throw new Error(`${command.type} refused: ${describeError(result)}`);
  }
  return result.value;
}

/** Applies a command that must be refused; returns the error code. */
function refusal(
  state: RoundState | undefined,
  command: Command,
  actor: Actor = FAC,
  now = T0,
): DomainError['code'] {
  const result = transition(state, command, ctx(actor, now));
  if (result.ok) throw new Error(`${command.type} was accepted, expected a refusal`);
  return result.error.code;
}

function errorCode(result: { ok: true } | { ok: false; error: DomainError }): string {
  return result.ok ? 'ok' : result.error.code;
}

function startRound(settings: Partial<RoundSettings> = {}, scope: Scope = ALL): RoundState {
  return run(undefined, startCommand(settings, scope)).state;
}

/** Walks forward with `next` until `step` (sync or async). */
function goTo(state: RoundState, step: StepId, now = T0): RoundState {
  let s = state;
  while (s.step !== step) {
    if (s.status === 'ended') throw new Error(`ended before reaching ${step}`);
    s = run(s, { type: 'next' }, FAC, now).state;
  }
  return s;
}

const syncAt = (step: StepId, scope: Scope = ALL) => goTo(startRound({}, scope), step);
const asyncAt = (step: StepId, scope: Scope = ALL) =>
  goTo(startRound({ mode: 'async' }, scope), step);

const showStep = (step: StepId): Effect => ({
  type: 'show',
  view: { kind: 'step', step },
  audience: 'group',
});
const showFacilitator: Effect = {
  type: 'show',
  view: { kind: 'facilitator' },
  audience: 'facilitator',
};
const showCard = (cardId: string): Effect => ({
  type: 'show',
  view: { kind: 'card', cardId },
  audience: 'group',
});
const showRoundStatus: Effect = {
  type: 'show',
  view: { kind: 'roundStatus' },
  audience: 'group',
};

const deadlineJob = (step: string, deadline: number): Effect => ({
  type: 'schedule',
  job: {
    id: `deadline:${ROUND}:${step}`,
    roundId: ROUND,
    runAt: deadline,
    type: 'deadline',
    step: step as StepId,
    deadline,
  },
});
const cancel = (jobId: string): Effect => ({ type: 'cancel', jobId });

const scheduled = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'schedule' ? [e.job] : []));
const cancelled = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'cancel' ? [e.jobId] : []));

const phasesOf = (state: RoundState, phase: 'pending' | 'open' | 'closed') =>
  Object.keys(state.cards).filter((id) => state.cards[id] === phase);

function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    what: 'Mentorordning for nye ledere',
    goal: 'Alle nye ledere har en mentor',
    actions: 'Find tre mentorer',
    owner: { name: 'Anna', key: 'p1' },
    due: '2026-12-10',
    link: { kind: 'mission', id: 'ledere' },
    ...overrides,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) {
      deepFreeze((value as Record<string, unknown>)[key]);
    }
  }
  return value;
}

// ---------------------------------------------------------------------------

describe('start', () => {
  it('sync: lands on intro, every in-scope card pending, the starter facilitates', () => {
    const { state, effects } = run(undefined, startCommand());
    expect(state).toMatchObject({
      id: ROUND,
      createdAt: T0,
      updatedAt: T0,
      facilitatorKey: 'fac',
      step: 'intro',
      status: 'active',
      endedEarly: false,
      scope: ALL,
      priority: 'pending',
      customCards: [],
      statusNotes: [],
      plan: [],
      deadline: null,
      pausedAt: null,
    });
    expect(state.cards).toEqual(Object.fromEntries(TEST_CARD_IDS.map((id) => [id, 'pending'])));
    expect(effects).toEqual([showStep('intro'), showFacilitator]);
  });

  it('sync with one area in scope: only that area’s cards', () => {
    const { state } = run(undefined, startCommand({}, FASTHOLDELSE));
    expect(state.cards).toEqual({ omsorgssamtaler: 'pending', naervaer: 'pending' });
  });

  it('async: lands on status with a deadline of now + stepMinutes.status and schedules it', () => {
    const { state, effects } = run(undefined, startCommand({ mode: 'async' }));
    const deadline = T0 + 30 * MIN;
    expect(state.step).toBe('status');
    expect(state.deadline).toBe(deadline);
    expect(effects[0]).toEqual(showStep('intro'));
    expect(effects).toContainEqual(deadlineJob('status', deadline));
    expect(effects).toContainEqual(showStep('status'));
    expect(effects).toContainEqual(showFacilitator);
    expect(scheduled(effects).map((j) => j.id)).toEqual([`deadline:${ROUND}:status`]);
    expect(phasesOf(state, 'pending')).toEqual([...TEST_CARD_IDS]);
  });

  it('refuses a round id that exists: round_exists', () => {
    const existing = startRound();
    expect(refusal(existing, startCommand())).toBe('round_exists');
  });

  it('refuses a deck other than the one in ctx: deck_not_found', () => {
    expect(refusal(undefined, startCommand({ deckId: 'other-deck' }))).toBe('deck_not_found');
  });

  it.each([2, 0])('refuses k = %d: threshold_too_low', (k) => {
    expect(refusal(undefined, startCommand({ k }))).toBe('threshold_too_low');
  });

  it('accepts k = 3', () => {
    expect(run(undefined, startCommand({ k: 3 })).state.settings.k).toBe(3);
  });

  it.each<[string, Partial<RoundSettings>]>([
    ['k 3.5', { k: 3.5 }],
    ['k 51', { k: 51 }],
    ['k NaN', { k: Number.NaN }],
    ['maxPriorities 0', { maxPriorities: 0 }],
    ['maxPriorities 11', { maxPriorities: 11 }],
    ['reminderHour 24', { reminderHour: 24 }],
    ['reminderHour -1', { reminderHour: -1 }],
    ['reminderDaysBefore 1.5', { reminderDaysBefore: 1.5 }],
    ['stepMinutes.rating 0', { stepMinutes: { status: 30, rating: 0, custom: 45, priority: 20 } }],
  ])('refuses %s: invalid_settings', (_name, settings) => {
    expect(refusal(undefined, startCommand(settings))).toBe('invalid_settings');
  });

  // checkSettings validates "settings a user may have typed", but not every field.
  it.each<[string, Partial<RoundSettings>]>([
    ['mode "bogus"', { mode: 'bogus' as RoundSettings['mode'] }],
    ['lang "fr"', { lang: 'fr' as RoundSettings['lang'] }],
    ['stepMinutes {}', { stepMinutes: {} as RoundSettings['stepMinutes'] }],
  ])('unchecked settings: %s must be invalid_settings', (_name, settings) => {
    expect(errorCode(transition(undefined, startCommand(settings), ctx()))).toBe(
      'invalid_settings',
    );
  });

  it('names the offending field of invalid settings', () => {
    const result = transition(undefined, startCommand({ reminderHour: 24 }), ctx());
    expect(result).toEqual({
      ok: false,
      error: { code: 'invalid_settings', params: { field: 'reminderHour' } },
    });
  });

  it.each(['Mars/Olympus', ''])('refuses time zone %j: invalid_time_zone', (timeZone) => {
    expect(refusal(undefined, startCommand({ timeZone }))).toBe('invalid_time_zone');
  });

  it('refuses a scope of an unknown area: area_not_found', () => {
    expect(refusal(undefined, startCommand({}, { kind: 'area', areaId: 'nope' }))).toBe(
      'area_not_found',
    );
  });

  it('refuses a system actor: not_facilitator', () => {
    expect(refusal(undefined, startCommand(), SYS)).toBe('not_facilitator');
  });

  it('any other command without a round: round_not_found', () => {
    expect(refusal(undefined, { type: 'next' })).toBe('round_not_found');
  });
});

describe('next and back (sync)', () => {
  it('walks the seven steps in order, announcing each step and the facilitator view', () => {
    let state = startRound();
    const seen: StepId[] = [state.step];
    for (let i = 1; i < STEPS.length; i++) {
      const { state: nextState, effects } = run(state, { type: 'next' }, FAC, T0 + i * MIN);
      expect(nextState.step).toBe(STEPS[i]);
      expect(nextState.updatedAt).toBe(T0 + i * MIN);
      expect(effects).toContainEqual(showStep(STEPS[i] as StepId));
      expect(effects).toContainEqual(showFacilitator);
      expect(scheduled(effects)).toEqual([]);
      expect(nextState.deadline).toBeNull();
      seen.push(nextState.step);
      state = nextState;
    }
    expect(seen).toEqual([...STEPS]);
  });

  it('goes back one step at a time from summary to intro; back from intro: no_previous_step', () => {
    let state = syncAt('summary');
    for (let i = STEPS.length - 2; i >= 0; i--) {
      const { state: previous, effects } = run(state, { type: 'back' });
      expect(previous.step).toBe(STEPS[i]);
      expect(effects).toContainEqual(showStep(STEPS[i] as StepId));
      expect(effects).toContainEqual(showFacilitator);
      state = previous;
    }
    expect(state.step).toBe('intro');
    expect(refusal(state, { type: 'back' })).toBe('no_previous_step');
  });

  it('next on summary ends the round (not early)', () => {
    const { state, effects } = run(syncAt('summary'), { type: 'next' });
    expect(state.status).toBe('ended');
    expect(state.endedEarly).toBe(false);
    expect(state.step).toBe('summary');
    expect(effects).toContainEqual(showRoundStatus);
  });

  it('end on summary is not early', () => {
    const { state } = run(syncAt('summary'), { type: 'end' });
    expect(state.status).toBe('ended');
    expect(state.endedEarly).toBe(false);
  });

  it('end from rating ends early and closes the open card', () => {
    const open = run(syncAt('rating'), { type: 'openCard', cardId: 'mentorordninger' }).state;
    const { state, effects } = run(open, { type: 'end' });
    expect(state.status).toBe('ended');
    expect(state.endedEarly).toBe(true);
    expect(state.cards.mentorordninger).toBe('closed');
    expect(phasesOf(state, 'open')).toEqual([]);
    expect(effects).toContainEqual(showCard('mentorordninger'));
    expect(effects).toContainEqual(showRoundStatus);
    expect(openBoxIds(state)).toEqual([]);
  });

  it('leaving rating closes the open card', () => {
    const open = run(syncAt('rating'), { type: 'openCard', cardId: 'supervision' }).state;
    const { state, effects } = run(open, { type: 'next' });
    expect(state.step).toBe('custom');
    expect(state.cards.supervision).toBe('closed');
    expect(effects).toContainEqual(showCard('supervision'));
  });

  it('going back from rating closes the open card too', () => {
    const open = run(syncAt('rating'), { type: 'openCard', cardId: 'supervision' }).state;
    const { state } = run(open, { type: 'back' });
    expect(state.step).toBe('status');
    expect(state.cards.supervision).toBe('closed');
  });
});

describe('next and back (async deadlines)', () => {
  it('next cancels the current deadline job and schedules the next step’s', () => {
    const status = startRound({ mode: 'async' });
    const now = T0 + 5 * MIN;
    const { state, effects } = run(status, { type: 'next' }, FAC, now);
    expect(state.step).toBe('rating');
    expect(state.deadline).toBe(now + 60 * MIN);
    expect(cancelled(effects)).toEqual([`deadline:${ROUND}:status`]);
    expect(scheduled(effects)).toEqual([
      {
        id: `deadline:${ROUND}:rating`,
        roundId: ROUND,
        runAt: now + 60 * MIN,
        type: 'deadline',
        step: 'rating',
        deadline: now + 60 * MIN,
      },
    ]);
    const cancelAt = effects.findIndex((e) => e.type === 'cancel');
    const scheduleAt = effects.findIndex((e) => e.type === 'schedule');
    expect(cancelAt).toBeLessThan(scheduleAt);
    expect(effects).toContainEqual(showStep('rating'));
    expect(effects).toContainEqual(showFacilitator);
  });

  it('each deadline step gets its own length; summary has none', () => {
    let state = startRound({ mode: 'async' });
    const expected: Record<string, number> = { rating: 60, custom: 45, priority: 20 };
    for (const step of ['rating', 'custom', 'priority'] as const) {
      const now = state.updatedAt + MIN;
      state = run(state, { type: 'next' }, FAC, now).state;
      expect(state.step).toBe(step);
      expect(state.deadline).toBe(now + (expected[step] ?? 0) * MIN);
    }
    const { state: summary, effects } = run(state, { type: 'next' });
    expect(summary.step).toBe('summary');
    expect(summary.deadline).toBeNull();
    expect(cancelled(effects)).toEqual([`deadline:${ROUND}:priority`]);
    expect(scheduled(effects)).toEqual([]);
  });

  it('back cancels the current deadline and schedules the previous step’s afresh', () => {
    const rating = asyncAt('rating');
    const now = T0 + 7 * MIN;
    const { state, effects } = run(rating, { type: 'back' }, FAC, now);
    expect(state.step).toBe('status');
    expect(state.deadline).toBe(now + 30 * MIN);
    expect(cancelled(effects)).toEqual([`deadline:${ROUND}:rating`]);
    expect(effects).toContainEqual(deadlineJob('status', now + 30 * MIN));
  });

  it('back from status to scope drops the deadline', () => {
    const { state, effects } = run(startRound({ mode: 'async' }), { type: 'back' });
    expect(state.step).toBe('scope');
    expect(state.deadline).toBeNull();
    expect(cancelled(effects)).toEqual([`deadline:${ROUND}:status`]);
    expect(scheduled(effects)).toEqual([]);
  });

  it('ending an async round cancels the pending deadline', () => {
    const { state, effects } = run(asyncAt('custom'), { type: 'end' });
    expect(state.deadline).toBeNull();
    expect(cancelled(effects)).toContain(`deadline:${ROUND}:custom`);
  });
});

describe('only the facilitator', () => {
  const facilitatorCommands: Command[] = [
    { type: 'next' },
    { type: 'back' },
    { type: 'pause' },
    { type: 'resume' },
    { type: 'end' },
    { type: 'handOver', toKey: 'p1' },
    { type: 'setScope', scope: FASTHOLDELSE },
    { type: 'openCard', cardId: 'mentorordninger' },
    { type: 'closeCard', cardId: 'mentorordninger' },
    { type: 'openMission', missionId: 'ledere' },
    { type: 'closeMission', missionId: 'ledere' },
    { type: 'openNextCard' },
    { type: 'removeStatusNote', noteId: 'n1' },
    { type: 'removeCustomCard', cardId: 'c1' },
    { type: 'addPlanItem', itemId: 'i1', input: planInput() },
    { type: 'editPlanItem', itemId: 'i1', input: planInput() },
    { type: 'removePlanItem', itemId: 'i1' },
  ];

  it.each(facilitatorCommands.map((c) => [c.type, c] as const))(
    '%s by another participant: not_facilitator',
    (_type, command) => {
      expect(refusal(syncAt('rating'), command, P1)).toBe('not_facilitator');
      expect(refusal(syncAt('summary'), command, P1)).toBe('not_facilitator');
    },
  );

  it.each(facilitatorCommands.map((c) => [c.type, c] as const))(
    '%s by the system: not_facilitator',
    (_type, command) => {
      expect(refusal(syncAt('rating'), command, SYS)).toBe('not_facilitator');
    },
  );

  it('handOver makes the new key the facilitator; the old one loses the rights', () => {
    const { state, effects } = run(syncAt('scope'), { type: 'handOver', toKey: 'p1' });
    expect(state.facilitatorKey).toBe('p1');
    expect(effects).toContainEqual(showFacilitator);
    expect(refusal(state, { type: 'next' }, FAC)).toBe('not_facilitator');
    expect(refusal(state, { type: 'handOver', toKey: 'fac' }, FAC)).toBe('not_facilitator');
    expect(run(state, { type: 'next' }, P1).state.step).toBe('status');
  });

  it('handOver to oneself: same_facilitator', () => {
    expect(refusal(syncAt('scope'), { type: 'handOver', toKey: 'fac' })).toBe('same_facilitator');
  });

  it('handOver works while paused', () => {
    const paused = run(syncAt('scope'), { type: 'pause' }).state;
    expect(run(paused, { type: 'handOver', toKey: 'p2' }).state.facilitatorKey).toBe('p2');
  });
});

describe('pause and resume', () => {
  it('a paused round refuses next, votes and notes', () => {
    const status = syncAt('status');
    const { state: paused, effects } = run(status, { type: 'pause' }, FAC, T0 + MIN);
    expect(paused.status).toBe('paused');
    expect(paused.pausedAt).toBe(T0 + MIN);
    expect(effects).toContainEqual(showRoundStatus);
    expect(refusal(paused, { type: 'next' })).toBe('round_paused');
    expect(refusal(paused, { type: 'back' })).toBe('round_paused');
    expect(
      refusal(paused, { type: 'addStatusNote', noteId: 'n1', areaId: null, text: 'hej' }, P1),
    ).toBe('round_paused');

    const open = run(goTo(status, 'rating'), { type: 'openCard', cardId: 'lederfora' }).state;
    const pausedRating = run(open, { type: 'pause' }).state;
    expect(errorCode(checkRating(pausedRating, 'lederfora', 4))).toBe('round_paused');
    expect(refusal(pausedRating, { type: 'closeCard', cardId: 'lederfora' })).toBe('round_paused');
    expect(openBoxIds(pausedRating)).toEqual(['card:lederfora']);
  });

  it('pausing twice: round_paused; resuming an active round: not_paused', () => {
    const paused = run(syncAt('status'), { type: 'pause' }).state;
    expect(refusal(paused, { type: 'pause' })).toBe('round_paused');
    expect(refusal(syncAt('status'), { type: 'resume' })).toBe('not_paused');
  });

  it('resume returns to active and clears pausedAt', () => {
    const paused = run(syncAt('status'), { type: 'pause' }).state;
    const { state } = run(paused, { type: 'resume' }, FAC, T0 + 3 * MIN);
    expect(state.status).toBe('active');
    expect(state.pausedAt).toBeNull();
    expect(state.deadline).toBeNull();
    expect(run(state, { type: 'next' }).state.step).toBe('rating');
  });

  it('async: pause cancels the deadline job; resume 10 minutes later moves it by 10 minutes', () => {
    const status = startRound({ mode: 'async' });
    const deadline = T0 + 30 * MIN;
    expect(status.deadline).toBe(deadline);
    const { state: paused, effects: pauseEffects } = run(
      status,
      { type: 'pause' },
      FAC,
      T0 + 5 * MIN,
    );
    expect(cancelled(pauseEffects)).toEqual([`deadline:${ROUND}:status`]);
    expect(pauseEffects[0]).toEqual(cancel(`deadline:${ROUND}:status`));
    expect(paused.deadline).toBe(deadline);

    const { state: resumed, effects } = run(paused, { type: 'resume' }, FAC, T0 + 15 * MIN);
    expect(resumed.status).toBe('active');
    expect(resumed.deadline).toBe(deadline + 10 * MIN);
    expect(scheduled(effects)).toEqual([
      {
        id: `deadline:${ROUND}:status`,
        roundId: ROUND,
        runAt: deadline + 10 * MIN,
        type: 'deadline',
        step: 'status',
        deadline: deadline + 10 * MIN,
      },
    ]);
    // The old deadline is stale now; the moved one is honoured.
    expect(
      refusal(resumed, { type: 'deadlineReached', step: 'status', deadline }, SYS, deadline),
    ).toBe('stale_deadline');
    const moved = run(
      resumed,
      { type: 'deadlineReached', step: 'status', deadline: deadline + 10 * MIN },
      SYS,
      deadline + 10 * MIN,
    ).state;
    expect(moved.step).toBe('rating');
  });

  it('end works while paused and clears pausedAt', () => {
    const paused = run(syncAt('rating'), { type: 'pause' }).state;
    const { state } = run(paused, { type: 'end' });
    expect(state.status).toBe('ended');
    expect(state.pausedAt).toBeNull();
  });
});

describe('an ended round', () => {
  const ended = () => run(syncAt('summary'), { type: 'next' }).state;

  const refused: [Command, Actor][] = [
    [{ type: 'next' }, FAC],
    [{ type: 'back' }, FAC],
    [{ type: 'pause' }, FAC],
    [{ type: 'resume' }, FAC],
    [{ type: 'end' }, FAC],
    [{ type: 'handOver', toKey: 'p1' }, FAC],
    [{ type: 'setScope', scope: FASTHOLDELSE }, FAC],
    [{ type: 'addStatusNote', noteId: 'n1', areaId: null, text: 'hej' }, P1],
    [{ type: 'removeStatusNote', noteId: 'n1' }, FAC],
    [{ type: 'openCard', cardId: 'mentorordninger' }, FAC],
    [{ type: 'closeCard', cardId: 'mentorordninger' }, FAC],
    [{ type: 'openMission', missionId: 'ledere' }, FAC],
    [{ type: 'closeMission', missionId: 'ledere' }, FAC],
    [{ type: 'openNextCard' }, FAC],
    [{ type: 'addCustomCard', cardId: 'c1', missionId: 'ledere', title: 'X', description: '' }, P1],
    [{ type: 'removeCustomCard', cardId: 'c1' }, FAC],
    [{ type: 'deadlineReached', step: 'summary', deadline: 0 }, SYS],
  ];

  it.each(refused.map(([c, a]) => [c.type, c, a] as const))(
    'refuses %s: round_ended',
    (_type, command, actor) => {
      expect(refusal(ended(), command, actor)).toBe('round_ended');
    },
  );

  it('refuses ratings and priority ballots: round_ended', () => {
    const state = ended();
    expect(errorCode(checkRating(state, 'mentorordninger', 3))).toBe('round_ended');
    expect(errorCode(checkPriorities(state, ['mentorordninger']))).toBe('round_ended');
    expect(openBoxIds(state)).toEqual([]);
  });

  it('still takes plan commands', () => {
    const added = run(ended(), { type: 'addPlanItem', itemId: 'i1', input: planInput() }).state;
    const edited = run(added, {
      type: 'editPlanItem',
      itemId: 'i1',
      input: planInput({ what: 'Ny tekst' }),
    }).state;
    const done = run(edited, { type: 'setPlanStatus', itemId: 'i1', status: 'done' }, P1).state;
    const postponed = run(done, { type: 'postponePlanItem', itemId: 'i1', days: 7 }, P1).state;
    const removed = run(postponed, { type: 'removePlanItem', itemId: 'i1' }).state;
    expect(edited.plan[0]?.what).toBe('Ny tekst');
    expect(done.plan[0]?.status).toBe('done');
    expect(postponed.plan[0]?.due).toBe('2026-12-17');
    expect(removed.plan).toEqual([]);
  });
});

describe('scope', () => {
  it('setScope to one area keeps only that area’s cards', () => {
    const { state, effects } = run(syncAt('scope'), { type: 'setScope', scope: FASTHOLDELSE });
    expect(state.scope).toEqual(FASTHOLDELSE);
    expect(state.cards).toEqual({ omsorgssamtaler: 'pending', naervaer: 'pending' });
    expect(effects).toContainEqual(showStep('scope'));
    const back = run(state, { type: 'setScope', scope: ALL }).state;
    expect(Object.keys(back.cards)).toEqual([...TEST_CARD_IDS]);
  });

  it('is allowed in intro and status too', () => {
    expect(run(startRound(), { type: 'setScope', scope: FASTHOLDELSE }).state.scope).toEqual(
      FASTHOLDELSE,
    );
    expect(run(syncAt('status'), { type: 'setScope', scope: FASTHOLDELSE }).state.scope).toEqual(
      FASTHOLDELSE,
    );
  });

  it('drops status notes about areas that fall out of scope', () => {
    let state = syncAt('status');
    state = run(
      state,
      { type: 'addStatusNote', noteId: 'n1', areaId: 'udvikling', text: 'a' },
      P1,
    ).state;
    state = run(
      state,
      { type: 'addStatusNote', noteId: 'n2', areaId: 'fastholdelse', text: 'b' },
      P1,
    ).state;
    state = run(state, { type: 'addStatusNote', noteId: 'n3', areaId: null, text: 'c' }, P1).state;
    const scoped = run(state, { type: 'setScope', scope: FASTHOLDELSE }).state;
    expect(scoped.statusNotes.map((n) => n.id)).toEqual(['n2', 'n3']);
  });

  it('after a card has been opened: scope_locked', () => {
    const opened = run(syncAt('rating'), { type: 'openCard', cardId: 'naervaer' }).state;
    const status = run(opened, { type: 'back' }).state;
    expect(status.step).toBe('status');
    expect(refusal(status, { type: 'setScope', scope: FASTHOLDELSE })).toBe('scope_locked');
  });

  it.each<StepId>(['rating', 'custom', 'priority', 'summary'])('in %s: scope_locked', (step) => {
    expect(refusal(syncAt(step), { type: 'setScope', scope: FASTHOLDELSE })).toBe('scope_locked');
  });

  it('an unknown area: area_not_found', () => {
    expect(
      refusal(syncAt('scope'), { type: 'setScope', scope: { kind: 'area', areaId: 'x' } }),
    ).toBe('area_not_found');
  });
});

describe('rating (sync)', () => {
  it('opens a pending card and shows it', () => {
    const { state, effects } = run(syncAt('rating'), {
      type: 'openCard',
      cardId: 'mentorordninger',
    });
    expect(state.cards.mentorordninger).toBe('open');
    expect(effects).toContainEqual(showCard('mentorordninger'));
    expect(openBoxIds(state)).toEqual(['card:mentorordninger']);
  });

  it('refusals of openCard', () => {
    const rating = syncAt('rating');
    const open = run(rating, { type: 'openCard', cardId: 'mentorordninger' }).state;
    expect(refusal(open, { type: 'openCard', cardId: 'lederfora' })).toBe('another_card_open');
    expect(refusal(open, { type: 'openCard', cardId: 'mentorordninger' })).toBe(
      'card_already_open',
    );
    const closed = run(open, { type: 'closeCard', cardId: 'mentorordninger' }).state;
    expect(closed.cards.mentorordninger).toBe('closed');
    expect(refusal(closed, { type: 'openCard', cardId: 'mentorordninger' })).toBe('card_closed');
    expect(refusal(closed, { type: 'openCard', cardId: 'nope' })).toBe('card_not_found');
  });

  it('a card out of scope is not found', () => {
    const rating = syncAt('rating', FASTHOLDELSE);
    expect(refusal(rating, { type: 'openCard', cardId: 'mentorordninger' })).toBe('card_not_found');
  });

  it.each<StepId>(['intro', 'scope', 'status', 'priority', 'summary'])(
    'openCard, openMission and openNextCard in %s: wrong_step',
    (step) => {
      const state = syncAt(step);
      expect(refusal(state, { type: 'openCard', cardId: 'mentorordninger' })).toBe('wrong_step');
      expect(refusal(state, { type: 'openMission', missionId: 'ledere' })).toBe('wrong_step');
      expect(refusal(state, { type: 'openNextCard' })).toBe('wrong_step');
    },
  );

  it('closeCard of a pending card: card_not_open; of an unknown card: card_not_found', () => {
    const rating = syncAt('rating');
    expect(refusal(rating, { type: 'closeCard', cardId: 'lederfora' })).toBe('card_not_open');
    expect(refusal(rating, { type: 'closeCard', cardId: 'nope' })).toBe('card_not_found');
  });

  it('closeCard of a closed card: card_closed', () => {
    let state = run(syncAt('rating'), { type: 'openCard', cardId: 'lederfora' }).state;
    state = run(state, { type: 'closeCard', cardId: 'lederfora' }).state;
    expect(refusal(state, { type: 'closeCard', cardId: 'lederfora' })).toBe('card_closed');
  });

  it('openMission opens all its pending cards; closeMission closes them', () => {
    const { state: open, effects } = run(syncAt('rating'), {
      type: 'openMission',
      missionId: 'ledere',
    });
    expect(phasesOf(open, 'open')).toEqual(['mentorordninger', 'lederfora']);
    expect(effects).toContainEqual(showCard('mentorordninger'));
    expect(effects).toContainEqual(showCard('lederfora'));
    expect(openBoxIds(open)).toEqual(['card:mentorordninger', 'card:lederfora']);
    expect(refusal(open, { type: 'openCard', cardId: 'supervision' })).toBe('another_card_open');
    expect(refusal(open, { type: 'openMission', missionId: 'trivsel' })).toBe('another_card_open');

    const { state: closed } = run(open, { type: 'closeMission', missionId: 'ledere' });
    expect(phasesOf(closed, 'closed')).toEqual(['mentorordninger', 'lederfora']);
    expect(phasesOf(closed, 'open')).toEqual([]);
    expect(refusal(closed, { type: 'closeMission', missionId: 'ledere' })).toBe('card_not_open');
    expect(refusal(closed, { type: 'openMission', missionId: 'ledere' })).toBe('no_pending_cards');
  });

  it('openMission skips the mission’s closed cards', () => {
    let state = run(syncAt('rating'), { type: 'openCard', cardId: 'supervision' }).state;
    state = run(state, { type: 'closeCard', cardId: 'supervision' }).state;
    state = run(state, { type: 'openMission', missionId: 'medarbejdere' }).state;
    expect(state.cards).toMatchObject({ supervision: 'closed', kompetenceudvikling: 'open' });
  });

  it('openMission of an unknown mission: mission_not_found', () => {
    expect(refusal(syncAt('rating'), { type: 'openMission', missionId: 'x' })).toBe(
      'mission_not_found',
    );
    expect(refusal(syncAt('rating'), { type: 'closeMission', missionId: 'x' })).toBe(
      'mission_not_found',
    );
  });

  it('openNextCard walks the cards in deck order, then closes the last, then no_pending_cards', () => {
    let state = syncAt('rating');
    let previous: string | undefined;
    for (const id of TEST_CARD_IDS) {
      const { state: next, effects } = run(state, { type: 'openNextCard' });
      expect(phasesOf(next, 'open')).toEqual([id]);
      expect(effects).toContainEqual(showCard(id));
      if (previous) {
        expect(next.cards[previous]).toBe('closed');
        expect(effects).toContainEqual(showCard(previous));
      }
      previous = id;
      state = next;
    }
    const { state: last, effects } = run(state, { type: 'openNextCard' });
    expect(phasesOf(last, 'open')).toEqual([]);
    expect(phasesOf(last, 'closed')).toEqual([...TEST_CARD_IDS]);
    expect(effects).toContainEqual(showCard('naervaer'));
    expect(refusal(last, { type: 'openNextCard' })).toBe('no_pending_cards');
  });

  it('openNextCard skips cards that were already closed', () => {
    let state = run(syncAt('rating'), { type: 'openCard', cardId: 'mentorordninger' }).state;
    state = run(state, { type: 'closeCard', cardId: 'mentorordninger' }).state;
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual(['lederfora']);
  });

  it('openNextCard walks only the cards in scope', () => {
    let state = syncAt('rating', FASTHOLDELSE);
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual(['omsorgssamtaler']);
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual(['naervaer']);
  });
});

describe('rating (async)', () => {
  it('entering rating opens every in-scope card at once', () => {
    const status = startRound({ mode: 'async' });
    const { state, effects } = run(status, { type: 'next' });
    expect(phasesOf(state, 'open')).toEqual([...TEST_CARD_IDS]);
    for (const id of TEST_CARD_IDS) expect(effects).toContainEqual(showCard(id));
    expect(openBoxIds(state)).toEqual(TEST_CARD_IDS.map((id) => `card:${id}`));
  });

  it('the deadline closes every card and moves on to custom', () => {
    const rating = asyncAt('rating');
    const deadline = rating.deadline ?? Number.NaN;
    const { state, effects } = run(
      rating,
      { type: 'deadlineReached', step: 'rating', deadline },
      SYS,
      deadline,
    );
    expect(state.step).toBe('custom');
    expect(phasesOf(state, 'closed')).toEqual([...TEST_CARD_IDS]);
    for (const id of TEST_CARD_IDS) expect(effects).toContainEqual(showCard(id));
    expect(state.deadline).toBe(deadline + 45 * MIN);
    expect(effects).toContainEqual(deadlineJob('custom', deadline + 45 * MIN));
  });

  it('the deadline of the last deadline step moves to summary', () => {
    const priority = asyncAt('priority');
    const deadline = priority.deadline ?? Number.NaN;
    const { state } = run(
      priority,
      { type: 'deadlineReached', step: 'priority', deadline },
      SYS,
      deadline,
    );
    expect(state.step).toBe('summary');
    expect(state.priority).toBe('closed');
    expect(state.deadline).toBeNull();
  });

  it('a stale deadline is refused: wrong step, wrong value, or while paused', () => {
    const rating = asyncAt('rating');
    const deadline = rating.deadline ?? Number.NaN;
    expect(
      refusal(rating, { type: 'deadlineReached', step: 'status', deadline }, SYS, deadline),
    ).toBe('stale_deadline');
    expect(
      refusal(
        rating,
        { type: 'deadlineReached', step: 'rating', deadline: deadline - 1 },
        SYS,
        deadline,
      ),
    ).toBe('stale_deadline');
    const paused = run(rating, { type: 'pause' }).state;
    expect(
      refusal(paused, { type: 'deadlineReached', step: 'rating', deadline }, SYS, deadline),
    ).toBe('stale_deadline');
  });

  it('a sync round has no deadline to reach', () => {
    const rating = syncAt('rating');
    expect(refusal(rating, { type: 'deadlineReached', step: 'rating', deadline: T0 }, SYS)).toBe(
      'stale_deadline',
    );
  });

  it('a user (even the facilitator) sending deadlineReached: not_facilitator', () => {
    const rating = asyncAt('rating');
    const deadline = rating.deadline ?? Number.NaN;
    const command: Command = { type: 'deadlineReached', step: 'rating', deadline };
    expect(refusal(rating, command, P1)).toBe('not_facilitator');
    expect(refusal(rating, command, FAC)).toBe('not_facilitator');
  });

  it('the system may not give any other command: not_facilitator', () => {
    expect(
      refusal(
        asyncAt('status'),
        { type: 'addStatusNote', noteId: 'n', areaId: null, text: 'x' },
        SYS,
      ),
    ).toBe('not_facilitator');
  });
});

describe('checkRating', () => {
  const withOpenCard = () =>
    run(syncAt('rating'), { type: 'openCard', cardId: 'supervision' }).state;

  it.each([1, 2, 3, 4, 5, 'na'] as const)('accepts %j', (value) => {
    expect(checkRating(withOpenCard(), 'supervision', value)).toEqual({
      ok: true,
      value: { box: 'card:supervision', value },
    });
  });

  it.each([
    ['0', 0],
    ['6', 6],
    ['3.5', 3.5],
    ['"3"', '3'],
    ['null', null],
    ['undefined', undefined],
    ['{}', {}],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-1', -1],
    ['true', true],
    ['[3]', [3]],
    ['"NA"', 'NA'],
  ])('refuses %s: invalid_rating', (_name, value) => {
    expect(errorCode(checkRating(withOpenCard(), 'supervision', value))).toBe('invalid_rating');
  });

  it('a pending card: card_not_open; a closed card: card_closed; unknown: card_not_found', () => {
    const state = withOpenCard();
    expect(errorCode(checkRating(state, 'lederfora', 3))).toBe('card_not_open');
    const closed = run(state, { type: 'closeCard', cardId: 'supervision' }).state;
    expect(errorCode(checkRating(closed, 'supervision', 3))).toBe('card_closed');
    expect(errorCode(checkRating(closed, 'nope', 3))).toBe('card_not_found');
  });

  // Card ids come from platform payloads; inherited Object.prototype keys are not cards.
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'prototype keys: card id %j is not a card, checkRating must say card_not_found',
    (cardId) => {
      expect(errorCode(checkRating(withOpenCard(), cardId, 3))).toBe('card_not_found');
    },
  );
});

describe('custom cards', () => {
  const add = (
    state: RoundState,
    cardId: string,
    title: string,
    missionId = 'ledere',
    actor: Actor = P1,
    description = '',
  ) =>
    transition(
      state,
      { type: 'addCustomCard', cardId, missionId, title, description },
      ctx(actor, T0 + MIN),
    );

  it.each<StepId>(['intro', 'status', 'rating', 'priority', 'summary'])(
    'only in step custom (%s: wrong_step)',
    (step) => {
      expect(errorCode(add(syncAt(step), 'c1', 'Min idé'))).toBe('wrong_step');
    },
  );

  it('any participant may add one; sync: it is added pending', () => {
    const result = add(
      syncAt('custom'),
      'c1',
      '  Fælles   frokost ',
      'trivsel',
      P2,
      ' hver  fredag ',
    );
    if (!result.ok) throw new Error(describeError(result));
    const { state, effects } = result.value;
    expect(state.customCards).toEqual([
      {
        id: 'c1',
        missionId: 'trivsel',
        title: 'Fælles frokost',
        description: 'hver fredag',
        addedAt: T0 + MIN,
      },
    ]);
    expect(state.cards.c1).toBe('pending');
    expect(effects).toContainEqual(showStep('custom'));
    expect(effects).not.toContainEqual(showCard('c1'));
  });

  it('async: it is added open and shown', () => {
    const result = add(asyncAt('custom'), 'c1', 'Fælles frokost', 'trivsel');
    if (!result.ok) throw new Error(describeError(result));
    expect(result.value.state.cards.c1).toBe('open');
    expect(result.value.effects).toContainEqual(showCard('c1'));
    expect(openBoxIds(result.value.state)).toContain('card:c1');
  });

  it('at most 9: the 10th is custom_card_limit', () => {
    let state = syncAt('custom');
    for (let i = 1; i <= 9; i++) {
      const result = add(state, `c${i}`, `Idé ${i}`, i % 2 ? 'ledere' : 'trivsel');
      if (!result.ok) throw new Error(describeError(result));
      state = result.value.state;
    }
    expect(state.customCards).toHaveLength(9);
    expect(errorCode(add(state, 'c10', 'Idé 10'))).toBe('custom_card_limit');
  });

  it.each(['', '   ', '\n\t '])('a blank title %j: text_required', (title) => {
    expect(errorCode(add(syncAt('custom'), 'c1', title))).toBe('text_required');
  });

  it('an 81-character title: text_too_long; 80 is fine', () => {
    expect(errorCode(add(syncAt('custom'), 'c1', 'x'.repeat(81)))).toBe('text_too_long');
    expect(errorCode(add(syncAt('custom'), 'c1', 'x'.repeat(80)))).toBe('ok');
  });

  it('a 401-character description: text_too_long', () => {
    expect(errorCode(add(syncAt('custom'), 'c1', 'Idé', 'ledere', P1, 'x'.repeat(401)))).toBe(
      'text_too_long',
    );
  });

  it('a duplicate title in the same mission (case-insensitive): duplicate_custom_card', () => {
    const first = add(syncAt('custom'), 'c1', 'Fælles frokost', 'trivsel');
    if (!first.ok) throw new Error(describeError(first));
    const state = first.value.state;
    expect(errorCode(add(state, 'c2', 'FÆLLES FROKOST', 'trivsel'))).toBe('duplicate_custom_card');
    expect(errorCode(add(state, 'c2', ' fælles   frokost ', 'trivsel'))).toBe(
      'duplicate_custom_card',
    );
    // Another mission may use the same title.
    expect(errorCode(add(state, 'c2', 'Fælles frokost', 'ledere'))).toBe('ok');
  });

  it('a printed card’s title (either language, any case): duplicate_custom_card', () => {
    const state = syncAt('custom');
    expect(errorCode(add(state, 'c1', 'mentorordninger', 'ledere'))).toBe('duplicate_custom_card');
    expect(errorCode(add(state, 'c1', 'MENTORING SCHEMES', 'ledere'))).toBe(
      'duplicate_custom_card',
    );
  });

  it('a card id already in the round: duplicate_custom_card', () => {
    expect(errorCode(add(syncAt('custom'), 'mentorordninger', 'Ny idé', 'ledere'))).toBe(
      'duplicate_custom_card',
    );
  });

  it('a mission out of scope or unknown: mission_not_found', () => {
    const state = syncAt('custom', FASTHOLDELSE);
    expect(errorCode(add(state, 'c1', 'Idé', 'ledere'))).toBe('mission_not_found');
    expect(errorCode(add(state, 'c1', 'Idé', 'nope'))).toBe('mission_not_found');
    expect(errorCode(add(state, 'c1', 'Idé', 'trivsel'))).toBe('ok');
  });

  it('the facilitator removes a pending one; once opened: card_not_pending', () => {
    const added = add(syncAt('custom'), 'c1', 'Idé', 'ledere');
    if (!added.ok) throw new Error(describeError(added));
    const state = added.value.state;
    const removed = run(state, { type: 'removeCustomCard', cardId: 'c1' }).state;
    expect(removed.customCards).toEqual([]);
    expect('c1' in removed.cards).toBe(false);

    const opened = run(state, { type: 'openCard', cardId: 'c1' }).state;
    expect(refusal(opened, { type: 'removeCustomCard', cardId: 'c1' })).toBe('card_not_pending');
    expect(refusal(state, { type: 'removeCustomCard', cardId: 'nope' })).toBe('card_not_found');
    // A printed card is not an own initiative.
    expect(refusal(state, { type: 'removeCustomCard', cardId: 'mentorordninger' })).toBe(
      'card_not_found',
    );
  });

  it('sync custom step: openNextCard walks the own initiatives in the order they were added', () => {
    let state = syncAt('custom');
    for (const [id, mission] of [
      ['c1', 'trivsel'],
      ['c2', 'ledere'],
    ] as const) {
      const result = add(state, id, `Idé ${id}`, mission);
      if (!result.ok) throw new Error(describeError(result));
      state = result.value.state;
    }
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual(['c1']);
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual(['c2']);
    expect(state.cards.c1).toBe('closed');
    state = run(state, { type: 'openNextCard' }).state;
    expect(phasesOf(state, 'open')).toEqual([]);
    expect(refusal(state, { type: 'openNextCard' })).toBe('no_pending_cards');
  });

  it('openMission in the custom step opens the mission’s pending own initiatives', () => {
    let rated = syncAt('rating');
    for (let i = 0; i <= TEST_CARD_IDS.length; i++)
      rated = run(rated, { type: 'openNextCard' }).state;
    const added = add(goTo(rated, 'custom'), 'c1', 'Idé', 'ledere');
    if (!added.ok) throw new Error(describeError(added));
    const state = run(added.value.state, { type: 'openMission', missionId: 'ledere' }).state;
    expect(state.cards.c1).toBe('open');
    expect(state.cards.mentorordninger).toBe('closed');
  });
});

describe('status notes', () => {
  const note = (
    state: RoundState,
    noteId: string,
    text: string,
    areaId: string | null = null,
    actor: Actor = P1,
  ) => transition(state, { type: 'addStatusNote', noteId, areaId, text }, ctx(actor, T0 + MIN));

  it.each<StepId>(['intro', 'scope', 'rating', 'custom', 'summary'])(
    'only in step status (%s: wrong_step)',
    (step) => {
      expect(errorCode(note(syncAt(step), 'n1', 'hej'))).toBe('wrong_step');
    },
  );

  it('any participant may add one; whitespace is collapsed and trimmed; no author is kept', () => {
    const result = note(syncAt('status'), 'n1', '  Vi har\n\n  mentorer   nu\t ', 'udvikling');
    if (!result.ok) throw new Error(describeError(result));
    expect(result.value.state.statusNotes).toEqual([
      { id: 'n1', areaId: 'udvikling', text: 'Vi har mentorer nu', at: T0 + MIN },
    ]);
    expect(JSON.stringify(result.value.state)).not.toContain('p1');
    expect(result.value.effects).toContainEqual(showStep('status'));
  });

  it('500 characters are fine, 501 are text_too_long; blank is text_required', () => {
    const state = syncAt('status');
    expect(errorCode(note(state, 'n1', 'x'.repeat(500)))).toBe('ok');
    expect(errorCode(note(state, 'n1', 'x'.repeat(501)))).toBe('text_too_long');
    expect(errorCode(note(state, 'n1', `  ${'x'.repeat(500)}  `))).toBe('ok');
    expect(errorCode(note(state, 'n1', '  \n '))).toBe('text_required');
  });

  it('an area out of scope or unknown: area_not_found', () => {
    const state = syncAt('status', FASTHOLDELSE);
    expect(errorCode(note(state, 'n1', 'x', 'udvikling'))).toBe('area_not_found');
    expect(errorCode(note(state, 'n1', 'x', 'nope'))).toBe('area_not_found');
    expect(errorCode(note(state, 'n1', 'x', 'fastholdelse'))).toBe('ok');
  });

  it('at most 100: the 101st is too_many_notes', () => {
    let state = syncAt('status');
    for (let i = 0; i < 100; i++) {
      const result = note(state, `n${i}`, `note ${i}`);
      if (!result.ok) throw new Error(describeError(result));
      state = result.value.state;
    }
    expect(state.statusNotes).toHaveLength(100);
    expect(errorCode(note(state, 'n100', 'one more'))).toBe('too_many_notes');
  });

  it('the facilitator removes a note; an unknown one: note_not_found', () => {
    const added = note(syncAt('status'), 'n1', 'hej');
    if (!added.ok) throw new Error(describeError(added));
    const removed = run(added.value.state, { type: 'removeStatusNote', noteId: 'n1' }).state;
    expect(removed.statusNotes).toEqual([]);
    expect(refusal(removed, { type: 'removeStatusNote', noteId: 'n1' })).toBe('note_not_found');
  });
});

describe('priorities', () => {
  it.each<StepId>(['status', 'rating', 'custom', 'summary'])(
    'outside the priority step the box is not open (%s: priority_not_open)',
    (step) => {
      expect(errorCode(checkPriorities(syncAt(step), ['mentorordninger']))).toBe(
        'priority_not_open',
      );
    },
  );

  it('entering priority opens the box; leaving closes it', () => {
    const custom = syncAt('custom');
    expect(custom.priority).toBe('pending');
    expect(openBoxIds(custom)).toEqual([]);
    const priority = run(custom, { type: 'next' }).state;
    expect(priority.priority).toBe('open');
    expect(openBoxIds(priority)).toEqual(['priority']);
    const summary = run(priority, { type: 'next' }).state;
    expect(summary.priority).toBe('closed');
    expect(openBoxIds(summary)).toEqual([]);
    // Going back does not reopen a sealed box.
    const back = run(summary, { type: 'back' }).state;
    expect(back.step).toBe('priority');
    expect(back.priority).toBe('closed');
  });

  it('accepts 1…maxPriorities distinct cards of the round', () => {
    const state = syncAt('priority');
    expect(checkPriorities(state, ['naervaer', 'mentorordninger'])).toEqual({
      ok: true,
      value: { box: 'priority', value: ['naervaer', 'mentorordninger'] },
    });
    expect(errorCode(checkPriorities(state, ['lederfora', 'supervision', 'naervaer']))).toBe('ok');
  });

  it('refusals', () => {
    const state = syncAt('priority');
    expect(errorCode(checkPriorities(state, []))).toBe('no_priorities');
    expect(
      errorCode(
        checkPriorities(state, ['mentorordninger', 'lederfora', 'supervision', 'naervaer']),
      ),
    ).toBe('too_many_priorities');
    expect(errorCode(checkPriorities(state, ['naervaer', 'naervaer']))).toBe('duplicate_priority');
    expect(errorCode(checkPriorities(state, ['naervaer', 'nope']))).toBe('card_not_found');
    for (const value of ['naervaer', null, undefined, {}, 3, [1, 2], [null]]) {
      expect(errorCode(checkPriorities(state, value))).toBe('no_priorities');
    }
  });

  it('maxPriorities comes from the settings', () => {
    const state = goTo(startRound({ maxPriorities: 1 }), 'priority');
    expect(errorCode(checkPriorities(state, ['naervaer', 'lederfora']))).toBe(
      'too_many_priorities',
    );
  });

  it('a card out of scope: card_not_found', () => {
    const state = syncAt('priority', FASTHOLDELSE);
    expect(errorCode(checkPriorities(state, ['mentorordninger']))).toBe('card_not_found');
  });

  it('prototype keys: checkPriorities(["constructor"]) must say card_not_found', () => {
    const state = syncAt('priority');
    expect(errorCode(checkPriorities(state, ['constructor']))).toBe('card_not_found');
    expect(errorCode(checkPriorities(state, ['toString']))).toBe('card_not_found');
  });

  it('a paused round: round_paused', () => {
    const paused = run(syncAt('priority'), { type: 'pause' }).state;
    expect(errorCode(checkPriorities(paused, ['naervaer']))).toBe('round_paused');
  });
});

describe('prototype keys as card ids', () => {
  it.each(['constructor', 'toString', '__proto__'])(
    'prototype keys: openCard %j must be card_not_found, not open a phantom card',
    (cardId) => {
      const state = syncAt('rating');
      const result = transition(state, { type: 'openCard', cardId }, ctx());
      expect(errorCode(result)).toBe('card_not_found');
    },
  );

  it('prototype keys: openCard "constructor" must not block the real cards', () => {
    const state = syncAt('rating');
    const result = transition(state, { type: 'openCard', cardId: 'constructor' }, ctx());
    const after = result.ok ? result.value.state : state;
    expect(Object.keys(after.cards)).toEqual([...TEST_CARD_IDS]);
    expect(openBoxIds(after)).toEqual([]);
    expect(errorCode(transition(after, { type: 'openCard', cardId: 'lederfora' }, ctx()))).toBe(
      'ok',
    );
  });
});

describe('plan', () => {
  const CPH_MIDNIGHT = Date.UTC(2026, 10, 23, 23, 30); // 00:30 on 24 November in Copenhagen

  const addItem = (
    state: RoundState,
    itemId: string,
    input: Partial<PlanInput> = {},
    actor: Actor = FAC,
    now = T0,
  ) => transition(state, { type: 'addPlanItem', itemId, input: planInput(input) }, ctx(actor, now));

  const withItem = (input: Partial<PlanInput> = {}, base = syncAt('summary')) => {
    const result = addItem(base, 'i1', input);
    if (!result.ok) throw new Error(describeError(result));
    return result.value;
  };

  const item = (state: RoundState): PlanItem => {
    const found = state.plan[0];
    if (!found) throw new Error('no plan item');
    return found;
  };

  it.each<StepId>(['intro', 'rating', 'priority'])('before summary (%s): wrong_step', (step) => {
    const state = syncAt(step);
    expect(errorCode(addItem(state, 'i1'))).toBe('wrong_step');
    expect(refusal(state, { type: 'editPlanItem', itemId: 'i1', input: planInput() })).toBe(
      'wrong_step',
    );
  });

  it('adds an item in summary', () => {
    const { state, effects } = withItem();
    expect(state.plan).toEqual([
      {
        id: 'i1',
        what: 'Mentorordning for nye ledere',
        goal: 'Alle nye ledere har en mentor',
        actions: 'Find tre mentorer',
        owner: { name: 'Anna', key: 'p1' },
        due: '2026-12-10',
        link: { kind: 'mission', id: 'ledere' },
        status: 'open',
        postponed: 0,
        createdAt: T0,
        updatedAt: T0,
      },
    ]);
    expect(effects).toContainEqual({ type: 'show', view: { kind: 'plan' }, audience: 'group' });
  });

  it('what and the owner’s name are required', () => {
    const state = syncAt('summary');
    expect(errorCode(addItem(state, 'i1', { what: '  ' }))).toBe('text_required');
    expect(errorCode(addItem(state, 'i1', { owner: { name: ' ' } }))).toBe('text_required');
    expect(errorCode(addItem(state, 'i1', { goal: '', actions: '' }))).toBe('ok');
    expect(errorCode(addItem(state, 'i1', { what: 'x'.repeat(501) }))).toBe('text_too_long');
  });

  it.each(['2026-02-30', '23/11/2026', '2026-1-5', '', '2026-12-10T09:00'])(
    'due %j: invalid_date',
    (due) => {
      expect(errorCode(addItem(syncAt('summary'), 'i1', { due }))).toBe('invalid_date');
    },
  );

  it('due before today in the round’s time zone: due_in_past', () => {
    const state = syncAt('summary');
    // 23:30 UTC on the 23rd is already the 24th in Copenhagen.
    expect(errorCode(addItem(state, 'i1', { due: '2026-11-23' }, FAC, CPH_MIDNIGHT))).toBe(
      'due_in_past',
    );
    expect(errorCode(addItem(state, 'i1', { due: '2026-11-24' }, FAC, CPH_MIDNIGHT))).toBe('ok');
    // In a UTC round it is still the 23rd.
    const utcRound = goTo(startRound({ timeZone: 'UTC' }), 'summary');
    expect(errorCode(addItem(utcRound, 'i1', { due: '2026-11-23' }, FAC, CPH_MIDNIGHT))).toBe('ok');
    expect(errorCode(addItem(utcRound, 'i1', { due: '2026-11-22' }, FAC, CPH_MIDNIGHT))).toBe(
      'due_in_past',
    );
  });

  it('a link to an unknown mission or card is refused', () => {
    const state = syncAt('summary');
    expect(errorCode(addItem(state, 'i1', { link: { kind: 'mission', id: 'x' } }))).toBe(
      'mission_not_found',
    );
    expect(errorCode(addItem(state, 'i1', { link: { kind: 'card', id: 'x' } }))).toBe(
      'card_not_found',
    );
    expect(errorCode(addItem(state, 'i1', { link: { kind: 'card', id: 'naervaer' } }))).toBe('ok');
    expect(errorCode(addItem(state, 'i1', { link: null }))).toBe('ok');
  });

  it('schedules reminders 7 days before and on the day at 09:00 Copenhagen (winter)', () => {
    const { effects } = withItem({ due: '2026-12-10' });
    expect(scheduled(effects)).toEqual([
      {
        id: `reminder:${ROUND}:i1:7`,
        roundId: ROUND,
        runAt: 1_796_284_800_000, // 2026-12-03T08:00Z = 09:00 CET
        type: 'reminder',
        itemId: 'i1',
        due: '2026-12-10',
        daysBefore: 7,
      },
      {
        id: `reminder:${ROUND}:i1:0`,
        roundId: ROUND,
        runAt: 1_796_889_600_000, // 2026-12-10T08:00Z = 09:00 CET
        type: 'reminder',
        itemId: 'i1',
        due: '2026-12-10',
        daysBefore: 0,
      },
    ]);
  });

  it('schedules reminders at 09:00 Copenhagen summer time', () => {
    const { effects } = withItem({ due: '2027-06-15' });
    expect(scheduled(effects).map((j) => [j.id, j.runAt])).toEqual([
      [`reminder:${ROUND}:i1:7`, 1_812_438_000_000], // 2027-06-08T07:00Z = 09:00 CEST
      [`reminder:${ROUND}:i1:0`, 1_813_042_800_000], // 2027-06-15T07:00Z = 09:00 CEST
    ]);
  });

  it('reminders straddling the spring change keep 09:00 local on each side', () => {
    const { effects } = withItem({ due: '2027-04-01' });
    expect(scheduled(effects).map((j) => j.runAt)).toEqual([
      Date.UTC(2027, 2, 25, 8, 0), // CET
      Date.UTC(2027, 3, 1, 7, 0), // CEST
    ]);
  });

  it('skips reminders already past', () => {
    const { effects } = withItem({ due: '2026-11-26' });
    expect(scheduled(effects).map((j) => j.id)).toEqual([`reminder:${ROUND}:i1:0`]);
    // Due today, before 09:00 local: only the day-of reminder; after 09:00: none.
    const early = addItem(syncAt('summary'), 'i2', { due: '2026-11-24' }, FAC, CPH_MIDNIGHT);
    if (!early.ok) throw new Error(describeError(early));
    expect(scheduled(early.value.effects).map((j) => [j.id, j.runAt])).toEqual([
      [`reminder:${ROUND}:i2:0`, Date.UTC(2026, 10, 24, 8, 0)],
    ]);
    const late = addItem(syncAt('summary'), 'i3', { due: '2026-11-23' }, FAC, T0);
    if (!late.ok) throw new Error(describeError(late));
    expect(scheduled(late.value.effects)).toEqual([]);
  });

  it('reminderDaysBefore 0: only the day-of reminder', () => {
    const base = goTo(startRound({ reminderDaysBefore: 0 }), 'summary');
    const { effects } = withItem({ due: '2026-12-10' }, base);
    expect(scheduled(effects).map((j) => j.id)).toEqual([`reminder:${ROUND}:i1:0`]);
  });

  it('editing the due date cancels the old reminders and schedules new ones', () => {
    const { state } = withItem({ due: '2026-12-10' });
    const { state: edited, effects } = run(
      state,
      { type: 'editPlanItem', itemId: 'i1', input: planInput({ due: '2027-01-14' }) },
      FAC,
      T0 + MIN,
    );
    expect(item(edited).due).toBe('2027-01-14');
    expect(item(edited).updatedAt).toBe(T0 + MIN);
    expect(item(edited).createdAt).toBe(T0);
    expect(cancelled(effects).sort()).toEqual([`reminder:${ROUND}:i1:0`, `reminder:${ROUND}:i1:7`]);
    expect(scheduled(effects).map((j) => [j.id, j.runAt])).toEqual([
      [`reminder:${ROUND}:i1:7`, Date.UTC(2027, 0, 7, 8, 0)],
      [`reminder:${ROUND}:i1:0`, Date.UTC(2027, 0, 14, 8, 0)],
    ]);
    const cancelAt = effects.findIndex((e) => e.type === 'cancel');
    const scheduleAt = effects.findIndex((e) => e.type === 'schedule');
    expect(cancelAt).toBeLessThan(scheduleAt);
  });

  it('editing to a past due date: due_in_past; keeping an overdue date is allowed', () => {
    const { state } = withItem({ due: '2026-11-30' });
    expect(
      refusal(state, {
        type: 'editPlanItem',
        itemId: 'i1',
        input: planInput({ due: '2026-11-20' }),
      }),
    ).toBe('due_in_past');
    const later = Date.UTC(2026, 11, 5, 12);
    const edited = run(
      state,
      { type: 'editPlanItem', itemId: 'i1', input: planInput({ due: '2026-11-30', what: 'Nyt' }) },
      FAC,
      later,
    );
    expect(item(edited.state).what).toBe('Nyt');
    expect(scheduled(edited.effects)).toEqual([]);
  });

  it('setPlanStatus done cancels the reminders and schedules none', () => {
    const { state } = withItem();
    const { state: done, effects } = run(
      state,
      { type: 'setPlanStatus', itemId: 'i1', status: 'done' },
      P1,
    );
    expect(item(done).status).toBe('done');
    expect(cancelled(effects).sort()).toEqual([`reminder:${ROUND}:i1:0`, `reminder:${ROUND}:i1:7`]);
    expect(scheduled(effects)).toEqual([]);
  });

  it('blocked keeps the reminders', () => {
    const { state } = withItem();
    const { effects } = run(state, { type: 'setPlanStatus', itemId: 'i1', status: 'blocked' });
    expect(scheduled(effects)).toHaveLength(2);
  });

  it('only the facilitator or the owner may set the status or postpone: not_plan_owner', () => {
    const { state } = withItem({ owner: { name: 'Anna', key: 'p1' } });
    const status: Command = { type: 'setPlanStatus', itemId: 'i1', status: 'blocked' };
    const postpone: Command = { type: 'postponePlanItem', itemId: 'i1', days: 7 };
    expect(refusal(state, status, P2)).toBe('not_plan_owner');
    expect(refusal(state, postpone, P2)).toBe('not_plan_owner');
    expect(run(state, status, P1).state.plan[0]?.status).toBe('blocked');
    expect(run(state, status, FAC).state.plan[0]?.status).toBe('blocked');
    expect(run(state, postpone, P1).state.plan[0]?.postponed).toBe(1);
    // An owner without a key is typed by name only: nobody but the facilitator may update.
    const { state: unkeyed } = withItem({ owner: { name: 'Bo' } });
    expect(refusal(unkeyed, status, P1)).toBe('not_plan_owner');
    expect(refusal(unkeyed, status, SYS)).toBe('not_facilitator');
  });

  it('postpone 7 days moves due by 7, counts the postponement and reschedules', () => {
    const { state } = withItem({ due: '2026-12-10' });
    const { state: postponed, effects } = run(
      state,
      { type: 'postponePlanItem', itemId: 'i1', days: 7 },
      P1,
      T0 + MIN,
    );
    expect(item(postponed)).toMatchObject({
      due: '2026-12-17',
      postponed: 1,
      status: 'open',
      updatedAt: T0 + MIN,
    });
    expect(cancelled(effects).sort()).toEqual([`reminder:${ROUND}:i1:0`, `reminder:${ROUND}:i1:7`]);
    expect(scheduled(effects).map((j) => [j.id, j.runAt, j.type === 'reminder' && j.due])).toEqual([
      [`reminder:${ROUND}:i1:7`, Date.UTC(2026, 11, 10, 8, 0), '2026-12-17'],
      [`reminder:${ROUND}:i1:0`, Date.UTC(2026, 11, 17, 8, 0), '2026-12-17'],
    ]);
    const twice = run(postponed, { type: 'postponePlanItem', itemId: 'i1', days: 7 }, P1).state;
    expect(item(twice)).toMatchObject({ due: '2026-12-24', postponed: 2 });
  });

  it('postponing an overdue item counts from today', () => {
    const { state } = withItem({ due: '2026-11-30' });
    const later = Date.UTC(2026, 11, 5, 12); // 5 December
    const { state: postponed } = run(
      state,
      { type: 'postponePlanItem', itemId: 'i1', days: 7 },
      FAC,
      later,
    );
    expect(item(postponed).due).toBe('2026-12-12');
  });

  it('postponing reopens a blocked item', () => {
    const { state } = withItem();
    const blocked = run(state, { type: 'setPlanStatus', itemId: 'i1', status: 'blocked' }).state;
    const postponed = run(blocked, { type: 'postponePlanItem', itemId: 'i1', days: 7 }).state;
    expect(item(postponed).status).toBe('open');
  });

  it('removing an item cancels its reminders', () => {
    const { state } = withItem();
    const { state: removed, effects } = run(state, { type: 'removePlanItem', itemId: 'i1' });
    expect(removed.plan).toEqual([]);
    expect(cancelled(effects).sort()).toEqual([`reminder:${ROUND}:i1:0`, `reminder:${ROUND}:i1:7`]);
    expect(scheduled(effects)).toEqual([]);
  });

  it('at most 50 items: plan_limit', () => {
    let state = syncAt('summary');
    for (let i = 0; i < 50; i++) {
      const result = addItem(state, `i${i}`);
      if (!result.ok) throw new Error(describeError(result));
      state = result.value.state;
    }
    expect(state.plan).toHaveLength(50);
    expect(errorCode(addItem(state, 'i50'))).toBe('plan_limit');
  });

  it('unknown items: plan_item_not_found', () => {
    const { state } = withItem();
    expect(refusal(state, { type: 'editPlanItem', itemId: 'x', input: planInput() })).toBe(
      'plan_item_not_found',
    );
    expect(refusal(state, { type: 'removePlanItem', itemId: 'x' })).toBe('plan_item_not_found');
    expect(refusal(state, { type: 'setPlanStatus', itemId: 'x', status: 'done' })).toBe(
      'plan_item_not_found',
    );
    expect(refusal(state, { type: 'postponePlanItem', itemId: 'x', days: 7 })).toBe(
      'plan_item_not_found',
    );
  });
});

describe('determinism and immutability', () => {
  /** A whole round with every kind of command, as [command, actor, minutes after T0]. */
  function script(mode: 'sync' | 'async'): [Command, Actor, number][] {
    const steps: [Command, Actor, number][] = [[startCommand({ mode }), FAC, 0]];
    if (mode === 'sync') {
      steps.push(
        [{ type: 'next' }, FAC, 1],
        [{ type: 'setScope', scope: ALL }, FAC, 2],
        [{ type: 'next' }, FAC, 3],
      );
    }
    steps.push(
      [{ type: 'addStatusNote', noteId: 'n1', areaId: 'udvikling', text: ' Godt  gået ' }, P1, 4],
      [{ type: 'addStatusNote', noteId: 'n2', areaId: null, text: 'Mere tid' }, P2, 5],
      [{ type: 'removeStatusNote', noteId: 'n2' }, FAC, 6],
      [{ type: 'pause' }, FAC, 7],
      [{ type: 'resume' }, FAC, 17],
      [{ type: 'next' }, FAC, 18],
    );
    if (mode === 'sync') {
      steps.push(
        [{ type: 'openNextCard' }, FAC, 19],
        [{ type: 'openNextCard' }, FAC, 20],
        [{ type: 'closeCard', cardId: 'lederfora' }, FAC, 20],
        [{ type: 'openMission', missionId: 'medarbejdere' }, FAC, 21],
        [{ type: 'closeMission', missionId: 'medarbejdere' }, FAC, 22],
        [{ type: 'openCard', cardId: 'naervaer' }, FAC, 23],
        [{ type: 'closeCard', cardId: 'naervaer' }, FAC, 24],
      );
    }
    steps.push(
      [{ type: 'next' }, FAC, 25],
      [
        {
          type: 'addCustomCard',
          cardId: 'c1',
          missionId: 'trivsel',
          title: 'Frokost',
          description: '',
        },
        P1,
        26,
      ],
      [
        {
          type: 'addCustomCard',
          cardId: 'c2',
          missionId: 'ledere',
          title: 'Kaffe',
          description: 'x',
        },
        P2,
        27,
      ],
    );
    if (mode === 'sync') {
      steps.push(
        [{ type: 'removeCustomCard', cardId: 'c2' }, FAC, 28],
        [{ type: 'openNextCard' }, FAC, 29],
      );
    }
    steps.push(
      [{ type: 'handOver', toKey: 'p2' }, FAC, 30],
      [{ type: 'next' }, P2, 31],
      [{ type: 'back' }, P2, 32],
      [{ type: 'next' }, P2, 33],
      [{ type: 'next' }, P2, 34],
      [{ type: 'addPlanItem', itemId: 'i1', input: planInput() }, P2, 35],
      [{ type: 'editPlanItem', itemId: 'i1', input: planInput({ due: '2027-01-14' }) }, P2, 36],
      [{ type: 'addPlanItem', itemId: 'i2', input: planInput({ what: 'To' }) }, P2, 37],
      [{ type: 'removePlanItem', itemId: 'i2' }, P2, 38],
      [{ type: 'setPlanStatus', itemId: 'i1', status: 'blocked' }, P1, 39],
      [{ type: 'postponePlanItem', itemId: 'i1', days: 7 }, P1, 40],
      [{ type: 'next' }, P2, 41],
      [{ type: 'setPlanStatus', itemId: 'i1', status: 'done' }, P2, 42],
    );
    return steps;
  }

  function play(mode: 'sync' | 'async', freeze: boolean) {
    let state: RoundState | undefined;
    const trace: Transitioned[] = [];
    for (const [command, actor, minutes] of script(mode)) {
      const input = freeze && state ? deepFreeze(state) : state;
      const snapshot = structuredClone(input);
      const result = transition(input, command, ctx(actor, T0 + minutes * MIN));
      if (!result.ok) throw new Error(`${command.type}: ${describeError(result)}`);
      expect(input).toEqual(snapshot);
      trace.push(result.value);
      state = result.value.state;
    }
    return trace;
  }

  it.each(['sync', 'async'] as const)('%s: the script runs to an ended round', (mode) => {
    const trace = play(mode, false);
    const last = trace.at(-1)?.state;
    expect(last?.status).toBe('ended');
    expect(last?.endedEarly).toBe(false);
    expect(last?.plan[0]).toMatchObject({ status: 'done', due: '2027-01-21', postponed: 1 });
    expect(last?.customCards.map((c) => c.id)).toEqual(mode === 'sync' ? ['c1'] : ['c1', 'c2']);
  });

  it.each(['sync', 'async'] as const)(
    '%s: the same commands from the same state give deep-equal results',
    (mode) => {
      expect(play(mode, false)).toEqual(play(mode, false));
    },
  );

  it.each(['sync', 'async'] as const)(
    '%s: transition never mutates its (deep-frozen) input state',
    (mode) => {
      expect(() => play(mode, true)).not.toThrow();
      expect(play(mode, true)).toEqual(play(mode, false));
    },
  );

  it('refusals do not mutate either', () => {
    const state = deepFreeze(syncAt('rating'));
    const snapshot = structuredClone(state);
    for (const command of [
      { type: 'back' },
      { type: 'openCard', cardId: 'nope' },
      { type: 'setScope', scope: FASTHOLDELSE },
      { type: 'addStatusNote', noteId: 'n', areaId: null, text: 'x' },
    ] satisfies Command[]) {
      transition(state, command, ctx());
    }
    expect(state).toEqual(snapshot);
  });
});

describe('messages whose form changes are shown again', () => {
  const showPlan: Effect = { type: 'show', view: { kind: 'plan' }, audience: 'group' };

  it('leaving a step re-shows it (its form closes), except the intro', () => {
    for (let i = 1; i < STEPS.length - 1; i++) {
      const from = STEPS[i] as StepId;
      const { effects } = run(syncAt(from), { type: 'next' });
      expect(effects, `leaving ${from}`).toContainEqual(showStep(from));
    }
    const { effects } = run(startRound(), { type: 'next' });
    expect(effects).not.toContainEqual(showStep('intro'));
  });

  it('the scope message is re-shown when the round moves past status (it locks) and back', () => {
    const forward = run(syncAt('status'), { type: 'next' });
    expect(forward.state.step).toBe('rating');
    expect(forward.effects).toContainEqual(showStep('scope'));
    const back = run(forward.state, { type: 'back' });
    expect(back.effects).toContainEqual(showStep('scope'));
    // Between intro, scope and status its form does not change.
    expect(
      run(syncAt('scope'), { type: 'next' }).effects.filter((e) => e.type === 'show'),
    ).not.toContainEqual(showStep('intro'));
    const later = run(syncAt('rating'), { type: 'next' });
    expect(later.effects).not.toContainEqual(showStep('scope'));
  });

  it('opening and closing a card re-shows the step overview, once per command', () => {
    const rating = syncAt('rating');
    const opened = run(rating, { type: 'openCard', cardId: 'mentorordninger' });
    expect(opened.effects).toContainEqual(showStep('rating'));
    const closed = run(opened.state, { type: 'closeCard', cardId: 'mentorordninger' });
    expect(closed.effects).toContainEqual(showStep('rating'));
    const next = run(opened.state, { type: 'openNextCard' });
    const shown = next.effects.filter(
      (e) => JSON.stringify(e) === JSON.stringify(showStep('rating')),
    );
    expect(shown).toHaveLength(1);
  });

  it('closing the priority box re-shows the priority message', () => {
    const priority = syncAt('priority');
    expect(priority.priority).toBe('open');
    const { state, effects } = run(priority, { type: 'next' });
    expect(state.priority).toBe('closed');
    expect(
      effects.filter((e) => JSON.stringify(e) === JSON.stringify(showStep('priority'))),
    ).toHaveLength(1);
  });

  it('entering the summary posts the plan form with it', () => {
    const { effects } = run(syncAt('priority'), { type: 'next' });
    expect(effects).toContainEqual(showStep('summary'));
    expect(effects).toContainEqual(showPlan);
  });

  it('ending early re-shows the step the round was in', () => {
    const { effects } = run(syncAt('status'), { type: 'end' });
    expect(effects).toContainEqual(showStep('status'));
  });
});
