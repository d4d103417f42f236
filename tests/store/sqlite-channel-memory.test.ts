import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteRoundStore } from '../../src/store/sqlite-store.ts';
import { channelMemoryContract } from '../contracts/channel-memory.contract.ts';
import { ManualClock } from '../fixtures/manual-clock.ts';

channelMemoryContract(
  'sqlite file',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-memory-'));
    const path = join(dir, 'rounds.db');
    const clock = new ManualClock();
    const opened: SqliteRoundStore[] = [await openSqliteStore({ path, clock })];
    return {
      memory: (opened[0] as SqliteRoundStore).channelMemory,
      reopen: async () => {
        for (const s of opened) await s.close();
        const next = await openSqliteStore({ path, clock });
        opened.push(next);
        return next.channelMemory;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

channelMemoryContract(
  'sqlite :memory:',
  async () => {
    const store = await openSqliteStore({ path: ':memory:', clock: new ManualClock() });
    return { memory: store.channelMemory, cleanup: () => store.close() };
  },
  { durable: false },
);
