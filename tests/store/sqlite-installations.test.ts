import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteRoundStore } from '../../src/store/sqlite-store.ts';
import { installationStoreContract } from '../contracts/installation-store.contract.ts';
import { ManualClock } from '../fixtures/manual-clock.ts';

installationStoreContract(
  'sqlite file',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-installations-'));
    const path = join(dir, 'rounds.db');
    const clock = new ManualClock();
    const opened: SqliteRoundStore[] = [await openSqliteStore({ path, clock })];
    return {
      installations: (opened[0] as SqliteRoundStore).installations,
      reopen: async () => {
        for (const s of opened) await s.close();
        const next = await openSqliteStore({ path, clock });
        opened.push(next);
        return next.installations;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

installationStoreContract(
  'sqlite :memory:',
  async () => {
    const store = await openSqliteStore({ path: ':memory:', clock: new ManualClock() });
    return { installations: store.installations, cleanup: () => store.close() };
  },
  { durable: false },
);
