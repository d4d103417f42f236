/**
 * Issue 8, item 12: the round as a state machine under random use. Random
 * sequences of facilitator commands, participants' commands, votes (valid
 * and not), priorities and deadlines go through the real RoundService on
 * SQLite (:memory:); after every step the round must keep its invariants:
 *
 * - tallies equal votes: each open box holds one ballot per voter who voted
 *   while it was open, and a sealed box's tally is exactly the last accepted
 *   vote of each of them (counted by a model kept beside it);
 * - no step is skipped: an accepted command moves at most one step, a refused
 *   one changes nothing (same version), an ended round stays ended;
 * - cards only move forward (pending → open → closed);
 * - plan items keep their ids (and creation time) through edits and status changes;
 * - no result shows while a card is open or rated by fewer than k.
 *
 * fast-check with a fixed seed; 300 runs of up to ~90 steps take a few seconds.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { RoundDefaults, ServiceCommand } from '../../src/app/round-service.ts';
import { prioritize, vote } from '../../src/app/voting.ts';
import {
  type BallotValue,
  type BoxId,
  cardBox,
  type RoundState,
  STEPS,
  type Tally,
} from '../../src/core/model.ts';
import { openBoxIds } from '../../src/core/round/boxes.ts';
import { addDays, epochToZonedDate } from '../../src/core/time.ts';
import { TEST_CARD_IDS, testDeck, testSettings } from '../fixtures/test-deck.ts';

const RUN = { seed: 8_2026, numRuns: 300 } as const;

const person = (i: number): Identity => ({ platform: 'web', tenant: 'local', userId: `p${i}` });
/** Person 0 starts the round and is its facilitator. */
const PEOPLE = [0, 1, 2, 3, 4].map(person);
const CUSTOM_IDS = ['c1', 'c2', 'c3'];
const CARD_IDS = [...TEST_CARD_IDS, ...CUSTOM_IDS, 'nope', 'constructor'];
/** Stands for "a card open right now" (resolved when the step runs), so votes mostly land. */
const OPEN = '<open>';
const cardId = fc.oneof({ weight: 3, arbitrary: fc.constant(OPEN) }, fc.constantFrom(...CARD_IDS));
const MISSIONS = ['ledere', 'medarbejdere', 'trivsel', 'nope'];
const AREAS = ['udvikling', 'fastholdelse', 'nope'];
const NOTES = ['n1', 'n2', 'n3'];
const ITEMS = ['i1', 'i2', 'i3', 'i4'];

type Step =
  | { t: 'command'; who: number; command: ServiceCommand }
  | { t: 'vote'; who: number; cardId: string; value: unknown }
  | { t: 'prioritize'; who: number; cardIds: string[] }
  | { t: 'join'; who: number }
  /** The scheduler fires the current step's deadline job (or a stale one). */
  | { t: 'deadline'; stale: boolean }
  /** Several people vote on the open card, the facilitator opening the next one first if none is. */
  | { t: 'burst'; votes: { who: number; value: unknown }[] };

const DUE = addDays(epochToZonedDate(Date.UTC(2026, 10, 23, 9), 'Europe/Copenhagen'), 20);
const planInput = (what: string, due: string) => ({
  what,
  goal: 'Mål',
  actions: 'Handling',
  owner: { name: 'Kim' },
  due,
  link: null,
});

