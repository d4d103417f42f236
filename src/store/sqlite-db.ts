import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { StoreError } from './errors.ts';

/** A named schema step. Steps run once per file, in order, inside a transaction. */
export interface Migration {
  name: string;
  sql: string;
}

export type Row = Record<string, SQLOutputValue>;

/** Prepares a statement once per connection and reuses it. */
export type Sql = (sql: string) => StatementSync;

export function statementCache(db: DatabaseSync): Sql {
  const cache = new Map<string, StatementSync>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

/**
 * Opens (creating if needed) a SQLite file with the pragmas every component
 * on it relies on. Store and scheduler share one file, so they share this.
 */
export function openDatabase(path: string): DatabaseSync {
  try {
    if (path !== ':memory:' && !path.startsWith('file:')) {
      mkdirSync(dirname(path), { recursive: true });
    }
    const db = new DatabaseSync(path, { timeout: 5000 });
    // WAL: readers never block the writer; NORMAL is durable across app crashes
    // (only an OS crash may lose the last commits) and much faster than FULL.
    db.exec('PRAGMA journal_mode=WAL');
    db.exec('PRAGMA synchronous=NORMAL');
    db.exec('PRAGMA busy_timeout=5000');
    db.exec('PRAGMA foreign_keys=ON');
    // Anonymity: a sealed box's deleted ballot rows are zeroed on disk, not
    // left readable in free pages.
    db.exec('PRAGMA secure_delete=ON');
    return db;
  } catch (cause) {
    throw new StoreError('cannot open the SQLite database', { cause });
  }
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`. Named steps
 * (rather than one version number) let store and scheduler migrate
 * independently on the same file. The SQL itself is idempotent as well.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)',
  );
  transaction(db, () => {
    const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE name = ?');
    const record = db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)');
    for (const m of migrations) {
      if (applied.get(m.name)) continue;
      db.exec(m.sql);
      record.run(m.name, Date.now());
    }
  });
}

/**
 * Runs `fn` in `BEGIN IMMEDIATE` (takes the write lock up front, so two
 * connections cannot both read-then-write). `fn` must be synchronous: an
 * await inside would hold the lock across the event loop.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Number of rows a statement changed (node:sqlite may return a bigint). */
export function changed(result: { changes: number | bigint }): number {
  return Number(result.changes);
}

export function str(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string')
    throw new StoreError(`column ${column} is not text`, { permanent: true });
  return value;
}

export function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new StoreError(`column ${column} is not a number`, { permanent: true });
}
