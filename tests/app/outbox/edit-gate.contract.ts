import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EditGate } from '../../../src/app/outbox/edit-gate.ts';

/** Two instances' gates on one backend. */
export interface GateWorld {
  a: EditGate;
  b: EditGate;
  /** Lets `ms` milliseconds pass for the backend's expiries (virtual or real time). */
  elapse(ms: number): Promise<void>;
  /** A lease length that `elapse` can wait out quickly. */
  intervalMs: number;
  cleanup(): Promise<void>;
}

const rev = (version: number, progress: number) => ({ version, progress });

/** What every EditGate promises (see src/app/outbox/edit-gate.ts). */
export function editGateContract(name: string, make: () => Promise<GateWorld>): void {
  describe(`EditGate contract: ${name}`, () => {
    let w: GateWorld;
    beforeEach(async () => {
      w = await make();
    });
    afterEach(async () => {
      await w.cleanup();
    });

    it('offer keeps the highest revision: version first, then progress', async () => {
      expect(await w.a.offer('m', rev(1, 5))).toBe(true);
      expect(await w.a.offer('m', rev(1, 6))).toBe(true);
      expect(await w.b.offer('m', rev(1, 4))).toBe(false);
      expect(await w.b.offer('m', rev(2, 0))).toBe(true);
      expect(await w.a.offer('m', rev(1, 100))).toBe(false);
      expect(await w.a.isNewest('m', rev(1, 6))).toBe(false);
      expect(await w.b.isNewest('m', rev(2, 0))).toBe(true);
    });

    it('a tie goes to the instance that offered it first', async () => {
      expect(await w.a.offer('m', rev(3, 3))).toBe(true);
      expect(await w.a.offer('m', rev(3, 3))).toBe(true);
      expect(await w.b.offer('m', rev(3, 3))).toBe(false);
      expect(await w.a.isNewest('m', rev(3, 3))).toBe(true);
      expect(await w.b.isNewest('m', rev(3, 3))).toBe(false);
    });

    it('isNewest only compares: nothing recorded is newest, and it records nothing', async () => {
      expect(await w.a.isNewest('m', rev(1, 1))).toBe(true);
      expect(await w.b.isNewest('m', rev(9, 9))).toBe(true);
      expect(await w.a.offer('m', rev(1, 1))).toBe(true);
      expect(await w.a.isNewest('m', rev(1, 0))).toBe(false);
      expect(await w.b.isNewest('m', rev(1, 2))).toBe(true);
    });

    it('messages are independent', async () => {
      expect(await w.a.offer('m1', rev(5, 0))).toBe(true);
      expect(await w.b.offer('m2', rev(1, 0))).toBe(true);
      expect(await w.a.acquire('m1', w.intervalMs)).toBe(0);
      expect(await w.b.acquire('m2', w.intervalMs)).toBe(0);
      expect(await w.a.claimPost('m1', w.intervalMs)).toBe(true);
      expect(await w.b.claimPost('m2', w.intervalMs)).toBe(true);
    });

    it('a lease is taken once per interval, by any instance, and says how long to wait', async () => {
      expect(await w.a.acquire('m', w.intervalMs)).toBe(0);
      const wait = await w.b.acquire('m', w.intervalMs);
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(w.intervalMs);
      // Not even its holder takes it again: two edits are an interval apart.
      expect(await w.a.acquire('m', w.intervalMs)).toBeGreaterThan(0);
      await w.elapse(w.intervalMs);
      expect(await w.b.acquire('m', w.intervalMs)).toBe(0);
      expect(await w.a.acquire('m', w.intervalMs)).toBeGreaterThan(0);
    });

    it('a post is claimed once; only its owner gives it back; an expired claim is free', async () => {
      expect(await w.a.claimPost('m', w.intervalMs)).toBe(true);
      expect(await w.b.claimPost('m', w.intervalMs)).toBe(false);
      expect(await w.a.claimPost('m', w.intervalMs)).toBe(false);
      await w.b.releasePost('m');
      expect(await w.b.claimPost('m', w.intervalMs)).toBe(false);
      await w.a.releasePost('m');
      expect(await w.b.claimPost('m', w.intervalMs)).toBe(true);
      await w.elapse(w.intervalMs);
      expect(await w.a.claimPost('m', w.intervalMs)).toBe(true);
    });
  });
}
