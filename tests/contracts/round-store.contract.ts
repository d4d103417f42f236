import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RoundState } from '../../src/core/model.ts';
import type { RoundStore } from '../../src/core/ports.ts';
import type { ManualClock } from '../fixtures/manual-clock.ts';
import { roundFixture } from '../fixtures/round.ts';
import {
  AT,
  ballotContract,
  CARD,
  closeCard,
  PENDING_CARD,
} from './round-store-ballots.contract.ts';
import { privacyContract } from './round-store-privacy.contract.ts';

export interface RoundStoreHarness {
  store: RoundStore;
  /** Closes `store` and opens it again on the same data (persistent stores only). */
  reopen?: () => Promise<RoundStore>;
  /** Given when the store reads time from it: enables the expiry tests. */
  clock?: ManualClock;
  cleanup: () => Promise<void>;
}

/** What the split-out parts of the contract get: the current store and helpers. */
export interface StoreTestContext {
  readonly store: RoundStore;
  /** Saves `next` over the current version and expects success; returns the new version. */
  saveOk(next: RoundState): Promise<number>;
}

/** Registers the test only when the store has the capability (nothing shows as skipped). */
const whenever = (capable: boolean): typeof it =>
  capable ? it : ((() => undefined) as unknown as typeof it);

/** The behaviour every RoundStore must show. Each test gets a fresh, empty store. */
export function roundStoreContract(
  name: string,
  factory: () => Promise<RoundStoreHarness>,
  /** What the store offers; tests of a missing capability are not registered (never skipped). */
  caps: { durable: boolean; clock: boolean },
): void {
  describe(`RoundStore contract: ${name}`, () => {
    let h: RoundStoreHarness;
    let store: RoundStore;
    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    async function saveOk(next: RoundState): Promise<number> {
      const current = await store.load(next.id);
      const result = await store.save(next, current?.version ?? 0);
      expect(result.ok).toBe(true);
      return result.ok ? result.version : -1;
    }

    const context: StoreTestContext = {
      get store() {
        return store;
      },
      saveOk,
    };
    ballotContract(context);
    privacyContract(context);

    describe('documents and versions', () => {
      it('round-trips a created round at version 1', async () => {
        const state = roundFixture();
        expect(await store.create(state)).toEqual({ state, version: 1 });
        expect(await store.load(state.id)).toEqual({ state, version: 1 });
        expect(await store.load('no-such-round')).toBeUndefined();
      });

      it('refuses to create a round twice', async () => {
        await store.create(roundFixture());
        await expect(store.create(roundFixture({ step: 'intro' }))).rejects.toThrow();
        expect((await store.load('r-fixture'))?.state.step).toBe('rating');
      });

      it('saves on the right version and refuses a stale one', async () => {
        const state = roundFixture();
        await store.create(state);
        const next = { ...state, step: 'custom' as const, updatedAt: AT };
        expect(await store.save(next, 1)).toEqual({ ok: true, version: 2 });
        expect(await store.load(state.id)).toEqual({ state: next, version: 2 });
        const stale = { ...state, step: 'summary' as const };
        expect(await store.save(stale, 1)).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.load(state.id)).toEqual({ state: next, version: 2 });
      });

      it('lets exactly one of many concurrent saves on one version win', async () => {
        const state = roundFixture();
        await store.create(state);
        const saves = Array.from({ length: 20 }, (_, i) =>
          store.save({ ...state, updatedAt: AT + i }, 1),
        );
        const results = await Promise.all(saves);
        expect(results.filter((r) => r.ok)).toEqual([{ ok: true, version: 2 }]);
        expect((await store.load(state.id))?.version).toBe(2);
      });

      it('saves at most once per idempotency key', async () => {
        const state = roundFixture();
        await store.create(state);
        const first = { ...state, step: 'custom' as const };
        expect(await store.save(first, 1, { idempotencyKey: 'k1' })).toEqual({
          ok: true,
          version: 2,
        });
        const again = { ...state, step: 'summary' as const };
        expect(await store.save(again, 2, { idempotencyKey: 'k1' })).toEqual({
          ok: false,
          reason: 'duplicate',
        });
        expect(await store.load(state.id)).toEqual({ state: first, version: 2 });
      });

      it('does not use up an idempotency key on a conflict', async () => {
        const state = roundFixture();
        await store.create(state);
        expect(await store.save(state, 7, { idempotencyKey: 'k2' })).toEqual({
          ok: false,
          reason: 'conflict',
        });
        expect(await store.save(state, 1, { idempotencyKey: 'k2' })).toEqual({
          ok: true,
          version: 2,
        });
      });
    });

    describe('idempotency keys of saves', () => {
      it('wasSaved is true only after a save with that key succeeded', async () => {
        const { id } = roundFixture();
        await store.create(roundFixture());
        expect(await store.wasSaved(id, 'evt-1')).toBe(false);
        // A conflicting save does not use up the key.
        expect(await store.save(roundFixture(), 7, { idempotencyKey: 'evt-1' })).toEqual({
          ok: false,
          reason: 'conflict',
        });
        expect(await store.wasSaved(id, 'evt-1')).toBe(false);
        await saveOk(roundFixture({ step: 'custom' }));
        expect(await store.wasSaved(id, 'evt-1')).toBe(false);
        expect(await store.save(roundFixture(), 2, { idempotencyKey: 'evt-1' })).toEqual({
          ok: true,
          version: 3,
        });
        expect(await store.wasSaved(id, 'evt-1')).toBe(true);
        // Claims live in their own namespace.
        expect(await store.claim('evt-2', 60_000)).toBe(true);
        expect(await store.wasSaved(id, 'evt-2')).toBe(false);
      });

      it('scopes an idempotency key to its round', async () => {
        const one = roundFixture();
        const two = roundFixture({ id: 'round-2' });
        await store.create(one);
        await store.create(two);
        expect(await store.save({ ...one, step: 'custom' }, 1, { idempotencyKey: 'k' })).toEqual({
          ok: true,
          version: 2,
        });
        expect(await store.wasSaved(two.id, 'k')).toBe(false);
        expect(await store.save({ ...two, step: 'custom' }, 1, { idempotencyKey: 'k' })).toEqual({
          ok: true,
          version: 2,
        });
        expect(await store.save({ ...one, step: 'summary' }, 2, { idempotencyKey: 'k' })).toEqual({
          ok: false,
          reason: 'duplicate',
        });
      });
    });

    describe('claims', () => {
      it('grants a key once while the claim lives', async () => {
        expect(await store.claim('event-1', 60_000)).toBe(true);
        expect(await store.claim('event-1', 60_000)).toBe(false);
        expect(await store.claim('event-2', 60_000)).toBe(true);
      });

      it('keeps claims apart from save idempotency keys', async () => {
        await store.create(roundFixture());
        expect(await store.claim('same', 60_000)).toBe(true);
        expect(await store.save(roundFixture(), 1, { idempotencyKey: 'same' })).toEqual({
          ok: true,
          version: 2,
        });
      });

      whenever(caps.clock)('grants the key again after it expired', async () => {
        if (!h.clock) throw new Error('the harness declared a clock but gave none');
        expect(await store.claim('event-1', 1000)).toBe(true);
        h.clock.advance(999);
        expect(await store.claim('event-1', 1000)).toBe(false);
        h.clock.advance(1);
        expect(await store.claim('event-1', 1000)).toBe(true);
      });

      it('release gives a live claim back at once; other claims stay', async () => {
        expect(await store.claim('event-1', 60_000)).toBe(true);
        expect(await store.claim('event-2', 60_000)).toBe(true);
        expect(await store.release('event-1')).toBe(true);
        // Released once: nothing left to release.
        expect(await store.release('event-1')).toBe(false);
        expect(await store.claim('event-2', 60_000)).toBe(false);
        // The key can be claimed again, and then holds as before.
        expect(await store.claim('event-1', 60_000)).toBe(true);
        expect(await store.claim('event-1', 60_000)).toBe(false);
      });

      it('release of a key that was never claimed changes nothing', async () => {
        expect(await store.release('never-claimed')).toBe(false);
        expect(await store.claim('never-claimed', 60_000)).toBe(true);
        expect(await store.claim('never-claimed', 60_000)).toBe(false);
      });

      it('release never frees a save idempotency key of the same name', async () => {
        await store.create(roundFixture());
        expect(await store.save(roundFixture(), 1, { idempotencyKey: 'same' })).toEqual({
          ok: true,
          version: 2,
        });
        expect(await store.release('same')).toBe(false);
        expect(await store.wasSaved(roundFixture().id, 'same')).toBe(true);
        expect(await store.save(roundFixture(), 2, { idempotencyKey: 'same' })).toEqual({
          ok: false,
          reason: 'duplicate',
        });
      });

      whenever(caps.clock)('release of an expired claim answers false', async () => {
        if (!h.clock) throw new Error('the harness declared a clock but gave none');
        expect(await store.claim('event-1', 1000)).toBe(true);
        h.clock.advance(1000);
        expect(await store.release('event-1')).toBe(false);
        expect(await store.claim('event-1', 1000)).toBe(true);
      });
    });

    describe('listing, deleting, health', () => {
      const conv = { platform: 'slack' as const, tenant: 'T1', conversationId: 'C1' };
      const inConv = (id: string, createdAt: number, updatedAt: number) =>
        roundFixture({ id, createdAt, updatedAt, conversation: conv });

      it('lists the rounds of a conversation, newest first', async () => {
        await store.create(inConv('r-old', AT, AT + 9_000));
        await store.create(inConv('r-new', AT + 2_000, AT + 2_000));
        await store.create(inConv('r-mid', AT + 1_000, AT + 1_000));
        await store.create(roundFixture({ id: 'r-elsewhere' }));
        const rows = await store.listByConversation(conv, 10);
        expect(rows.map((r) => r.id)).toEqual(['r-new', 'r-mid', 'r-old']);
        expect(rows[2]).toEqual({
          id: 'r-old',
          conversation: conv,
          step: 'rating',
          status: 'active',
          updatedAt: AT + 9_000,
        });
        expect((await store.listByConversation(conv, 2)).map((r) => r.id)).toEqual([
          'r-new',
          'r-mid',
        ]);
        const other = { ...conv, tenant: 'T2' };
        expect(await store.listByConversation(other, 10)).toEqual([]);
      });

      it('lists the rounds of a tenant across its conversations, newest first', async () => {
        const other = { ...conv, conversationId: 'C2' };
        await store.create(inConv('r-old', AT, AT + 9_000));
        await store.create(
          roundFixture({ id: 'r-c2', createdAt: AT + 3_000, conversation: other }),
        );
        await store.create(inConv('r-new', AT + 2_000, AT + 2_000));
        await store.create(
          roundFixture({
            id: 'r-t2',
            createdAt: AT + 5_000,
            conversation: { ...conv, tenant: 'T2' },
          }),
        );
        await store.create(
          roundFixture({ id: 'r-teams', conversation: { ...conv, platform: 'teams' } }),
        );
        const rows = await store.listByTenant('slack', 'T1', 10);
        expect(rows.map((r) => r.id)).toEqual(['r-c2', 'r-new', 'r-old']);
        expect(rows[0]?.conversation).toEqual(other);
        expect(rows[2]).toEqual({
          id: 'r-old',
          conversation: conv,
          step: 'rating',
          status: 'active',
          updatedAt: AT + 9_000,
        });
        expect((await store.listByTenant('slack', 'T1', 2)).map((r) => r.id)).toEqual([
          'r-c2',
          'r-new',
        ]);
        expect((await store.listByTenant('slack', 'T2', 10)).map((r) => r.id)).toEqual(['r-t2']);
        expect(await store.listByTenant('web', 'T1', 10)).toEqual([]);
        expect(await store.delete('r-c2')).toBe(true);
        expect((await store.listByTenant('slack', 'T1', 10)).map((r) => r.id)).toEqual([
          'r-new',
          'r-old',
        ]);
      });

      it('deletes a round with everything it had', async () => {
        await store.create(inConv('r-gone', AT, AT));
        await store.castBallot('r-gone', CARD, 'voter-a', 4, AT);
        await store.castBallot('r-gone', CARD, 'voter-b', 4, AT);
        await saveOk(closeCard(inConv('r-gone', AT, AT)));
        await store.castBallot('r-gone', CARD, 'voter-a', 4, AT);
        await store.join('r-gone', 'voter-c', AT);
        expect(await store.delete('r-gone')).toBe(true);
        expect(await store.delete('r-gone')).toBe(false);
        expect(await store.load('r-gone')).toBeUndefined();
        expect(await store.counts('r-gone')).toEqual({ participants: 0, ballots: {}, tallies: {} });
        expect(await store.listByConversation(conv, 10)).toEqual([]);
        expect(await store.castBallot('r-gone', CARD, 'voter-a', 4, AT)).toEqual({
          ok: false,
          reason: 'round_not_found',
        });
        // A new round with the same id starts from nothing.
        await store.create(inConv('r-gone', AT, AT));
        expect(await store.counts('r-gone')).toEqual({
          participants: 0,
          ballots: { [CARD]: 0 },
          tallies: {},
        });
      });

      it('answers ping', async () => {
        expect(await store.ping()).toBe(true);
      });
    });

    (caps.durable ? describe : ((() => undefined) as unknown as typeof describe))(
      'durability',
      () => {
        it('keeps rounds, open ballots, tallies, participants and claims across a reopen', async () => {
          if (!h.reopen) throw new Error('the harness declared durability but gave no reopen');
          const state = roundFixture({
            cards: { mentorordninger: 'open', 'interne-lederfora': 'open' },
          });
          await store.create(state);
          await store.castBallot('r-fixture', CARD, 'voter-a', 5, AT);
          await store.castBallot('r-fixture', PENDING_CARD, 'voter-b', 2, AT);
          await store.join('r-fixture', 'voter-c', AT);
          const closed = closeCard(state);
          await saveOk(closed);
          await store.claim('event-1', 60_000);
          const before = await store.counts('r-fixture');
          store = await h.reopen();
          expect(await store.load('r-fixture')).toEqual({ state: closed, version: 2 });
          expect(await store.counts('r-fixture')).toEqual(before);
          expect(before.tallies[CARD]).toEqual({ ballots: 1, counts: { '5': 1 } });
          expect(await store.ballotOf('r-fixture', PENDING_CARD, 'voter-b')).toBe(2);
          expect(await store.hasJoined('r-fixture', 'voter-c')).toBe(true);
          expect(await store.claim('event-1', 60_000)).toBe(false);
        });
      },
    );
  });
}
