import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { createLogger, type Logger, silentLogger } from '../../src/app/logger.ts';
import { compareRevisions } from '../../src/app/revision.ts';
import type { RoundDefaults, ServiceCommand } from '../../src/app/round-service.ts';
import { prioritize, vote } from '../../src/app/voting.ts';
import type { DomainError } from '../../src/core/errors.ts';
import type { ConversationRef, RoundState, StepId } from '../../src/core/model.ts';
import type { Job, OutboundMessage } from '../../src/core/ports.ts';
import type { Result } from '../../src/core/result.ts';
import { addDays, epochToZonedDate, reminderTimes } from '../../src/core/time.ts';
import type { CardVoteView, ReminderView } from '../../src/core/views/types.ts';

const SECRET = 'round-service-test-secret-0123456789-abcdef';
const CONVERSATION: ConversationRef = {
  platform: 'teams',
  tenant: 'tenant-a',
  conversationId: 'conversation-1',
};
const DEFAULTS: RoundDefaults = {
  deckId: 'baeredygtigt-arbejdsmiljoe',
  lang: 'da',
  mode: 'sync',
  timeZone: 'Europe/Copenhagen',
  k: 3,
  maxPriorities: 3,
  reminderDaysBefore: 7,
  reminderHour: 9,
  stepMinutes: { status: 60, rating: 120, custom: 90, priority: 45 },
};
const DAY = 24 * 60 * 60_000;

const person = (n: number): Identity => ({
  platform: 'teams',
  tenant: 'tenant-a',
  userId: `participant-${n}`,
});
const FAC = person(0);

function must<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return result.value;
}

function codeOf<T>(result: Result<T, DomainError>): string {
  return result.ok ? 'ok' : result.error.code;
}

