/**
 * The app's privacy operations (issue 8), on a real SQLite file: deleting a
 * round with everything stored about it, exporting everything stored about
 * a round without who voted what, and forgetting a person across the rounds
 * of a platform. Logs hold counts, never the person.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nudgeClaimKey } from '../../src/app/nudges.ts';
import { deleteRound } from '../../src/app/privacy.ts';
import { exportRound } from '../../src/app/privacy-export.ts';
import { forgetUser } from '../../src/app/privacy-forget.ts';
import type { RoundState } from '../../src/core/model.ts';
import type { Job } from '../../src/core/ports.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';
import { expectNoPersonalData } from './log-capture.ts';
import {
  DAY,
  finishedRound,
  ownedItem,
  type PrivacyWorld,
  privacyWorld,
  putRound,
  RETENTION,
} from './privacy-world.ts';

const CARD = 'card:mentorordninger';
const OTHER = 'card:interne-lederfora';

let w: PrivacyWorld;
beforeEach(async () => {
  w = await privacyWorld();
});
afterEach(async () => {
  await w.close();
});

const deadline = (roundId: string, runAt: number): Job => ({
  id: `${roundId}:deadline:rating`,
  roundId,
  runAt,
  type: 'deadline',
  step: 'rating',
  deadline: runAt,
});

describe('deleteRound', () => {
  it('deletes the round with its ballots, keys, jobs, claims and channel memory; nothing else', async () => {
    const deps = w.app.service.deps;
    const memory = w.app.store.channelMemory;
    for (const id of ['r-gone', 'r-stays']) {
      await w.app.store.create(roundFixture({ id }));
      await w.app.store.castBallot(id, CARD, 'voter-a', 4, 1);
      await w.app.store.join(id, 'voter-b', 1);
      await w.app.store.save(roundFixture({ id, step: 'custom' }), 1, { idempotencyKey: 'k1' });
      await w.app.scheduler.schedule(deadline(id, w.clock.now() + DAY));
      await memory.saveMessage('web', 'c-fixture', `${id}:card:mentorordninger`, 'm1');
      await w.app.store.claim(nudgeClaimKey(id, 'rating', 'voter-a'), DAY);
    }
    expect(await deleteRound(deps, 'r-gone')).toBe(true);

    expect(await w.app.store.load('r-gone')).toBeUndefined();
    expect(await w.app.store.counts('r-gone')).toEqual({
      participants: 0,
      ballots: {},
      tallies: {},
    });
    expect(await w.app.store.wasSaved('r-gone', 'k1')).toBe(false);
    expect(await w.app.scheduler.pending('r-gone')).toEqual([]);
    expect(await memory.message('web', 'c-fixture', 'r-gone:card:mentorordninger')).toBeUndefined();
    expect(await w.app.store.claim(nudgeClaimKey('r-gone', 'rating', 'voter-a'), DAY)).toBe(true);
    // On disk too: the rows are gone, not only hidden (secure_delete zeroes freed pages).
    const rows = (table: string) =>
      w.app.store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE round_id = ?`).get('r-gone');
    for (const table of ['ballots', 'participants', 'open_boxes', 'tallies']) {
      expect(rows(table)).toEqual({ n: 0 });
    }

    expect((await w.app.store.load('r-stays'))?.version).toBe(2);
    expect(await w.app.store.wasSaved('r-stays', 'k1')).toBe(true);
    expect(await w.app.scheduler.pending('r-stays')).toHaveLength(1);
    expect(await memory.message('web', 'c-fixture', 'r-stays:card:mentorordninger')).toBe('m1');
    expect(await w.app.store.claim(nudgeClaimKey('r-stays', 'rating', 'voter-a'), DAY)).toBe(false);
    expect(await deleteRound(deps, 'r-gone')).toBe(false);
  });
});

describe('exportRound', () => {
  /** A round with one sealed card rated by three, one sealed by two, one open box with two ballots. */
  async function roundWithVotes(): Promise<RoundState> {
    const state = roundFixture({
      id: 'r-export',
      cards: { mentorordninger: 'open', 'interne-lederfora': 'open' },
      plan: [planItemFixture({ status: 'open' })],
    });
    await w.app.store.create(state);
    for (const [voter, value] of [
      ['voter-a', 5],
      ['voter-b', 4],
      ['voter-c', 2],
    ] as const) {
      await w.app.store.castBallot(state.id, CARD, voter, value, 1);
    }
    await w.app.store.castBallot(state.id, OTHER, 'voter-a', 1, 1);
    await w.app.store.castBallot(state.id, OTHER, 'voter-b', 'na', 1);
    const sealed = {
      ...state,
      cards: { mentorordninger: 'closed' as const, 'interne-lederfora': 'closed' as const },
    };
    await w.app.store.save(sealed, 1);
    // A third card opens afterwards: its ballots are open, per voter.
    const reopened = { ...sealed, cards: { ...sealed.cards, 'tredje-kort': 'open' as const } };
    await w.app.store.save(reopened, 2);
    await w.app.store.castBallot(state.id, 'card:tredje-kort', 'voter-open-1', 3, 1);
    await w.app.store.castBallot(state.id, 'card:tredje-kort', 'voter-open-2', 4, 1);
    await w.app.scheduler.schedule(deadline(state.id, w.clock.now() + DAY));
    return reopened;
  }

  it('exports the round, counts and tallies, never a voter key, and withholds tallies below k', async () => {
    const state = await roundWithVotes();
    const data = await exportRound(w.app.service.deps, state.id, { retentionMs: RETENTION });
    expect(data).toMatchObject({
      format: 'dialogrunde.round-export',
      version: 1,
      exportedAt: new Date(w.clock.now()).toISOString(),
      round: state,
      storeVersion: 3,
      keepUntil: null,
      participants: 5,
      openBoxes: { 'card:tredje-kort': { ballots: 2 } },
      sealedBoxes: {
        [CARD]: { ballots: 3, counts: { '5': 1, '4': 1, '2': 1 } },
        // Two ballots, one rating: fewer than k = 3 rated, so only how many.
        [OTHER]: { ballots: 2, withheld: 'below_threshold' },
      },
      pendingJobs: [deadline(state.id, w.clock.now() + DAY)],
    });
    const json = JSON.stringify(data);
    for (const voter of ['voter-a', 'voter-b', 'voter-c', 'voter-open-1', 'voter-open-2']) {
      expect(json).not.toContain(voter);
    }
    expect(data?.omitted.join(' ')).toContain('DESIGN.md §4');
  });

  it('names when the retention period ends once the round is ended and done', async () => {
    await putRound(w.app, finishedRound('r-done', w.clock.now()));
    const data = await exportRound(w.app.service.deps, 'r-done', { retentionMs: RETENTION });
    expect(data?.keepUntil).toBe(new Date(w.clock.now() + RETENTION).toISOString());
    expect(await exportRound(w.app.service.deps, 'no-such-round', { retentionMs: 1 })).toBe(
      undefined,
    );
  });
});

