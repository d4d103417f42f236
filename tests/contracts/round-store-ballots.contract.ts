import { beforeEach, describe, expect, it } from 'vitest';
import type { BoxId, RoundState } from '../../src/core/model.ts';
import { roundFixture } from '../fixtures/round.ts';
import type { StoreTestContext } from './round-store.contract.ts';

export const CARD: BoxId = 'card:mentorordninger';
export const PENDING_CARD: BoxId = 'card:interne-lederfora';
export const AT = Date.UTC(2026, 10, 23, 10, 0, 0);

/** Closes the mentorordninger card box (seals it) in a copy of `state`. */
export const closeCard = (state: RoundState): RoundState => ({
  ...state,
  cards: { ...state.cards, mentorordninger: 'closed' },
});

/** Ballot boxes and participants: the anonymity-critical half of the store contract. */
export function ballotContract(t: StoreTestContext): void {
  describe('ballots', () => {
    beforeEach(async () => {
      await t.store.create(roundFixture());
    });

    it('loses no vote when 200 voters vote at once', async () => {
      const values = [1, 2, 3, 4, 5, 'na'] as const;
      const casts = Array.from({ length: 200 }, (_, i) =>
        t.store.castBallot('r-fixture', CARD, `voter-${i}`, values[i % 6] ?? 'na', AT + i),
      );
      const results = await Promise.all(casts);
      expect(results.every((r) => r.ok && r.outcome === 'recorded')).toBe(true);
      expect(Math.max(...results.map((r) => (r.ok ? r.ballots : 0)))).toBe(200);
      const before = await t.store.counts('r-fixture');
      expect(before.ballots[CARD]).toBe(200);
      expect(before.participants).toBe(200);
      await t.saveOk(closeCard(roundFixture()));
      const { tallies } = await t.store.counts('r-fixture');
      // 200 = 6 * 33 + 2: values 1 and 2 get one extra ballot.
      expect(tallies[CARD]).toEqual({
        ballots: 200,
        counts: { '1': 34, '2': 34, '3': 33, '4': 33, '5': 33, na: 33 },
      });
    });

    it('keeps one ballot per voter: the latest', async () => {
      const cast = (v: 3 | 5) => t.store.castBallot('r-fixture', CARD, 'voter-a', v, AT);
      expect(await cast(3)).toMatchObject({ ok: true, outcome: 'recorded', ballots: 1 });
      expect(await cast(5)).toMatchObject({ ok: true, outcome: 'changed', ballots: 1 });
      expect(await cast(5)).toMatchObject({ ok: true, outcome: 'unchanged', ballots: 1 });
      expect(await t.store.ballotOf('r-fixture', CARD, 'voter-a')).toBe(5);
      await t.saveOk(closeCard(roundFixture()));
      expect((await t.store.counts('r-fixture')).tallies[CARD]).toEqual({
        ballots: 1,
        counts: { '5': 1 },
      });
    });

    it('rejects ballots for boxes that are not open and for unknown rounds', async () => {
      const reject = (box: BoxId, round = 'r-fixture') =>
        t.store.castBallot(round, box, 'voter-a', box === 'priority' ? ['x'] : 4, AT);
      expect(await reject(PENDING_CARD)).toEqual({ ok: false, reason: 'box_not_open' });
      expect(await reject('card:never-heard-of')).toEqual({ ok: false, reason: 'box_not_open' });
      expect(await reject('priority')).toEqual({ ok: false, reason: 'box_not_open' });
      expect(await reject(CARD, 'no-such-round')).toEqual({
        ok: false,
        reason: 'round_not_found',
      });
      await t.saveOk(closeCard(roundFixture()));
      expect(await reject(CARD)).toEqual({ ok: false, reason: 'box_not_open' });
      const counts = await t.store.counts('r-fixture');
      expect(counts.participants).toBe(0);
      expect(counts.tallies[CARD]).toEqual({ ballots: 0, counts: {} });
    });

    it('deletes per-voter ballots when a box is sealed, keeping exact counts', async () => {
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 2, AT);
      await t.store.castBallot('r-fixture', CARD, 'voter-b', 2, AT);
      await t.store.castBallot('r-fixture', CARD, 'voter-c', 'na', AT);
      await t.saveOk(closeCard(roundFixture()));
      expect(await t.store.ballotOf('r-fixture', CARD, 'voter-a')).toBeUndefined();
      const counts = await t.store.counts('r-fixture');
      expect(counts.ballots[CARD]).toBeUndefined();
      expect(counts.tallies[CARD]).toEqual({ ballots: 3, counts: { '2': 2, na: 1 } });
      expect(counts.participants).toBe(3);
    });

    it('opens boxes listed by a save and reports empty open boxes as 0', async () => {
      await t.saveOk(
        roundFixture({ cards: { mentorordninger: 'open', 'interne-lederfora': 'open' } }),
      );
      expect((await t.store.counts('r-fixture')).ballots).toEqual({ [CARD]: 0, [PENDING_CARD]: 0 });
      const cast = await t.store.castBallot('r-fixture', PENDING_CARD, 'voter-a', 1, AT);
      expect(cast).toMatchObject({ ok: true, outcome: 'recorded', ballots: 1 });
    });

    it('returns the round version and the counts after the ballot, as counts() reads them', async () => {
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 2, AT);
      await t.saveOk(
        roundFixture({ cards: { mentorordninger: 'closed', 'interne-lederfora': 'open' } }),
      );
      await t.store.join('r-fixture', 'voter-z', AT);
      const cast = await t.store.castBallot('r-fixture', PENDING_CARD, 'voter-b', 5, AT);
      const version = (await t.store.load('r-fixture'))?.version;
      expect(version).toBe(2);
      expect(cast).toEqual({
        ok: true,
        outcome: 'recorded',
        ballots: 1,
        version,
        counts: await t.store.counts('r-fixture'),
      });
      // voter-a (first ballot), voter-z (joined), voter-b (this ballot); the sealed card's tally.
      expect(cast.ok && cast.counts).toEqual({
        participants: 3,
        ballots: { [PENDING_CARD]: 1 },
        tallies: { [CARD]: { ballots: 1, counts: { '2': 1 } } },
      });
    });

    it('seals every box when the round ends', async () => {
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 4, AT);
      await t.saveOk(roundFixture({ status: 'ended' }));
      const counts = await t.store.counts('r-fixture');
      expect(counts.ballots).toEqual({});
      expect(counts.tallies[CARD]).toEqual({ ballots: 1, counts: { '4': 1 } });
    });

    it('counts each card id of the priority box once per ballot', async () => {
      const open = roundFixture({ cards: { mentorordninger: 'closed' }, priority: 'open' });
      await t.saveOk(open);
      await t.store.castBallot('r-fixture', 'priority', 'voter-a', ['a', 'b'], AT);
      await t.store.castBallot('r-fixture', 'priority', 'voter-b', ['b', 'c'], AT);
      await t.store.castBallot('r-fixture', 'priority', 'voter-c', ['b', 'b'], AT);
      expect(await t.store.ballotOf('r-fixture', 'priority', 'voter-b')).toEqual(['b', 'c']);
      await t.saveOk({ ...open, priority: 'closed' });
      expect((await t.store.counts('r-fixture')).tallies.priority).toEqual({
        ballots: 3,
        counts: { a: 1, b: 3, c: 1 },
      });
    });

    it('counts which of the given boxes hold a ballot of a voter (who voted, not what)', async () => {
      await t.saveOk(
        roundFixture({ cards: { mentorordninger: 'open', 'interne-lederfora': 'open' } }),
      );
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 2, AT);
      await t.store.castBallot('r-fixture', PENDING_CARD, 'voter-a', 'na', AT);
      await t.store.castBallot('r-fixture', CARD, 'voter-b', 5, AT);
      const both = [CARD, PENDING_CARD];
      expect(await t.store.ballotCount('r-fixture', 'voter-a', both)).toBe(2);
      expect(await t.store.ballotCount('r-fixture', 'voter-b', both)).toBe(1);
      expect(await t.store.ballotCount('r-fixture', 'voter-b', [PENDING_CARD])).toBe(0);
      expect(await t.store.ballotCount('r-fixture', 'voter-z', both)).toBe(0);
      expect(await t.store.ballotCount('r-fixture', 'voter-a', [])).toBe(0);
      expect(await t.store.ballotCount('no-such-round', 'voter-a', both)).toBe(0);
      // A changed vote is still one ballot; a sealed box keeps no voters.
      await t.store.castBallot('r-fixture', CARD, 'voter-b', 4, AT + 1);
      expect(await t.store.ballotCount('r-fixture', 'voter-b', both)).toBe(1);
      await t.saveOk(
        roundFixture({ cards: { mentorordninger: 'closed', 'interne-lederfora': 'open' } }),
      );
      expect(await t.store.ballotCount('r-fixture', 'voter-a', both)).toBe(1);
      expect(await t.store.ballotCount('r-fixture', 'voter-b', both)).toBe(0);
    });

    it('re-opens a sealed box empty and adds its next seal to the old tally', async () => {
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 1, AT);
      await t.store.castBallot('r-fixture', CARD, 'voter-b', 2, AT);
      await t.saveOk(closeCard(roundFixture()));
      await t.saveOk(roundFixture());
      const reopened = await t.store.counts('r-fixture');
      expect(reopened.ballots[CARD]).toBe(0);
      expect(reopened.tallies[CARD]).toBeUndefined();
      expect(await t.store.ballotOf('r-fixture', CARD, 'voter-a')).toBeUndefined();
      await t.store.castBallot('r-fixture', CARD, 'voter-c', 2, AT);
      await t.saveOk(closeCard(roundFixture()));
      expect((await t.store.counts('r-fixture')).tallies[CARD]).toEqual({
        ballots: 3,
        counts: { '1': 1, '2': 2 },
      });
    });
  });

  describe('participants', () => {
    beforeEach(async () => {
      await t.store.create(roundFixture());
    });

    it('counts joins once per voter, and voters who voted', async () => {
      expect(await t.store.join('r-fixture', 'voter-a', AT)).toBe(1);
      expect(await t.store.join('r-fixture', 'voter-a', AT + 1)).toBe(1);
      expect(await t.store.join('r-fixture', 'voter-b', AT)).toBe(2);
      await t.store.castBallot('r-fixture', CARD, 'voter-a', 3, AT);
      await t.store.castBallot('r-fixture', CARD, 'voter-c', 3, AT);
      expect(await t.store.hasJoined('r-fixture', 'voter-c')).toBe(true);
      expect(await t.store.hasJoined('r-fixture', 'voter-z')).toBe(false);
      expect((await t.store.counts('r-fixture')).participants).toBe(3);
    });
  });
}