/** A temp dir with one SQLite file; every app opened on it shares the clock and the outbox. */
class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), 'dialogrunde-app-'));
  readonly path = join(this.dir, 'dialogrunde.db');
  readonly clock = new ManualClock();
  readonly decks = DeckCatalog.load();
  messages: OutboundMessage[] = [];
  readonly #apps: EmbeddedApp[] = [];

  async open(logger: Logger = silentLogger()): Promise<EmbeddedApp> {
    const app = await createEmbeddedApp({
      sqlitePath: this.path,
      secret: SECRET,
      clock: this.clock,
      output: { send: async (m) => void this.messages.push(m) },
      decks: this.decks,
      defaults: DEFAULTS,
      logger,
    });
    this.#apps.push(app);
    return app;
  }

  /** Messages sent since the last call, as "audience:kind". */
  take(): string[] {
    const taken = this.messages.map((m) => `${m.audience}:${m.view.kind}`);
    this.messages = [];
    return taken;
  }

  async cleanup(): Promise<void> {
    for (const app of this.#apps) await app.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function load(app: EmbeddedApp, roundId: string) {
  const record = await app.store.load(roundId);
  if (!record) throw new Error('round missing');
  return record;
}

async function startRound(app: EmbeddedApp, mode: 'sync' | 'async' = 'sync'): Promise<string> {
  return must(await app.service.start(FAC, { conversation: CONVERSATION, mode })).roundId;
}

async function command(app: EmbeddedApp, roundId: string, cmd: ServiceCommand, who = FAC) {
  return must(await app.service.command(roundId, who, cmd));
}

/** Sync round moved forward with "next" until it reaches `step`. */
async function advanceTo(app: EmbeddedApp, roundId: string, step: StepId): Promise<RoundState> {
  let state = (await load(app, roundId)).state;
  while (state.step !== step) state = (await command(app, roundId, { type: 'next' })).state;
  return state;
}

const poll = (app: EmbeddedApp) => app.scheduler.pollOnce((job) => app.service.handleJob(job));

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(async () => {
  await h.cleanup();
});

describe('a whole synchronous round', () => {
  it('sends the expected messages in order and saves the right state and tallies', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    expect(h.take()).toEqual(['group:intro', 'facilitator:facilitator']);
    for (const n of [1, 2, 3]) must(await app.service.join(roundId, person(n)));
    expect(h.take()).toEqual([]);

    await command(app, roundId, { type: 'next' });
    expect(h.take()).toEqual(['group:scope', 'facilitator:facilitator']);
    await command(app, roundId, { type: 'next' });
    // The step left behind is shown again (its form closes), then the new one.
    expect(h.take()).toEqual(['group:scope', 'group:status', 'facilitator:facilitator']);
    await command(
      app,
      roundId,
      { type: 'addStatusNote', noteId: 'n1', areaId: 'udvikling', text: 'Vi har mentorer.' },
      person(1),
    );
    expect(h.take()).toEqual(['group:status']);
    await command(app, roundId, { type: 'next' });
    // Past the status step the scope locks: its message is shown again too.
    expect(h.take()).toEqual([
      'group:status',
      'group:scope',
      'group:rating',
      'facilitator:facilitator',
    ]);

    // Card 1: opened, three votes, each moves "n af m".
    await command(app, roundId, { type: 'openNextCard' });
    // The step's overview marks the open card.
    expect(h.take()).toEqual(['group:cardVote', 'group:rating', 'facilitator:facilitator']);
    for (const [n, v] of [
      [1, 2],
      [2, 3],
      [3, 4],
    ] as const) {
      must(await vote(app.service, roundId, person(n), 'mentorordninger', v));
    }
    expect(h.take()).toEqual(['group:cardVote', 'group:cardVote', 'group:cardVote']);

    // Card 2: "next card" closes card 1 (its result) and opens card 2.
    await command(app, roundId, { type: 'openNextCard' });
    expect(h.take()).toEqual([
      'group:cardResult',
      'group:cardVote',
      'group:rating',
      'facilitator:facilitator',
    ]);
    for (const n of [1, 2, 3]) {
      must(await vote(app.service, roundId, person(n), 'kompetenceudvikling-for-ledere', 5));
    }
    h.take();

    // Leaving the rating step closes card 2; the rest stay pending.
    await command(app, roundId, { type: 'next' });
    expect(h.take()).toEqual([
      'group:cardResult',
      'group:rating',
      'group:custom',
      'facilitator:facilitator',
    ]);
    await command(
      app,
      roundId,
      {
        type: 'addCustomCard',
        cardId: 'c1',
        missionId: 'organisation',
        title: 'Fælles morgenmøde',
        description: '',
      },
      person(2),
    );
    expect(h.take()).toEqual(['group:custom', 'facilitator:facilitator']);
    await command(app, roundId, { type: 'openNextCard' });
    // The step's overview marks the open card.
    expect(h.take()).toEqual(['group:cardVote', 'group:custom', 'facilitator:facilitator']);
    for (const n of [1, 2, 3]) must(await vote(app.service, roundId, person(n), 'c1', 'na'));
    h.take();

    await command(app, roundId, { type: 'next' });
    expect(h.take()).toEqual([
      'group:cardResult',
      'group:custom',
      'group:priority',
      'facilitator:facilitator',
    ]);
    must(await prioritize(app.service, roundId, person(1), ['mentorordninger']));
    must(await prioritize(app.service, roundId, person(2), ['mentorordninger', 'c1']));
    must(await prioritize(app.service, roundId, person(3), ['kompetenceudvikling-for-ledere']));
    expect(h.take()).toEqual(['group:priority', 'group:priority', 'group:priority']);

    await command(app, roundId, { type: 'next' });
    // The priority form closes; step 7 brings the summary and the plan form.
    expect(h.take()).toEqual([
      'group:priority',
      'group:summary',
      'facilitator:facilitator',
      'group:plan',
    ]);
    const today = epochToZonedDate(h.clock.now(), 'Europe/Copenhagen');
    await command(app, roundId, {
      type: 'addPlanItem',
      itemId: 'p1',
      input: {
        what: 'Mentorordninger',
        goal: 'Alle nye ledere har en mentor',
        actions: 'Find mentorer',
        owner: { name: 'Lederen' },
        due: addDays(today, 30),
        link: { kind: 'mission', id: 'ledere' },
      },
    });
    expect(h.take()).toEqual(['group:plan']);
    const ended = await command(app, roundId, { type: 'next' });
    expect(h.take()).toEqual(['group:roundStatus', 'group:plan', 'facilitator:facilitator']);

    expect(ended.state).toMatchObject({
      status: 'ended',
      step: 'summary',
      endedEarly: false,
      priority: 'closed',
      deadline: null,
    });
    const record = await load(app, roundId);
    // 1 (create) + 13 successful commands; votes do not touch the round document.
    expect(record.version).toBe(14);
    expect(record.state).toEqual(ended.state);
    const s = record.state;
    expect(s.statusNotes.map((n) => n.text)).toEqual(['Vi har mentorer.']);
    expect(s.customCards.map((c) => c.title)).toEqual(['Fælles morgenmøde']);
    expect(s.plan).toHaveLength(1);
    expect(s.cards.mentorordninger).toBe('closed');
    expect(s.cards['kompetenceudvikling-for-ledere']).toBe('closed');
    expect(s.cards.c1).toBe('closed');
    expect(Object.values(s.cards).filter((p) => p === 'closed')).toHaveLength(3);
    expect(Object.values(s.cards).filter((p) => p === 'pending')).toHaveLength(28);
    expect(s.facilitatorKey).toBe(app.service.keyOf(roundId, FAC));

    const counts = await app.store.counts(roundId);
    expect(counts.participants).toBe(4);
    expect(counts.ballots).toEqual({});
    expect(counts.tallies['card:mentorordninger']).toEqual({
      ballots: 3,
      counts: { '2': 1, '3': 1, '4': 1 },
    });
    expect(counts.tallies['card:kompetenceudvikling-for-ledere']).toEqual({
      ballots: 3,
      counts: { '5': 3 },
    });
    expect(counts.tallies['card:c1']).toEqual({ ballots: 3, counts: { na: 3 } });
    expect(counts.tallies.priority).toEqual({
      ballots: 3,
      counts: { mentorordninger: 2, c1: 1, 'kompetenceudvikling-for-ledere': 1 },
    });
    // Once sealed, no per-voter rows remain.
    expect(app.store.db.prepare('SELECT COUNT(*) AS n FROM ballots').get()?.n).toBe(0);
  });

  it('addresses every message to the round and shows the facilitator script only to the facilitator', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'summary');
    await command(app, roundId, { type: 'end' });
    expect(h.messages.length).toBeGreaterThan(10);
    for (const m of h.messages) {
      expect(m.conversation).toEqual(CONVERSATION);
      if ('roundId' in m.view) expect(m.view.roundId).toBe(roundId);
      expect(m.audience === 'facilitator').toBe(m.view.kind === 'facilitator');
    }
  });
});