const facilitatorCommand: fc.Arbitrary<ServiceCommand> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ type: 'next' as const }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...STEPS).map((from) => ({ type: 'next' as const, from })),
  },
  { weight: 2, arbitrary: fc.constant({ type: 'back' as const }) },
  {
    weight: 6,
    arbitrary: fc
      .option(fc.constantFrom('', ...CARD_IDS), { nil: undefined })
      .map((from) => ({ type: 'openNextCard' as const, ...(from !== undefined && { from }) })),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...CARD_IDS)
      .map((cardId) => ({ type: 'openCard' as const, cardId })),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(...CARD_IDS)
      .map((cardId) => ({ type: 'closeCard' as const, cardId })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...MISSIONS)
      .chain((missionId) =>
        fc.constantFrom(
          { type: 'openMission' as const, missionId },
          { type: 'closeMission' as const, missionId },
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.option(fc.constantFrom(...AREAS), { nil: undefined }).map((areaId) => ({
      type: 'setScope' as const,
      scope: areaId === undefined ? { kind: 'all' as const } : { kind: 'area' as const, areaId },
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom({ type: 'pause' as const }, { type: 'resume' as const }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 'end' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...NOTES)
      .map((noteId) => ({ type: 'removeStatusNote' as const, noteId })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...CUSTOM_IDS)
      .map((cardId) => ({ type: 'removeCustomCard' as const, cardId })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        itemId: fc.constantFrom(...ITEMS),
        due: fc.constantFrom(DUE, '2020-01-01', 'snart'),
      })
      .chain(({ itemId, due }) =>
        fc.constantFrom(
          { type: 'addPlanItem' as const, itemId, input: planInput(`Mål ${itemId}`, due) },
          { type: 'editPlanItem' as const, itemId, input: planInput(`Rettet ${itemId}`, due) },
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...ITEMS)
      .map((itemId) => ({ type: 'removePlanItem' as const, itemId })),
  },
);

/** What anyone may try: notes, own initiatives, plan progress (and facilitator commands, refused). */
const anyoneCommand: fc.Arbitrary<ServiceCommand> = fc.oneof(
  fc
    .record({ noteId: fc.constantFrom(...NOTES), areaId: fc.constantFrom(null, ...AREAS) })
    .map(({ noteId, areaId }) => ({
      type: 'addStatusNote' as const,
      noteId,
      areaId,
      text: 'Note',
    })),
  fc
    .record({ cardId: fc.constantFrom(...CUSTOM_IDS), missionId: fc.constantFrom(...MISSIONS) })
    .map(({ cardId, missionId }) => ({
      type: 'addCustomCard' as const,
      cardId,
      missionId,
      title: `Egen ${cardId}`,
      description: '',
    })),
  fc
    .record({
      itemId: fc.constantFrom(...ITEMS),
      status: fc.constantFrom('open' as const, 'done' as const, 'blocked' as const),
    })
    .map(({ itemId, status }) => ({ type: 'setPlanStatus' as const, itemId, status })),
  fc
    .constantFrom(...ITEMS)
    .map((itemId) => ({ type: 'postponePlanItem' as const, itemId, days: 7 })),
  facilitatorCommand,
);

const who = fc.integer({ min: 0, max: PEOPLE.length - 1 });
/** Mostly ratings; now and then what no button sends (refused, never counted). */
const ballotValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(1, 2, 3, 4, 5, 'na') },
  fc.constantFrom<unknown>(0, 6, '3', 3.5, null),
);
/** Plan work by the facilitator (kept apart so that rounds reaching the summary do some). */
const planCommand: fc.Arbitrary<ServiceCommand> = fc
  .record({
    itemId: fc.constantFrom(...ITEMS),
    due: fc.constantFrom(DUE, DUE, '2020-01-01', 'snart'),
    kind: fc.constantFrom('add', 'add', 'edit', 'remove'),
  })
  .map(({ itemId, due, kind }): ServiceCommand => {
    if (kind === 'remove') return { type: 'removePlanItem', itemId };
    const input = planInput(`${kind} ${itemId}`, due);
    return kind === 'add'
      ? { type: 'addPlanItem', itemId, input }
      : { type: 'editPlanItem', itemId, input };
  });
const byFacilitator = (command: ServiceCommand): Step => ({ t: 'command', who: 0, command });

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(byFacilitator({ type: 'openNextCard' })) },
  { weight: 2, arbitrary: fc.constant(byFacilitator({ type: 'closeCard', cardId: OPEN })) },
  { weight: 3, arbitrary: planCommand.map(byFacilitator) },
  { weight: 6, arbitrary: facilitatorCommand.map(byFacilitator) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('command' as const), who, command: anyoneCommand }),
  },
  {
    weight: 14,
    arbitrary: fc.record({
      t: fc.constant('vote' as const),
      who,
      cardId,
      value: ballotValue,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('prioritize' as const),
      who,
      cardIds: fc.subarray([...TEST_CARD_IDS.slice(0, 4), 'c1', 'nope'], { maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('join' as const), who }) },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('burst' as const),
      votes: fc.array(fc.record({ who, value: ballotValue }), { minLength: 1, maxLength: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('deadline' as const), stale: fc.boolean() }) },
);
const scenario = fc.record({
  mode: fc.constantFrom('sync' as const, 'async' as const),
  // A few steps of anything, then the facilitator's Next, block after block: rounds get through.
  blocks: fc.array(fc.array(step, { maxLength: 10, size: 'max' }), { minLength: 3, maxLength: 9 }),
});
const NEXT = byFacilitator({ type: 'next' });

