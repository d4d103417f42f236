/**
 * Nudges of async rounds in the core: the `nudge` job is scheduled when a
 * voting step is entered (at `nudgeAtPercent` of its time), cancelled when
 * the step is left or the round paused, moved on resume (only if it had not
 * fired), and `nudgeBoxes` says what a member must have answered.
 */
import { describe, expect, it } from 'vitest';
import {
  cardBox,
  PRIORITY_BOX,
  type RoundSettings,
  type RoundState,
} from '../../src/core/model.ts';
import type { Job } from '../../src/core/ports.ts';
import type { Actor, Command } from '../../src/core/round/commands.ts';
import type { Effect } from '../../src/core/round/effects.ts';
import { nudgeApplies, nudgeBoxes, nudgeTime } from '../../src/core/round/nudges.ts';
import { checkSettings } from '../../src/core/round/start.ts';
import { transition } from '../../src/core/round/transition.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const MIN = 60_000;
const ROUND = 'r1';
const FAC: Actor = { kind: 'user', key: 'fac' };
const SYS: Actor = { kind: 'system' };
/** testSettings: status 30, rating 60, custom 45, priority 20 minutes. */
const ASYNC: Partial<RoundSettings> = { mode: 'async', nudgeAtPercent: 75 };

function run(state: RoundState | undefined, command: Command, now = T0, actor = FAC) {
  const result = transition(state, command, { now, deck: testDeck, actor });
  if (!result.ok) throw new Error(`${command.type} refused: ${JSON.stringify(result.error)}`);
  return result.value;
}

function start(settings: Partial<RoundSettings> = ASYNC) {
  return run(undefined, {
    type: 'start',
    roundId: ROUND,
    settings: testSettings(settings),
    conversation: { platform: 'slack', tenant: 'T1', conversationId: 'C1' },
    scope: { kind: 'all' },
  });
}

const scheduled = (effects: Effect[]): Job[] =>
  effects.flatMap((e) => (e.type === 'schedule' ? [e.job] : []));
const nudgesIn = (effects: Effect[]) => scheduled(effects).filter((j) => j.type === 'nudge');
const cancelled = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === 'cancel' ? [e.jobId] : []));

/** From status (async start) to `rating` at `now`. */
function toRating(now = T0 + 5 * MIN, settings: Partial<RoundSettings> = ASYNC) {
  return run(start(settings).state, { type: 'next' }, now);
}