describe('optimistic concurrency', () => {
  it('two processes opening different cards at once: one wins, the other gets another_card_open', async () => {
    const logs: string[] = [];
    const logger = createLogger('debug', { write: (s: string) => void logs.push(s) });
    const a = await h.open(logger);
    const b = await h.open(logger);
    const roundId = await startRound(a);
    await advanceTo(a, roundId, 'rating');
    const before = (await load(b, roundId)).version;
    h.take();

    const results = await Promise.all([
      a.service.command(roundId, FAC, { type: 'openCard', cardId: 'mentorordninger' }),
      b.service.command(roundId, FAC, { type: 'openCard', cardId: 'interne-lederfora' }),
    ]);
    const codes = results.map(codeOf).sort();
    expect(codes).toEqual(['another_card_open', 'ok']);
    // The loser really did race: it hit a version conflict and retried.
    expect(logs.some((l) => l.includes('version conflict, retrying'))).toBe(true);

    const winner = results[0]?.ok ? 'mentorordninger' : 'interne-lederfora';
    for (const app of [a, b]) {
      const record = await load(app, roundId);
      expect(record.version).toBe(before + 1);
      const open = Object.keys(record.state.cards).filter(
        (id) => record.state.cards[id] === 'open',
      );
      expect(open).toEqual([winner]);
    }
    expect(await a.store.counts(roundId)).toMatchObject({ ballots: { [`card:${winner}`]: 0 } });
    // Only the winner's effects were sent.
    // The step's overview marks the open card.
    expect(h.take()).toEqual(['group:cardVote', 'group:rating', 'facilitator:facilitator']);
  });

  it('two processes pressing "next" at once: the version advances once per successful command', async () => {
    const a = await h.open();
    const b = await h.open();
    const roundId = await startRound(a);
    await advanceTo(a, roundId, 'status');
    const before = await load(a, roundId);
    const results = await Promise.all([
      a.service.command(roundId, FAC, { type: 'next' }),
      b.service.command(roundId, FAC, { type: 'next' }),
    ]);
    const succeeded = results.filter((r) => r.ok).length;
    expect(succeeded).toBeGreaterThanOrEqual(1);
    const after = await load(b, roundId);
    expect(after.version).toBe(before.version + succeeded);
    const steps: StepId[] = ['status', 'rating', 'custom'];
    expect(after.state.step).toBe(steps[succeeded]);
    // Whatever happened, the stored state is one a single process could have produced.
    for (const r of results) if (r.ok) expect(steps).toContain(r.value.state.step);
    // NOTE: today both presses succeed (status → rating → custom): "next" does not say
    // which step it was pressed on, so a retry after the conflict advances again.
  });

  it('20 participants adding status notes at once: all 20 are saved', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'status');
    const before = (await load(app, roundId)).version;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.service.command(roundId, person(i + 1), {
          type: 'addStatusNote',
          noteId: `note-${i}`,
          areaId: null,
          text: `Note nummer ${i}`,
        }),
      ),
    );
    expect(results.map(codeOf)).toEqual(Array(20).fill('ok'));
    const record = await load(app, roundId);
    expect(record.state.statusNotes.map((n) => n.id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `note-${i}`).sort(),
    );
    expect(record.version).toBe(before + 20);
  });

  it('20 notes through two processes on one file: all saved', async () => {
    const a = await h.open();
    const b = await h.open();
    const roundId = await startRound(a);
    await advanceTo(a, roundId, 'status');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).service.command(roundId, person(i + 1), {
          type: 'addStatusNote',
          noteId: `note-${i}`,
          areaId: null,
          text: `Note ${i}`,
        }),
      ),
    );
    expect(results.map(codeOf)).toEqual(Array(20).fill('ok'));
    expect((await load(b, roundId)).state.statusNotes).toHaveLength(20);
  });
});

