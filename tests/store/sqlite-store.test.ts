import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/errors.ts';
import { STORE_MIGRATIONS } from '../../src/store/sqlite-schema.ts';
import { openSqliteStore, type SqliteRoundStore } from '../../src/store/sqlite-store.ts';
import { roundStoreContract } from '../contracts/round-store.contract.ts';
import { ManualClock } from '../fixtures/manual-clock.ts';
import { roundFixture } from '../fixtures/round.ts';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dialogrunde-store-'));
}

roundStoreContract(
  'sqlite file',
  async () => {
    const dir = tempDir();
    // A nested path also checks that missing parent directories are created.
    const path = join(dir, 'data', 'rounds.db');
    const clock = new ManualClock();
    const opened: SqliteRoundStore[] = [await openSqliteStore({ path, clock })];
    return {
      store: opened[0] as SqliteRoundStore,
      clock,
      reopen: async () => {
        for (const s of opened) await s.close();
        const next = await openSqliteStore({ path, clock });
        opened.push(next);
        return next;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true, clock: true },
);

roundStoreContract(
  'sqlite :memory:',
  async () => {
    const clock = new ManualClock();
    const store = await openSqliteStore({ path: ':memory:', clock });
    return { store, clock, cleanup: () => store.close() };
  },
  { durable: false, clock: true },
);

describe('SqliteRoundStore specifics', () => {
  let dir: string;
  let path: string;
  let store: SqliteRoundStore;
  beforeEach(async () => {
    dir = tempDir();
    path = join(dir, 'rounds.db');
    store = await openSqliteStore({ path });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with foreign keys on', () => {
    expect(store.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(store.db.prepare('PRAGMA foreign_keys').get()).toEqual({ foreign_keys: 1 });
  });

  it('migrates idempotently when the file is opened again', async () => {
    await store.create(roundFixture());
    await store.close();
    store = await openSqliteStore({ path });
    expect((await store.load('r-fixture'))?.version).toBe(1);
    const names = store.db.prepare('SELECT name FROM schema_migrations ORDER BY rowid').all();
    expect(names).toEqual(STORE_MIGRATIONS.map((m) => ({ name: m.name })));
    expect(names.slice(0, 3)).toEqual([
      { name: 'store-1' },
      { name: 'store-2-channel-memory' },
      { name: 'store-3-installations' },
    ]);
  });

  it('stores only the voter keys it was given, and no vote after sealing', async () => {
    const state = roundFixture();
    await store.create(state);
    await store.castBallot(state.id, 'card:mentorordninger', 'key-a', 4, 1);
    await store.castBallot(state.id, 'card:mentorordninger', 'key-b', 2, 1);
    await store.join(state.id, 'key-c', 1);
    const columns = store.db
      .prepare('SELECT name FROM pragma_table_info(?)')
      .all('ballots')
      .map((row) => row.name);
    expect(columns).toEqual(['round_id', 'box', 'voter_key', 'value', 'at']);
    const keys = store.db.prepare('SELECT voter_key FROM ballots ORDER BY voter_key').all();
    expect(keys.map((row) => row.voter_key)).toEqual(['key-a', 'key-b']);

    await store.save({ ...state, cards: { ...state.cards, mentorordninger: 'closed' } }, 1);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM ballots').get()).toEqual({ n: 0 });
    await store.close();
    // Deleted rows must not linger in free pages either (secure_delete): a
    // ballot row is stored as box, key and value side by side.
    const bytes = readFileSync(path).toString('latin1');
    expect(bytes.includes('key-a')).toBe(true); // still a participant
    expect(bytes.includes('card:mentorordningerkey-a')).toBe(false);
    expect(bytes.includes('card:mentorordningerkey-b')).toBe(false);
  });

  it('rejects a ballot of the wrong kind for its box', async () => {
    await store.create(roundFixture());
    await expect(
      store.castBallot('r-fixture', 'card:mentorordninger', 'key-a', ['x'], 1),
    ).rejects.toBeInstanceOf(StoreError);
  });

  it('wraps infrastructure failures in StoreError with a cause', async () => {
    await store.close();
    const error = await store.load('r-fixture').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).cause).toBeInstanceOf(Error);
    expect(await store.ping()).toBe(false);
  });
});