/**
 * The step as it runs in `state`: OPEN becomes the card open now, and a new
 * plan item gets an id of its own (the service makes fresh ids; a reused one
 * is a bug the core throws on).
 */
function resolve(s: Step, state: RoundState, fresh: () => string): Step {
  const open = Object.keys(state.cards).find((id) => state.cards[id] === 'open') ?? 'none';
  if (s.t === 'vote' && s.cardId === OPEN) return { ...s, cardId: open };
  if (s.t !== 'command') return s;
  const { command } = s;
  if (command.type === 'closeCard' && command.cardId === OPEN) {
    return { ...s, command: { ...command, cardId: open } };
  }
  if (command.type === 'addPlanItem' && state.plan.some((p) => p.id === command.itemId)) {
    return { ...s, command: { ...command, itemId: `${command.itemId}-${fresh()}` } };
  }
  return s;
}

/** Tallies and open ballots as they should be, kept from the accepted votes alone. */
class Model {
  readonly open = new Map<BoxId, Map<number, BallotValue>>();
  readonly sealed = new Map<BoxId, Tally>();

  cast(box: BoxId, voter: number, value: BallotValue): void {
    const ballots = this.open.get(box) ?? new Map<number, BallotValue>();
    ballots.set(voter, value);
    this.open.set(box, ballots);
  }

  /** Boxes that were open and are not any more: their ballots go into the tally, voters forgotten. */
  seal(before: readonly BoxId[], after: readonly BoxId[]): void {
    for (const box of before.filter((b) => !after.includes(b))) {
      const tally = this.sealed.get(box) ?? { ballots: 0, counts: {} };
      for (const value of this.open.get(box)?.values() ?? []) {
        tally.ballots += 1;
        for (const key of Array.isArray(value) ? value : [String(value)]) {
          tally.counts[key] = (tally.counts[key] ?? 0) + 1;
        }
      }
      this.sealed.set(box, tally);
      this.open.delete(box);
    }
  }
}

