import { describe, expect, it } from 'vitest';
import type { ConversationRef, RoundState } from '../../src/core/model.ts';
import { DEFAULT_RETENTION_DAYS } from '../../src/core/round/retention.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';
import type { StoreTestContext } from './round-store.contract.ts';
import { AT } from './round-store-ballots.contract.ts';

/** Every store keeps an ended, done round this long unless told otherwise. */
const RETENTION_MS = DEFAULT_RETENTION_DAYS * 86_400_000;
const DAY = 86_400_000;

const slack = (tenant: string, conversationId = 'C1'): ConversationRef => ({
  platform: 'slack',
  tenant,
  conversationId,
});

/** An ended round whose only follow-up item is done, last changed at `updatedAt`. */
const finished = (id: string, updatedAt: number): RoundState =>
  roundFixture({
    id,
    status: 'ended',
    step: 'summary',
    cards: { mentorordninger: 'closed', 'interne-lederfora': 'closed' },
    plan: [planItemFixture({ status: 'done' })],
    updatedAt,
  });

/**
 * Retention, deletion and forgetting: what `dialogrunde round delete`, `user
 * forget` and the scheduled purge rely on. Times are in the fixture's
 * November 2026, so the retention period ends in the future and a store whose
 * keys expire (Redis) keeps them while the test runs.
 */