describe('idempotency', () => {
  const CUSTOM: ServiceCommand = {
    type: 'addCustomCard',
    cardId: 'c1',
    missionId: 'ledere',
    title: 'Ledersparring',
    description: '',
  };

  it('the same status note twice with one key: saved once, second is a duplicate, no second message', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'status');
    const cmd: ServiceCommand = { type: 'addStatusNote', noteId: 'n1', areaId: null, text: 'Hej' };
    const first = await app.service.command(roundId, person(1), cmd, { idempotencyKey: 'evt-1' });
    expect(first.ok && first.value.duplicate).toBe(false);
    const version = (await load(app, roundId)).version;
    h.take();
    const second = await app.service.command(roundId, person(1), cmd, { idempotencyKey: 'evt-1' });
    expect(second.ok && second.value.duplicate).toBe(true);
    expect(h.take()).toEqual([]);
    const record = await load(app, roundId);
    expect(record.version).toBe(version);
    expect(record.state.statusNotes).toHaveLength(1);
  });

  it('the same custom card twice with one key: one card, no second message', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'custom');
    must(await app.service.command(roundId, person(1), CUSTOM, { idempotencyKey: 'evt-2' }));
    const version = (await load(app, roundId)).version;
    h.take();
    await app.service.command(roundId, person(1), CUSTOM, { idempotencyKey: 'evt-2' });
    expect(h.take()).toEqual([]);
    const record = await load(app, roundId);
    expect(record.version).toBe(version);
    expect(record.state.customCards).toHaveLength(1);
  });

  // The replay's command is refused by the new state (duplicate_custom_card); the
  // service asks the store whether the key was saved and answers duplicate instead.
  it('the same custom card twice with one key: the second reports duplicate', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'custom');
    must(await app.service.command(roundId, person(1), CUSTOM, { idempotencyKey: 'evt-2' }));
    const second = await app.service.command(roundId, person(1), CUSTOM, {
      idempotencyKey: 'evt-2',
    });
    expect(codeOf(second)).toBe('ok');
    expect(second.ok && second.value.duplicate).toBe(true);
  });

  it('a retried facilitator command with one key is applied once (no skipped step)', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    must(await app.service.command(roundId, FAC, { type: 'next' }, { idempotencyKey: 'evt-3' }));
    const again = await app.service.command(
      roundId,
      FAC,
      { type: 'next' },
      { idempotencyKey: 'evt-3' },
    );
    expect(again.ok && again.value.duplicate).toBe(true);
    expect((await load(app, roundId)).state.step).toBe('scope');
  });

  it('two processes receiving the same platform retry at once: applied once', async () => {
    const a = await h.open();
    const b = await h.open();
    const roundId = await startRound(a);
    await advanceTo(a, roundId, 'status');
    const cmd: ServiceCommand = { type: 'next' };
    const results = await Promise.all([
      a.service.command(roundId, FAC, cmd, { idempotencyKey: 'evt-4' }),
      b.service.command(roundId, FAC, cmd, { idempotencyKey: 'evt-4' }),
    ]);
    expect(results.map((r) => r.ok && r.value.duplicate).sort()).toEqual([false, true]);
    expect((await load(a, roundId)).state.step).toBe('rating');
  });
});

