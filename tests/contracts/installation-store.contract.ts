import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstallationRecord, InstallationStore } from '../../src/core/ports.ts';

export interface InstallationStoreHarness {
  installations: InstallationStore;
  /** Closes the store and opens it again on the same data (persistent stores only). */
  reopen?: () => Promise<InstallationStore>;
  cleanup: () => Promise<void>;
}

const whenever = (capable: boolean): typeof it =>
  capable ? it : ((() => undefined) as unknown as typeof it);

const workspace = (key: string, data: string, organisation: string | null = null) =>
  ({ platform: 'slack', key, organisation, data }) satisfies InstallationRecord;

/** The behaviour every InstallationStore must show. Each test gets a fresh, empty store. */
export function installationStoreContract(
  name: string,
  factory: () => Promise<InstallationStoreHarness>,
  caps: { durable: boolean },
): void {
  describe(`InstallationStore contract: ${name}`, () => {
    let h: InstallationStoreHarness;
    let store: InstallationStore;
    beforeEach(async () => {
      h = await factory();
      store = h.installations;
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('finds nothing it was never given', async () => {
      expect(await store.find('slack', 'T1')).toBeUndefined();
      expect(await store.delete('slack', 'T1')).toBe(false);
    });

    it('round-trips an installation unchanged, data as opaque text', async () => {
      const data = 'v1.aGVsbG8.d29ybGQ.ÆØÅ {"not":"parsed"}';
      await store.save(workspace('T1', data));
      expect(await store.find('slack', 'T1')).toEqual(workspace('T1', data));
    });

    it('replaces on a reinstall with the same key', async () => {
      await store.save(workspace('T1', 'first'));
      await store.save(workspace('T1', 'second', 'E1'));
      expect(await store.find('slack', 'T1')).toEqual(workspace('T1', 'second', 'E1'));
    });

    it('keeps platforms and keys apart', async () => {
      await store.save(workspace('T1', 'slack-t1'));
      await store.save({ platform: 'teams', key: 'T1', organisation: null, data: 'teams-t1' });
      await store.save(workspace('T2', 'slack-t2'));
      expect((await store.find('slack', 'T1'))?.data).toBe('slack-t1');
      expect((await store.find('teams', 'T1'))?.data).toBe('teams-t1');
      expect((await store.find('slack', 'T2'))?.data).toBe('slack-t2');
      expect(await store.find('teams', 'T2')).toBeUndefined();
    });

    it('finds a workspace install from its organisation id: the newest saved one', async () => {
      await store.save(workspace('T1', 'older', 'E1'));
      await store.save(workspace('T2', 'newer', 'E1'));
      await store.save(workspace('T3', 'other org', 'E2'));
      expect((await store.find('slack', 'E1'))?.key).toBe('T2');
      // Saving T1 again makes it the most recent.
      await store.save(workspace('T1', 'again', 'E1'));
      expect((await store.find('slack', 'E1'))?.key).toBe('T1');
      // A workspace id never reaches its siblings.
      expect(await store.find('slack', 'T9')).toBeUndefined();
      expect(await store.find('teams', 'E1')).toBeUndefined();
    });

    it('prefers an org-wide install keyed by the organisation over its workspaces', async () => {
      await store.save(workspace('T1', 'workspace', 'E1'));
      await store.save(workspace('E1', 'org-wide', 'E1'));
      await store.save(workspace('T2', 'later workspace', 'E1'));
      expect((await store.find('slack', 'E1'))?.data).toBe('org-wide');
    });

    it('deletes by key: gone, also from its organisation', async () => {
      await store.save(workspace('T1', 'a', 'E1'));
      await store.save(workspace('T2', 'b'));
      expect(await store.delete('slack', 'T1')).toBe(true);
      expect(await store.delete('slack', 'T1')).toBe(false);
      expect(await store.find('slack', 'T1')).toBeUndefined();
      expect(await store.find('slack', 'E1')).toBeUndefined();
      expect((await store.find('slack', 'T2'))?.data).toBe('b');
    });

    whenever(caps.durable)('survives a reopen', async () => {
      await store.save(workspace('T1', 'kept', 'E1'));
      const reopened = await h.reopen?.();
      expect(reopened).toBeDefined();
      expect(await reopened?.find('slack', 'T1')).toEqual(workspace('T1', 'kept', 'E1'));
    });
  });
}
