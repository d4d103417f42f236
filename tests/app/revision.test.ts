import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { compareRevisions, revisionOf } from '../../src/app/revision.ts';
import { vote } from '../../src/app/voting.ts';
import type { OutboundMessage } from '../../src/core/ports.ts';
import { DEFAULTS } from '../web/harness.ts';

/** Every group message of a round carries the revision it shows (store version, progress). */

const person = (n: number): Identity => ({ platform: 'teams', tenant: 't', userId: `p-${n}` });
const CONVERSATION = { platform: 'teams', tenant: 't', conversationId: 'c' } as const;

describe('revisionOf and compareRevisions', () => {
  it('progress is participants plus ballots in open boxes; version orders first', () => {
    const counts = {
      participants: 4,
      ballots: { 'card:a': 3, priority: 2 },
      tallies: { 'card:b': { ballots: 9, counts: {} } },
    };
    expect(revisionOf(7, counts)).toEqual({ version: 7, progress: 9 });
    expect(compareRevisions({ version: 2, progress: 0 }, { version: 1, progress: 99 })).toBe(1);
    expect(compareRevisions({ version: 1, progress: 3 }, { version: 1, progress: 5 })).toBe(-2);
    expect(compareRevisions({ version: 1, progress: 3 }, { version: 1, progress: 3 })).toBe(0);
  });
});

describe('messages of a round carry their revision', () => {
  let dir: string;
  let app: EmbeddedApp;
  let messages: OutboundMessage[];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-revision-'));
    messages = [];
    app = await createEmbeddedApp({
      sqlitePath: join(dir, 'dialogrunde.db'),
      secret: 'revision-test-secret-0123456789-abcdefghij',
      clock: new ManualClock(),
      output: { send: async (m) => void messages.push(m) },
      decks: DeckCatalog.load(),
      defaults: DEFAULTS,
      logger: silentLogger(),
    });
  });
  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const take = () => messages.splice(0).map((m) => [m.view.kind, m.revision]);

  it('from the saved version and the counts; votes move progress, not the version', async () => {
    const started = await app.service.start(person(0), { conversation: CONVERSATION });
    if (!started.ok) throw new Error(started.error.code);
    const { roundId } = started.value;
    // Created at version 1, the starter has joined.
    expect(take()).toEqual([
      ['intro', { version: 1, progress: 1 }],
      ['facilitator', { version: 1, progress: 1 }],
    ]);
    for (const step of ['scope', 'status', 'rating']) {
      await app.service.command(roundId, person(0), { type: 'next' });
      expect(messages.every((m) => m.revision !== undefined)).toBe(true);
      expect((await app.store.load(roundId))?.state.step).toBe(step);
    }
    await app.service.command(roundId, person(0), { type: 'openCard', cardId: 'mentorordninger' });
    const version = (await app.store.load(roundId))?.version ?? 0;
    expect(take().at(-1)).toEqual(['facilitator', { version, progress: 1 }]);

    await vote(app.service, roundId, person(1), 'mentorordninger', 3);
    await vote(app.service, roundId, person(2), 'mentorordninger', 4);
    await vote(app.service, roundId, person(1), 'mentorordninger', 5); // changed: same counts
    // Each vote: a new participant (+1) and a ballot (+1).
    expect(take()).toEqual([
      ['cardVote', { version, progress: 3 }],
      ['cardVote', { version, progress: 5 }],
      ['cardVote', { version, progress: 5 }],
    ]);
  });
});