describe('votes', () => {
  async function openCardRound(app: EmbeddedApp, cardId = 'mentorordninger') {
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'rating');
    await command(app, roundId, { type: 'openCard', cardId });
    h.take();
    return roundId;
  }

  const ballotRows = (app: EmbeddedApp) =>
    Number(app.store.db.prepare('SELECT COUNT(*) AS n FROM ballots').get()?.n);

  it('200 concurrent voters on one card: the tally is exact after close', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        vote(app.service, roundId, person(i + 1), 'mentorordninger', (i % 5) + 1),
      ),
    );
    expect(results.every((r) => r.ok && r.value.outcome === 'recorded')).toBe(true);
    expect((await app.store.counts(roundId)).ballots['card:mentorordninger']).toBe(200);
    await command(app, roundId, { type: 'closeCard', cardId: 'mentorordninger' });
    const counts = await app.store.counts(roundId);
    expect(counts.tallies['card:mentorordninger']).toEqual({
      ballots: 200,
      counts: { '1': 40, '2': 40, '3': 40, '4': 40, '5': 40 },
    });
    expect(counts.participants).toBe(201);
    expect(ballotRows(app)).toBe(0);
  });

  it('one voter voting 3, 5, 5: recorded, changed, unchanged, and the view shows their vote', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    const voter = person(7);
    const first = must(await vote(app.service, roundId, voter, 'mentorordninger', 3));
    expect(first.outcome).toBe('recorded');
    expect(first.view.yourVote).toContain('3');
    const second = must(await vote(app.service, roundId, voter, 'mentorordninger', 5));
    expect(second.outcome).toBe('changed');
    const third = must(await vote(app.service, roundId, voter, 'mentorordninger', 5));
    expect(third.outcome).toBe('unchanged');
    expect(third.view.kind).toBe('cardVote');
    expect(third.view.yourVote).toBe('Din stemme: 5. Du kan ændre den, indtil kortet lukkes.');
    expect(await app.service.ballotOf(roundId, voter, 'card:mentorordninger')).toBe(5);
    // An unchanged vote moves nothing, so it is not announced; the group copy has no yourVote.
    const sent = h.messages.map((m) => m.view as CardVoteView);
    expect(sent).toHaveLength(2);
    for (const v of sent) expect(v.yourVote).toBeUndefined();
    expect((await app.store.counts(roundId)).ballots['card:mentorordninger']).toBe(1);
    await command(app, roundId, { type: 'closeCard', cardId: 'mentorordninger' });
    expect((await app.store.counts(roundId)).tallies['card:mentorordninger']).toEqual({
      ballots: 1,
      counts: { '5': 1 },
    });
  });

  it('the card view says "n af m har stemt" with the right numbers', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    for (const n of [1, 2, 3, 4, 5, 6]) must(await app.service.join(roundId, person(n)));
    must(await vote(app.service, roundId, person(1), 'mentorordninger', 4));
    const result = must(await vote(app.service, roundId, person(2), 'mentorordninger', 'na'));
    expect(result.view.progress).toEqual({ done: 2, of: 7, text: '2 af 7 har stemt' });
    const last = h.messages.at(-1);
    expect(last?.audience).toBe('group');
    expect(last?.view.kind === 'cardVote' && last.view.progress.text).toBe('2 af 7 har stemt');
    // A voter who had not joined counts in m as well.
    const late = must(await vote(app.service, roundId, person(42), 'mentorordninger', 1));
    expect(late.view.progress.text).toBe('3 af 8 har stemt');
    const view = await app.service.view(roundId, { kind: 'card', cardId: 'mentorordninger' });
    expect(view?.kind === 'cardVote' && view.progress.text).toBe('3 af 8 har stemt');
  });

  it('a vote racing the close: every vote that returned ok is in the tally, no others', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    // Votes start spread over the microtask queue, the close in the middle of them.
    const spread = async <T>(ticks: number, fn: () => Promise<T>): Promise<T> => {
      for (let t = 0; t < ticks; t++) await null;
      return fn();
    };
    const votes = Array.from({ length: 50 }, (_, i) =>
      spread(i, () => vote(app.service, roundId, person(i + 1), 'mentorordninger', 4)),
    );
    const close = spread(10, () =>
      app.service.command(roundId, FAC, { type: 'closeCard', cardId: 'mentorordninger' }),
    );
    const [results, closed] = await Promise.all([Promise.all(votes), close]);
    expect(codeOf(closed)).toBe('ok');
    const okCount = results.filter((r) => r.ok).length;
    // The spread makes both outcomes happen: some votes land before the seal, some after.
    expect(okCount).toBeGreaterThan(0);
    expect(okCount).toBeLessThan(50);
    for (const r of results) if (!r.ok) expect(r.error.code).toBe('card_closed');
    const tally = (await app.store.counts(roundId)).tallies['card:mentorordninger'];
    expect(tally?.ballots ?? 0).toBe(okCount);
    expect(tally?.counts['4'] ?? 0).toBe(okCount);
    // Voting after the close is refused and changes nothing.
    const after = await vote(app.service, roundId, person(99), 'mentorordninger', 4);
    expect(codeOf(after)).toBe('card_closed');
    expect((await app.store.counts(roundId)).tallies['card:mentorordninger']).toEqual(tally);
  });

  it('a card closed by another process between the ballot and the reply: ok, counted, no vote form over the result', async () => {
    const app = await h.open();
    const other = await h.open();
    const roundId = await openCardRound(app);
    const castBallot = app.store.castBallot.bind(app.store);
    app.store.castBallot = async (...args) => {
      const cast = await castBallot(...args);
      must(
        await other.service.command(roundId, FAC, {
          type: 'closeCard',
          cardId: 'mentorordninger',
        }),
      );
      return cast;
    };
    const result = must(await vote(app.service, roundId, person(1), 'mentorordninger', 2));
    expect(result.outcome).toBe('recorded');
    expect(result.view.yourVote).toContain('2');
    expect((await app.store.counts(roundId)).tallies['card:mentorordninger']).toEqual({
      ballots: 1,
      counts: { '2': 1 },
    });
    // The vote's answer and progress update show the round as the ballot found
    // it (open). The close posted the result with a newer revision, so the
    // outbox's newest-wins rule (EditGate) drops the late vote form instead of
    // putting it over the result.
    const sent = h.messages.map((m) => ({ what: `${m.audience}:${m.view.kind}`, rev: m.revision }));
    expect(sent.map((m) => m.what)).toEqual([
      'group:cardResult',
      'group:rating',
      'facilitator:facilitator',
      'group:cardVote',
    ]);
    const [closed, , , late] = sent;
    expect(closed?.rev && late?.rev && compareRevisions(late.rev, closed.rev)).toBeLessThan(0);
  });

  it('refuses invalid values with invalid_rating and writes no ballot', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    const participants = (await app.store.counts(roundId)).participants;
    for (const value of [0, 6, '3', 3.5, null, {}, [], undefined, 'NA', -1, Number.NaN]) {
      const result = await vote(app.service, roundId, person(1), 'mentorordninger', value);
      expect(codeOf(result)).toBe('invalid_rating');
    }
    const counts = await app.store.counts(roundId);
    expect(counts.ballots['card:mentorordninger']).toBe(0);
    expect(counts.participants).toBe(participants);
    expect(ballotRows(app)).toBe(0);
    expect(h.messages).toEqual([]);
  });

  it('refuses closed, pending and unknown cards', async () => {
    const app = await h.open();
    const roundId = await openCardRound(app);
    await command(app, roundId, { type: 'closeCard', cardId: 'mentorordninger' });
    const voter = person(1);
    expect(codeOf(await vote(app.service, roundId, voter, 'mentorordninger', 3))).toBe(
      'card_closed',
    );
    expect(codeOf(await vote(app.service, roundId, voter, 'interne-lederfora', 3))).toBe(
      'card_not_open',
    );
    for (const id of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'no-such-card']) {
      expect(codeOf(await vote(app.service, roundId, voter, id, 3))).toBe('card_not_found');
    }
    expect(codeOf(await vote(app.service, 'no-such-round', voter, 'mentorordninger', 3))).toBe(
      'round_not_found',
    );
    expect(ballotRows(app)).toBe(0);
  });

  it('prioritize: refused before the step, counted once per voter, changeable', async () => {
    const app = await h.open();
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'rating');
    expect(codeOf(await prioritize(app.service, roundId, person(1), ['mentorordninger']))).toBe(
      'priority_not_open',
    );
    await advanceTo(app, roundId, 'priority');
    const first = must(await prioritize(app.service, roundId, person(1), ['mentorordninger']));
    expect(first.outcome).toBe('recorded');
    expect(first.view.yours).toContain('Mentorordninger');
    const changed = must(
      await prioritize(app.service, roundId, person(1), ['undgaa-stress', 'mentorordninger']),
    );
    expect(changed.outcome).toBe('changed');
    expect(changed.view.progress.text).toBe('1 af 2 har svaret');
    for (const bad of [
      [],
      ['a', 'a'],
      ['constructor'],
      'mentorordninger',
      [1],
      ['x', 'y', 'z', 'w'],
    ]) {
      expect(codeOf(await prioritize(app.service, roundId, person(2), bad))).not.toBe('ok');
    }
    await command(app, roundId, { type: 'next' });
    expect((await app.store.counts(roundId)).tallies.priority).toEqual({
      ballots: 1,
      counts: { 'undgaa-stress': 1, mentorordninger: 1 },
    });
  });
});