export function privacyContract(t: StoreTestContext): void {
  /** Creates `state` (as given) at version 1, then saves it so the store sees its status. */
  async function put(state: RoundState): Promise<void> {
    await t.store.create({ ...state, status: 'active' });
    await t.saveOk(state);
  }

  describe('retention: expiredRounds', () => {
    it('lists an ended round with every item done once its period is over, not before', async () => {
      await put(finished('r-done', AT));
      expect(await t.store.expiredRounds(AT + RETENTION_MS - 1, 10)).toEqual([]);
      expect(await t.store.expiredRounds(AT + RETENTION_MS, 10)).toEqual(['r-done']);
    });

    it('never lists a running round, a paused one, or an ended one with an item not done', async () => {
      await put(roundFixture({ id: 'r-running', updatedAt: AT }));
      await put(roundFixture({ id: 'r-paused', status: 'paused', pausedAt: AT, updatedAt: AT }));
      const open = finished('r-open-item', AT);
      await put({ ...open, plan: [planItemFixture({ status: 'blocked' })] });
      expect(await t.store.expiredRounds(AT + 10 * RETENTION_MS, 10)).toEqual([]);
    });

    it('lists oldest first, at most `limit`', async () => {
      await put(finished('r-b', AT + 2 * DAY));
      await put(finished('r-a', AT));
      await put(finished('r-c', AT + DAY));
      const later = AT + RETENTION_MS + 3 * DAY;
      expect(await t.store.expiredRounds(later, 10)).toEqual(['r-a', 'r-c', 'r-b']);
      expect(await t.store.expiredRounds(later, 2)).toEqual(['r-a', 'r-c']);
      expect(await t.store.expiredRounds(AT + RETENTION_MS + DAY, 10)).toEqual(['r-a', 'r-c']);
    });

    it('counts from the last change: reopening an item or changing the round moves it', async () => {
      const done = finished('r-moved', AT);
      await put(done);
      const reopened = {
        ...done,
        plan: [planItemFixture({ status: 'open' })],
        updatedAt: AT + DAY,
      };
      await t.saveOk(reopened);
      expect(await t.store.expiredRounds(AT + 10 * RETENTION_MS, 10)).toEqual([]);
      await t.saveOk({ ...done, updatedAt: AT + 2 * DAY });
      expect(await t.store.expiredRounds(AT + RETENTION_MS + DAY, 10)).toEqual([]);
      expect(await t.store.expiredRounds(AT + RETENTION_MS + 2 * DAY, 10)).toEqual(['r-moved']);
    });

    it('lists a round whose period ended long ago until it is deleted', async () => {
      // A store with expiring keys (Redis) may have dropped its data already; the id stays listed.
      const longAgo = Date.now() - 2 * RETENTION_MS;
      await put(finished('r-old', longAgo));
      expect(await t.store.expiredRounds(Date.now(), 10)).toEqual(['r-old']);
      await t.store.delete('r-old');
      expect(await t.store.expiredRounds(Date.now(), 10)).toEqual([]);
      expect(await t.store.load('r-old')).toBeUndefined();
    });
  });

  describe('rounds of a platform: listByPlatform', () => {
    it('lists every tenant and conversation of the platform, newest first, in pages', async () => {
      await t.store.create(roundFixture({ id: 'r-1', createdAt: AT, conversation: slack('T1') }));
      await t.store.create(
        roundFixture({ id: 'r-2', createdAt: AT + 1, conversation: slack('T2', 'C9') }),
      );
      await t.store.create(
        roundFixture({ id: 'r-3', createdAt: AT + 2, conversation: slack('T1') }),
      );
      await t.store.create(roundFixture({ id: 'r-web', createdAt: AT + 3 }));
      const all = await t.store.listByPlatform('slack', 10);
      expect(all.map((r) => r.id)).toEqual(['r-3', 'r-2', 'r-1']);
      expect(all[1]).toEqual({
        id: 'r-2',
        conversation: slack('T2', 'C9'),
        step: 'rating',
        status: 'active',
        updatedAt: roundFixture().updatedAt,
      });
      expect((await t.store.listByPlatform('slack', 2)).map((r) => r.id)).toEqual(['r-3', 'r-2']);
      expect((await t.store.listByPlatform('slack', 2, 2)).map((r) => r.id)).toEqual(['r-1']);
      expect(await t.store.listByPlatform('teams', 10)).toEqual([]);
      expect((await t.store.listByPlatform('web', 10)).map((r) => r.id)).toEqual(['r-web']);
      await t.store.delete('r-2');
      expect((await t.store.listByPlatform('slack', 10)).map((r) => r.id)).toEqual(['r-3', 'r-1']);
    });
  });

  describe('deleting and releasing', () => {
    it('deletes the save idempotency keys with the round, and only those', async () => {
      const one = roundFixture({ id: 'r-one' });
      const two = roundFixture({ id: 'r-one-more' });
      await t.store.create(one);
      await t.store.create(two);
      expect((await t.store.save({ ...one, step: 'custom' }, 1, { idempotencyKey: 'k' })).ok).toBe(
        true,
      );
      expect((await t.store.save({ ...two, step: 'custom' }, 1, { idempotencyKey: 'k' })).ok).toBe(
        true,
      );
      expect(await t.store.delete('r-one')).toBe(true);
      expect(await t.store.wasSaved('r-one', 'k')).toBe(false);
      expect(await t.store.wasSaved('r-one-more', 'k')).toBe(true);
      // A new round with the old id starts without the old keys.
      await t.store.create(one);
      expect((await t.store.save({ ...one, step: 'custom' }, 1, { idempotencyKey: 'k' })).ok).toBe(
        true,
      );
    });

    it('releaseAll gives back the live claims with the prefix, and nothing else', async () => {
      await t.store.create(roundFixture());
      await t.store.save(roundFixture(), 1, { idempotencyKey: 'nudge:r-fixture:x' });
      for (const key of ['nudge:r-fixture:rating:a', 'nudge:r-fixture:custom:b', 'nudge:r-2:x']) {
        expect(await t.store.claim(key, 60_000)).toBe(true);
      }
      expect(await t.store.claim('slack:evt-1', 60_000)).toBe(true);
      expect(await t.store.releaseAll('nudge:r-fixture:')).toBe(2);
      expect(await t.store.releaseAll('nudge:r-fixture:')).toBe(0);
      expect(await t.store.claim('nudge:r-fixture:rating:a', 60_000)).toBe(true);
      expect(await t.store.claim('nudge:r-2:x', 60_000)).toBe(false);
      expect(await t.store.claim('slack:evt-1', 60_000)).toBe(false);
      expect(await t.store.wasSaved('r-fixture', 'nudge:r-fixture:x')).toBe(true);
      // Glob and LIKE characters in a prefix are plain text.
      expect(await t.store.claim('odd*[x]%_:1', 60_000)).toBe(true);
      expect(await t.store.releaseAll('odd*')).toBe(1);
      expect(await t.store.releaseAll('*')).toBe(0);
    });
  });
}