describe('the round under random commands and votes', () => {
  let app: EmbeddedApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    const decks = DeckCatalog.load();
    decks.add(testDeck);
    const defaults: RoundDefaults = { ...testSettings(), mode: 'sync' };
    app = await createEmbeddedApp({
      sqlitePath: ':memory:',
      secret: 'properties-round-secret-0123456789-abcdef',
      clock,
      output: { send: async () => undefined },
      decks,
      defaults,
      logger: silentLogger(),
    });
  });
  afterAll(async () => {
    await app.close();
  });

  async function load(roundId: string) {
    const record = await app.store.load(roundId);
    if (!record) throw new Error('round gone');
    return record;
  }

  /** Runs one step; answers whether the round accepted it. */
  async function perform(roundId: string, state: RoundState, s: Step): Promise<boolean> {
    const { service } = app;
    switch (s.t) {
      case 'command':
        return (await service.command(roundId, PEOPLE[s.who] as Identity, s.command)).ok;
      case 'vote':
        return (await vote(service, roundId, PEOPLE[s.who] as Identity, s.cardId, s.value)).ok;
      case 'prioritize':
        return (await prioritize(service, roundId, PEOPLE[s.who] as Identity, s.cardIds)).ok;
      case 'join':
        return (await service.join(roundId, PEOPLE[s.who] as Identity)).ok;
      case 'burst':
        throw new Error('a burst is split into its votes before it runs');
      case 'deadline': {
        const before = state.deadline;
        if (before === null && !s.stale) return false;
        const deadline = s.stale ? (before ?? clock.now()) - 60_000 : (before as number);
        const job = {
          id: 'd',
          roundId,
          runAt: deadline,
          type: 'deadline' as const,
          step: state.step,
          deadline,
        };
        await service.handleJob(job);
        return (
          (await load(roundId)).state.step !== state.step ||
          (await load(roundId)).state.status !== state.status
        );
      }
    }
  }

  function expectTalliesMatch(model: Model, counts: Awaited<ReturnType<typeof app.store.counts>>) {
    for (const [box, ballots] of model.open)
      expect(counts.ballots[box] ?? 0, box).toBe(ballots.size);
    for (const [box, tally] of model.sealed) {
      const stored = counts.tallies[box] ?? { ballots: 0, counts: {} };
      expect(stored.ballots, box).toBe(tally.ballots);
      const nonZero = (c: Record<string, number>) =>
        Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0));
      expect(nonZero(stored.counts), box).toEqual(nonZero(tally.counts));
    }
    // No box holds ballots the model does not know of.
    for (const [box, n] of Object.entries(counts.ballots)) {
      if ((n ?? 0) > 0) expect(model.open.has(box as BoxId), box).toBe(true);
    }
  }

  it('keeps tallies equal to the votes, skips no step, and keeps plan ids', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ mode, blocks }) => {
        const steps = blocks.flatMap((block) => [...block, NEXT]);
        const started = await app.service.start(PEOPLE[0] as Identity, {
          conversation: { platform: 'web', tenant: 'local', conversationId: `c-${clock.now()}` },
          deckId: testDeck.id,
          mode,
        });
        if (!started.ok) throw new Error(started.error.code);
        const { roundId } = started.value;
        const model = new Model();
        let planIds: string[] = [];
        const createdAt = new Map<string, number>();

        const queue = [...steps];
        for (let drawn = queue.shift(); drawn !== undefined; drawn = queue.shift()) {
          if (drawn.t === 'burst') {
            const current = (await load(roundId)).state;
            const anyOpen = Object.values(current.cards).includes('open');
            const votes = drawn.votes.map((v): Step => ({ t: 'vote', ...v, cardId: OPEN }));
            queue.unshift(...(anyOpen ? [] : [byFacilitator({ type: 'openNextCard' })]), ...votes);
            continue;
          }
          clock.advance(60_000);
          const before = await load(roundId);
          const state = before.state;
          const s = resolve(drawn, state, () => String(clock.now()));
          const accepted = await perform(roundId, state, s);
          const after = await load(roundId);
          const next = after.state;

          // Votes and priorities: the model takes each accepted one.
          if (accepted && s.t === 'vote')
            model.cast(cardBox(s.cardId), s.who, s.value as BallotValue);
          if (accepted && s.t === 'prioritize') model.cast('priority', s.who, s.cardIds);
          model.seal(openBoxIds(state), openBoxIds(next));
          expectTalliesMatch(model, await app.store.counts(roundId));

          // A refused command, deadline or ballot leaves the round document as it was.
          if (!accepted && s.t !== 'join') expect(after.version).toBe(before.version);
          // No step skipped; an ended round stays ended.
          const moved = Math.abs(STEPS.indexOf(next.step) - STEPS.indexOf(state.step));
          expect(moved).toBeLessThanOrEqual(1);
          if (state.status === 'ended') {
            expect(next.status).toBe('ended');
            expect(next.step).toBe(state.step);
          }
          // Cards only move forward (setScope swaps the set before any card opened).
          const order = { pending: 0, open: 1, closed: 2 } as const;
          for (const [id, phase] of Object.entries(state.cards)) {
            const now = next.cards[id];
            if (now !== undefined) expect(order[now], id).toBeGreaterThanOrEqual(order[phase]);
          }
          // Plan items keep their ids and creation time; only add and remove change the list.
          if (accepted && s.t === 'command' && s.command.type === 'addPlanItem') {
            planIds = [...planIds, s.command.itemId];
          }
          if (accepted && s.t === 'command' && s.command.type === 'removePlanItem') {
            const gone = s.command.itemId;
            planIds = planIds.filter((id) => id !== gone);
          }
          expect(next.plan.map((p) => p.id)).toEqual(planIds);
          for (const item of next.plan) {
            const first = createdAt.get(item.id) ?? item.createdAt;
            createdAt.set(item.id, first);
            expect(item.createdAt).toBe(first);
          }
        }

        // No result while a card is open, none below k once closed.
        const { state } = await load(roundId);
        const counts = await app.store.counts(roundId);
        for (const [cardId, phase] of Object.entries(state.cards)) {
          const view = await app.service.view(roundId, { kind: 'card', cardId });
          if (phase === 'open') expect(view?.kind, cardId).toBe('cardVote');
          if (view?.kind !== 'cardResult') continue;
          const rated = Object.entries(counts.tallies[cardBox(cardId)]?.counts ?? {})
            .filter(([value]) => value !== 'na')
            .reduce((n, [, c]) => n + c, 0);
          expect(view.released, cardId).toBe(phase === 'closed' && rated >= state.settings.k);
          if (!view.released) expect(view.distribution, cardId).toBeUndefined();
        }
      }),
      RUN,
    );
  }, 120_000);
});