describe('async mode', () => {
  it('a step deadline fires through the scheduler and opens every rating card', async () => {
    const app = await h.open();
    const roundId = await startRound(app, 'async');
    const started = await load(app, roundId);
    expect(started.state.step).toBe('status');
    const deadline = started.state.deadline;
    expect(deadline).toBe(h.clock.now() + 60 * 60_000);
    if (deadline === null) return;
    expect(await app.scheduler.pending(roundId)).toMatchObject([
      { type: 'deadline', step: 'status', deadline, runAt: deadline },
    ]);

    // Not yet due: nothing happens.
    h.clock.set(deadline - 1);
    expect(await poll(app)).toBe(0);
    expect((await load(app, roundId)).version).toBe(started.version);

    h.clock.set(deadline + 1);
    h.take();
    expect(await poll(app)).toBe(1);
    const rating = await load(app, roundId);
    expect(rating.version).toBe(started.version + 1);
    expect(rating.state.step).toBe('rating');
    const phases = Object.values(rating.state.cards);
    expect(phases).toHaveLength(30);
    expect(phases.every((p) => p === 'open')).toBe(true);
    expect(rating.state.deadline).toBe(deadline + 1 + 120 * 60_000);
    const sent = h.take();
    expect(sent.slice(0, 4)).toEqual([
      'group:status',
      'group:scope',
      'group:rating',
      'facilitator:facilitator',
    ]);
    expect(sent.filter((k) => k === 'group:cardVote')).toHaveLength(30);
    expect(await app.scheduler.pending(roundId)).toMatchObject([
      { type: 'deadline', step: 'rating', deadline: rating.state.deadline },
    ]);
    // Polling again delivers nothing.
    expect(await poll(app)).toBe(0);
    expect((await load(app, roundId)).version).toBe(rating.version);

    // The rating deadline closes all cards and moves on.
    must(await vote(app.service, roundId, person(1), 'undgaa-stress', 2));
    h.clock.set(rating.state.deadline ?? 0);
    expect(await poll(app)).toBe(1);
    const custom = await load(app, roundId);
    expect(custom.state.step).toBe('custom');
    expect(Object.values(custom.state.cards).every((p) => p === 'closed')).toBe(true);
    expect((await app.store.counts(roundId)).tallies['card:undgaa-stress']).toEqual({
      ballots: 1,
      counts: { '2': 1 },
    });
  });

  it('a stale deadline job is harmless', async () => {
    const app = await h.open();
    const roundId = await startRound(app, 'async');
    const deadline = (await load(app, roundId)).state.deadline ?? 0;
    h.clock.set(deadline);
    await poll(app);
    const moved = await load(app, roundId);
    expect(moved.state.step).toBe('rating');
    h.take();

    const stale: Job = {
      id: `deadline:${roundId}:status`,
      roundId,
      runAt: deadline,
      type: 'deadline',
      step: 'status',
      deadline,
    };
    // Delivered directly (a second delivery) and through the scheduler under another id.
    await app.service.handleJob(stale);
    await app.scheduler.schedule({ ...stale, id: 'stale-copy' });
    await app.scheduler.schedule({
      ...stale,
      id: 'wrong-deadline',
      step: 'rating',
      deadline: deadline + 5,
    });
    expect(await poll(app)).toBe(2);
    await app.service.handleJob({ ...stale, roundId: 'no-such-round' });
    const after = await load(app, roundId);
    expect(after.version).toBe(moved.version);
    expect(after.state).toEqual(moved.state);
    expect(h.take()).toEqual([]);
    // The stale jobs completed (no retries pending); the real rating deadline still is.
    const pending = await app.scheduler.pending(roundId);
    expect(pending.map((j) => j.id)).toEqual([`deadline:${roundId}:rating`]);
  });

  it('a paused round ignores its old deadline and resumes with a moved one', async () => {
    const app = await h.open();
    const roundId = await startRound(app, 'async');
    const pausedAt = h.clock.now();
    const deadline = (await load(app, roundId)).state.deadline ?? 0;
    await command(app, roundId, { type: 'pause' });
    expect(await app.scheduler.pending(roundId)).toEqual([]);
    h.clock.set(deadline + 10 * 60_000);
    expect(await poll(app)).toBe(0);
    expect((await load(app, roundId)).state.step).toBe('status');
    const resumed = await command(app, roundId, { type: 'resume' });
    // The deadline moves by exactly the time the round was paused.
    const moved = deadline + (h.clock.now() - pausedAt);
    expect(resumed.state.deadline).toBe(moved);
    expect(await app.scheduler.pending(roundId)).toMatchObject([{ runAt: moved, deadline: moved }]);
    h.clock.set(moved);
    expect(await poll(app)).toBe(1);
    expect((await load(app, roundId)).state.step).toBe('rating');
  });
});