describe('nudge jobs', () => {
  it('entering the rating step schedules a nudge at 75 % of its time, carrying the deadline', () => {
    const now = T0 + 5 * MIN;
    const { state, effects } = toRating(now);
    expect(state.deadline).toBe(now + 60 * MIN);
    expect(nudgesIn(effects)).toEqual([
      {
        id: `nudge:${ROUND}:rating`,
        roundId: ROUND,
        runAt: now + 45 * MIN,
        type: 'nudge',
        step: 'rating',
        deadline: now + 60 * MIN,
      },
    ]);
    // The deadline job is still there, and only one nudge.
    expect(scheduled(effects).map((j) => j.id)).toEqual([
      `deadline:${ROUND}:rating`,
      `nudge:${ROUND}:rating`,
    ]);
  });

  it('the status step (notes, no ballots) gets no nudge; custom and priority do', () => {
    const started = start();
    expect(nudgesIn(started.effects)).toEqual([]);
    let state = toRating().state;
    const times: Record<string, number> = {};
    for (const step of ['custom', 'priority'] as const) {
      const now = state.updatedAt + MIN;
      const moved = run(state, { type: 'next' }, now);
      state = moved.state;
      expect(state.step).toBe(step);
      const [nudge] = nudgesIn(moved.effects);
      expect(nudge).toMatchObject({ step, deadline: state.deadline });
      times[step] = (nudge?.runAt ?? 0) - now;
      expect(cancelled(moved.effects)).toContain(
        `nudge:${ROUND}:${step === 'custom' ? 'rating' : 'custom'}`,
      );
    }
    // 75 % of 45 and of 20 minutes.
    expect(times).toEqual({ custom: 33.75 * MIN, priority: 15 * MIN });
    const summary = run(state, { type: 'next' }, state.updatedAt + MIN);
    expect(nudgesIn(summary.effects)).toEqual([]);
    expect(cancelled(summary.effects)).toContain(`nudge:${ROUND}:priority`);
  });

  it('no nudges without the setting, with 0, or in sync rounds: no extra effects at all', () => {
    for (const settings of [
      { mode: 'async' as const },
      { mode: 'async' as const, nudgeAtPercent: 0 },
      { mode: 'sync' as const, nudgeAtPercent: 75 },
    ]) {
      let state = start(settings).state;
      if (settings.mode === 'sync') {
        state = run(run(state, { type: 'next' }).state, { type: 'next' }).state;
      }
      const moved = run(state, { type: 'next' }, T0 + MIN);
      expect(moved.state.step).toBe('rating');
      expect(nudgesIn(moved.effects)).toEqual([]);
      const left = run(moved.state, { type: 'next' }, T0 + 2 * MIN);
      expect(cancelled(left.effects).filter((id) => id.startsWith('nudge:'))).toEqual([]);
    }
  });

  it('the setting is checked: a whole number 0–99', () => {
    for (const bad of [-1, 100, 50.5, Number.NaN]) {
      const checked = checkSettings(testSettings({ nudgeAtPercent: bad }));
      expect(checked.ok ? 'ok' : checked.error).toEqual({
        code: 'invalid_settings',
        params: { field: 'nudgeAtPercent' },
      });
    }
    expect(checkSettings(testSettings({ nudgeAtPercent: 99 })).ok).toBe(true);
    expect(checkSettings(testSettings({})).ok).toBe(true);
  });

  it('going back and ending cancel the current nudge', () => {
    const rating = toRating().state;
    const back = run(rating, { type: 'back' }, T0 + 10 * MIN);
    expect(cancelled(back.effects)).toContain(`nudge:${ROUND}:rating`);
    expect(nudgesIn(back.effects)).toEqual([]); // status has none
    const again = run(back.state, { type: 'next' }, T0 + 11 * MIN);
    // Entering the step again schedules it afresh (the app sends nobody a second one).
    expect(nudgesIn(again.effects)).toMatchObject([{ runAt: T0 + 11 * MIN + 45 * MIN }]);
    const ended = run(again.state, { type: 'end' }, T0 + 12 * MIN);
    expect(cancelled(ended.effects)).toContain(`nudge:${ROUND}:rating`);
  });

  it('pause cancels the nudge; resume moves it by the pause when it had not fired yet', () => {
    const entered = T0 + 5 * MIN;
    const rating = toRating(entered).state;
    const deadline = rating.deadline ?? 0;
    const paused = run(rating, { type: 'pause' }, entered + 10 * MIN);
    expect(cancelled(paused.effects)).toEqual([
      `deadline:${ROUND}:rating`,
      `nudge:${ROUND}:rating`,
    ]);
    const resumed = run(paused.state, { type: 'resume' }, entered + 30 * MIN);
    expect(resumed.state.deadline).toBe(deadline + 20 * MIN);
    expect(nudgesIn(resumed.effects)).toEqual([
      {
        id: `nudge:${ROUND}:rating`,
        roundId: ROUND,
        runAt: entered + 45 * MIN + 20 * MIN,
        type: 'nudge',
        step: 'rating',
        deadline: deadline + 20 * MIN,
      },
    ]);
  });

  it('resume after the nudge time has passed does not schedule it again', () => {
    const entered = T0 + 5 * MIN;
    const rating = toRating(entered).state;
    const paused = run(rating, { type: 'pause' }, entered + 50 * MIN); // nudge was at +45
    const resumed = run(paused.state, { type: 'resume' }, entered + 70 * MIN);
    expect(scheduled(resumed.effects).map((j) => j.type)).toEqual(['deadline']);
  });

  it('nudgeTime keeps the share of the step when the deadline moves', () => {
    const rating = toRating(T0).state;
    expect(nudgeTime(rating, 'rating', T0 + 60 * MIN)).toBe(T0 + 45 * MIN);
    expect(nudgeTime(rating, 'rating', T0 + 90 * MIN)).toBe(T0 + 75 * MIN);
    expect(nudgeTime(rating, 'status', T0 + 30 * MIN)).toBeUndefined();
  });

  it('a nudge job applies only to the running step with the same deadline', () => {
    const rating = toRating(T0).state;
    const job = { step: 'rating' as const, deadline: rating.deadline ?? 0 };
    expect(nudgeApplies(rating, job)).toBe(true);
    expect(nudgeApplies(rating, { ...job, deadline: job.deadline + 1 })).toBe(false);
    expect(nudgeApplies(rating, { ...job, step: 'custom' })).toBe(false);
    const paused = run(rating, { type: 'pause' }, T0 + MIN).state;
    expect(nudgeApplies(paused, job)).toBe(false);
    const moved = run(rating, { type: 'deadlineReached', ...job }, job.deadline, SYS).state;
    expect(nudgeApplies(moved, job)).toBe(false);
  });
});

describe('nudgeBoxes: what a member must have answered', () => {
  it('rating: every open card; priority: the priority box; others: nothing', () => {
    const started = start().state;
    expect(nudgeBoxes(started)).toEqual([]); // status
    const rating = toRating(T0).state;
    const open = Object.keys(rating.cards).filter((id) => rating.cards[id] === 'open');
    expect(open.length).toBeGreaterThan(0);
    expect(nudgeBoxes(rating)).toEqual(open.map(cardBox));
    const custom = run(rating, { type: 'next' }, T0 + MIN).state;
    // No own initiatives yet: nothing to answer.
    expect(nudgeBoxes(custom)).toEqual([]);
    const withCard = run(
      custom,
      {
        type: 'addCustomCard',
        cardId: 'own-1',
        missionId: 'ledere',
        title: 'Walk and talk',
        description: '',
      },
      T0 + 2 * MIN,
      { kind: 'user', key: 'p1' },
    ).state;
    expect(nudgeBoxes(withCard)).toEqual([cardBox('own-1')]);
    const priority = run(withCard, { type: 'next' }, T0 + 3 * MIN).state;
    expect(nudgeBoxes(priority)).toEqual([PRIORITY_BOX]);
    const paused = run(priority, { type: 'pause' }, T0 + 4 * MIN).state;
    expect(nudgeBoxes(paused)).toEqual([]);
  });
});