describe('forgetUser', () => {
  const slack = (tenant: string, conversationId: string) => ({
    platform: 'slack' as const,
    tenant,
    conversationId,
  });

  it('replaces the person as owner in every round of the platform, in the round’s language', async () => {
    const a = roundFixture({ id: 'r-a', conversation: slack('T1', 'C1') });
    const b = roundFixture({
      id: 'r-b',
      conversation: slack('T2', 'C2'),
      settings: { ...roundFixture().settings, lang: 'en' },
    });
    const teams = roundFixture({
      id: 'r-teams',
      conversation: { platform: 'teams', tenant: 'T1', conversationId: 'x' },
    });
    const mine = (round: RoundState, id: string) =>
      ownedItem(id, round, 'U-ZEBULON', 'Zebulon Quarkmann');
    await putRound(w.app, { ...a, plan: [mine(a, 'p1'), ownedItem('p2', a, 'U-OTHER', 'Other')] });
    await putRound(w.app, {
      ...b,
      plan: [mine(b, 'p3')],
      facilitatorKey: mine(b, 'x').owner.key ?? '',
    });
    await putRound(w.app, { ...teams, plan: [mine(teams, 'p4')] });
    // A nudge this person got in round A, and one somebody else got.
    const keyA = mine(a, 'x').owner.key ?? '';
    await w.app.store.claim(nudgeClaimKey('r-a', 'rating', keyA), DAY);
    await w.app.store.claim(nudgeClaimKey('r-a', 'rating', 'someone-else'), DAY);

    const report = await forgetUser(w.app.service.deps, 'slack', 'U-ZEBULON');
    expect(report).toEqual({
      rounds: 2,
      owners: 2,
      nudges: 1,
      facilitating: ['r-b'],
      installations: 0,
    });
    const planOf = async (id: string) => (await w.app.store.load(id))?.state.plan ?? [];
    expect((await planOf('r-a')).map((i) => i.owner)).toEqual([
      { name: '(slettet bruger)' },
      ownedItem('p2', a, 'U-OTHER', 'Other').owner,
    ]);
    expect((await planOf('r-b')).map((i) => i.owner)).toEqual([{ name: '(deleted user)' }]);
    // Another platform's rounds are another person's.
    expect((await planOf('r-teams'))[0]?.owner.user?.userId).toBe('U-ZEBULON');
    expect(await w.app.store.claim(nudgeClaimKey('r-a', 'rating', keyA), DAY)).toBe(true);
    await w.app.store.release(nudgeClaimKey('r-a', 'rating', keyA));
    expect(await w.app.store.claim(nudgeClaimKey('r-a', 'rating', 'someone-else'), DAY)).toBe(
      false,
    );
    // Forgetting is no change of content: the retention clock does not restart.
    expect((await w.app.store.load('r-a'))?.state.updatedAt).toBe(a.updatedAt);

    const again = await forgetUser(w.app.service.deps, 'slack', 'U-ZEBULON');
    expect(again).toMatchObject({ rounds: 2, owners: 0, nudges: 0 });
    expectNoPersonalData(w.lines, { user: 'U-ZEBULON', name: 'Zebulon Quarkmann' });
    expect(w.lines.some((l) => l.includes('user forgotten'))).toBe(true);
  });

  it('goes through every page of the platform’s rounds', async () => {
    for (let i = 0; i < 130; i++) {
      const round = roundFixture({ id: `r-${i}`, createdAt: i, conversation: slack('T1', 'C1') });
      await putRound(w.app, { ...round, plan: [ownedItem('p', round, 'U-9', 'Nine')] });
    }
    const report = await forgetUser(w.app.service.deps, 'slack', 'U-9');
    expect(report).toMatchObject({ rounds: 130, owners: 130 });
    const left = await w.app.store.listByPlatform('slack', 200);
    for (const row of left) {
      expect((await w.app.store.load(row.id))?.state.plan[0]?.owner.user).toBeUndefined();
    }
  });
});