describe('follow-up reminders', () => {
  const TZ = 'Europe/Copenhagen';

  async function planRound(app: EmbeddedApp) {
    const roundId = await startRound(app);
    await advanceTo(app, roundId, 'summary');
    const due = addDays(epochToZonedDate(h.clock.now(), TZ), 10);
    await command(app, roundId, {
      type: 'addPlanItem',
      itemId: 'p1',
      input: {
        what: 'Stressforebyggelse',
        goal: 'Færre sygemeldinger',
        actions: 'Workshop',
        owner: { name: 'AMR' },
        due,
        link: { kind: 'card', id: 'undgaa-stress' },
      },
    });
    const [before, onDay] = reminderTimes(due, 7, 9, TZ);
    if (!before || !onDay) throw new Error('expected two reminder times');
    h.take();
    return { roundId, due, before: before.at, onDay: onDay.at };
  }

  const reminders = () =>
    h.messages.filter((m) => m.view.kind === 'reminder').map((m) => m.view as ReminderView);

  it('fires 7 days before and on the day, once each, even when polled repeatedly', async () => {
    const app = await h.open();
    const { roundId, due, before, onDay } = await planRound(app);
    expect(await app.scheduler.pending(roundId)).toEqual([
      {
        id: `reminder:${roundId}:p1:7`,
        roundId,
        runAt: before,
        type: 'reminder',
        itemId: 'p1',
        due,
        daysBefore: 7,
      },
      {
        id: `reminder:${roundId}:p1:0`,
        roundId,
        runAt: onDay,
        type: 'reminder',
        itemId: 'p1',
        due,
        daysBefore: 0,
      },
    ]);
    // 09:00 in Copenhagen (winter time, UTC+1).
    expect(new Date(onDay).toISOString()).toBe(`${due}T08:00:00.000Z`);
    // Ending the round keeps the reminders.
    await command(app, roundId, { type: 'next' });
    expect(await app.scheduler.pending(roundId)).toHaveLength(2);
    h.take();

    h.clock.set(before - 1);
    expect(await poll(app)).toBe(0);
    h.clock.set(before);
    expect(await poll(app)).toBe(1);
    for (let i = 0; i < 3; i++) expect(await poll(app)).toBe(0);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]?.text).toMatch(/^Om 7 dage \(.*\) er fristen for: Stressforebyggelse$/);

    h.clock.set(onDay + DAY);
    expect(await poll(app)).toBe(1);
    for (let i = 0; i < 3; i++) expect(await poll(app)).toBe(0);
    const sent = reminders();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toBe('I dag er fristen for: Stressforebyggelse');
    expect(sent[1]?.owner).toBe('Ansvarlig: AMR');
    expect(sent[1]?.actions.map((a) => a.command)).toEqual([
      'planDone',
      'planPostpone',
      'planBlocked',
    ]);
    expect(h.messages.every((m) => m.audience === 'group')).toBe(true);
    expect(h.take()).toEqual(['group:reminder', 'group:reminder']);
    expect(await app.scheduler.pending(roundId)).toEqual([]);
  });

  it('an item marked done before its due date gets no further reminder', async () => {
    const app = await h.open();
    const { roundId, before, onDay } = await planRound(app);
    h.clock.set(before);
    expect(await poll(app)).toBe(1);
    await command(app, roundId, { type: 'setPlanStatus', itemId: 'p1', status: 'done' });
    expect(await app.scheduler.pending(roundId)).toEqual([]);
    h.clock.set(onDay + 1);
    expect(await poll(app)).toBe(0);
    // Even a delivery that slipped through (a late duplicate) sends nothing for a done item.
    await app.service.handleJob({
      id: `reminder:${roundId}:p1:0`,
      roundId,
      runAt: onDay,
      type: 'reminder',
      itemId: 'p1',
      due: addDays(epochToZonedDate(before, TZ), 7),
      daysBefore: 0,
    });
    expect(reminders()).toHaveLength(1);
  });

  it('a postponed item is reminded about its new date, not the old one', async () => {
    const app = await h.open();
    const { roundId, due, onDay } = await planRound(app);
    await command(app, roundId, { type: 'postponePlanItem', itemId: 'p1', days: 7 });
    const pending = await app.scheduler.pending(roundId);
    expect(pending.map((j) => j.type === 'reminder' && j.due)).toEqual([
      addDays(due, 7),
      addDays(due, 7),
    ]);
    // An old job delivered anyway is ignored.
    await app.service.handleJob({
      id: 'old',
      roundId,
      runAt: onDay,
      type: 'reminder',
      itemId: 'p1',
      due,
      daysBefore: 0,
    });
    h.clock.set(onDay);
    expect(await poll(app)).toBe(1); // the new 7-days-before reminder, which is due on the old date
    expect(reminders().map((r) => r.text)).toEqual([
      expect.stringMatching(/^Om 7 dage/) as unknown as string,
    ]);
  });

  it('survives a restart: a new app on the same file fires the reminder once', async () => {
    const first = await h.open();
    const { roundId, before, onDay } = await planRound(first);
    await first.close();

    const second = await h.open();
    h.clock.set(before + 60_000);
    expect(await poll(second)).toBe(1);
    expect(await poll(second)).toBe(0);
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]?.roundId).toBe(roundId);
    await second.close();

    const third = await h.open();
    h.clock.set(onDay);
    expect(await poll(third)).toBe(1);
    expect(await poll(third)).toBe(0);
    expect(reminders().map((r) => r.text)).toEqual([
      expect.stringMatching(/^Om 7 dage/) as unknown as string,
      'I dag er fristen for: Stressforebyggelse',
    ]);
  });
});

describe('anonymity at rest and in logs', () => {
  it('keeps user ids, free text, names and vote values out of logs and the database', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (s: string) => void lines.push(s) });
    const app = await h.open(logger);
    const other = await h.open(logger);
    const people = Array.from({ length: 6 }, (_, i) => person(i + 1));
    const NOTE = 'Hemmelig statusnote om lederen';
    const TITLE = 'Fortrolig egen indsats';
    const OWNER = 'Birgitte Nyborg-Hansen';

    const roundId = await startRound(app);
    for (const p of people) must(await app.service.join(roundId, p));
    await advanceTo(app, roundId, 'status');
    // Concurrent notes through two processes also produce conflict logs.
    const notes = await Promise.all(
      people.map((p, i) =>
        (i % 2 ? app : other).service.command(roundId, p, {
          type: 'addStatusNote',
          noteId: `note-${i}`,
          areaId: null,
          text: `${NOTE} ${i}`,
        }),
      ),
    );
    expect(notes.every((r) => r.ok)).toBe(true);
    await command(app, roundId, { type: 'handOver', to: person(1) });
    await command(app, roundId, { type: 'handOver', to: FAC }, person(1));
    // Refusals are part of the log, too.
    expect(codeOf(await app.service.command(roundId, person(2), { type: 'next' }))).toBe(
      'not_facilitator',
    );
    await advanceTo(app, roundId, 'rating');
    await command(app, roundId, { type: 'openNextCard' });
    await Promise.all(people.map((p) => vote(other.service, roundId, p, 'mentorordninger', 3)));
    await vote(app.service, roundId, person(1), 'mentorordninger', 9);

    // At rest: ballots and participants hold keyed hashes only.
    const raw = new Set([FAC, ...people].map((p) => p.userId));
    const keys = new Set([FAC, ...people].map((p) => app.service.keyOf(roundId, p)));
    const ballots = app.store.db.prepare('SELECT voter_key FROM ballots').all();
    expect(ballots).toHaveLength(6);
    const participants = app.store.db.prepare('SELECT voter_key FROM participants').all();
    expect(participants).toHaveLength(7);
    for (const row of [...ballots, ...participants]) {
      const key = String(row.voter_key);
      expect(raw.has(key)).toBe(false);
      expect(key).not.toContain('participant-');
      expect(keys.has(key)).toBe(true);
    }

    await command(app, roundId, { type: 'next' });
    await command(
      other,
      roundId,
      {
        type: 'addCustomCard',
        cardId: 'c1',
        missionId: 'ledere',
        title: TITLE,
        description: 'Beskrivelse',
      },
      person(3),
    );
    await command(app, roundId, { type: 'openNextCard' });
    await Promise.all(people.map((p, i) => vote(app.service, roundId, p, 'c1', (i % 5) + 1)));
    await advanceTo(app, roundId, 'priority');
    await Promise.all(people.map((p) => prioritize(app.service, roundId, p, ['c1'])));
    await advanceTo(app, roundId, 'summary');
    const due = addDays(epochToZonedDate(h.clock.now(), 'Europe/Copenhagen'), 10);
    await command(app, roundId, {
      type: 'addPlanItem',
      itemId: 'p1',
      input: {
        what: 'Mentorordning',
        goal: 'Mål',
        actions: 'Handling',
        owner: { name: OWNER },
        due,
        link: null,
      },
    });
    await command(app, roundId, { type: 'next' });
    h.clock.advance(11 * DAY);
    expect(await poll(app)).toBe(2);
    await app.service.handleJob({
      id: 'gone',
      roundId,
      runAt: 0,
      type: 'reminder',
      itemId: 'nope',
      due,
      daysBefore: 0,
    });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(0);
    expect(log).toContain('round started');
    expect(log).toContain('version conflict, retrying');
    const forbidden = [
      'participant-',
      NOTE,
      TITLE,
      OWNER,
      'Nyborg',
      'Mentorordning',
      SECRET,
      ...keys,
    ];
    for (const text of forbidden) expect(log).not.toContain(text);
    expect(log).not.toMatch(/"value":\s*"?([1-9]|na)\b/);
    expect(log).not.toMatch(/"(userId|text|owner|identity)":\s*"(?!\[redacted\])/);

    // Nothing in any table, nor in the file on disk, holds a raw user id.
    const db = app.store.db;
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      .all()
      .map((r) => String(r.name));
    expect(tables).toEqual(expect.arrayContaining(['rounds', 'ballots', 'participants', 'jobs']));
    for (const table of tables) {
      const dump = JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all());
      expect(dump).not.toContain('participant-');
    }
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    for (const file of [h.path, `${h.path}-wal`]) {
      if (existsSync(file)) expect(readFileSync(file).includes('participant-')).toBe(false);
    }
  });
});
