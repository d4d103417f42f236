import type { DatabaseSync } from 'node:sqlite';
import type { Platform } from '../core/model.ts';
import type { Clock, InstallationRecord, InstallationStore } from '../core/ports.ts';
import { StoreError } from './errors.ts';
import { type Row, type Sql, statementCache, str } from './sqlite-db.ts';

/**
 * InstallationStore on the store's SQLite connection (table from migration
 * `store-3-installations`). The data is stored as given: the channel seals
 * the tokens in it before it gets here. Each write is one statement.
 */
export class SqliteInstallationStore implements InstallationStore {
  readonly #sql: Sql;
  readonly #clock: Clock;

  constructor(db: DatabaseSync, clock: Clock) {
    this.#sql = statementCache(db);
    this.#clock = clock;
  }

  async save(installation: InstallationRecord): Promise<void> {
    const { platform, key, organisation, data } = installation;
    this.#run('save', () =>
      this.#sql(
        `INSERT INTO installations (platform, key, organisation, data, seq, updated_at)
         VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM installations), ?)
         ON CONFLICT (platform, key) DO UPDATE SET organisation = excluded.organisation,
           data = excluded.data, seq = excluded.seq, updated_at = excluded.updated_at`,
      ).run(platform, key, organisation, data, this.#clock.now()),
    );
  }

  async find(platform: Platform, tenant: string): Promise<InstallationRecord | undefined> {
    return this.#run('find', () => {
      const own = this.#sql(
        'SELECT platform, key, organisation, data FROM installations WHERE platform = ? AND key = ?',
      ).get(platform, tenant);
      if (own) return record(own);
      const member = this.#sql(
        `SELECT platform, key, organisation, data FROM installations
         WHERE platform = ? AND organisation = ? ORDER BY seq DESC LIMIT 1`,
      ).get(platform, tenant);
      return member ? record(member) : undefined;
    });
  }

  async delete(platform: Platform, key: string): Promise<boolean> {
    return this.#run('delete', () => {
      const result = this.#sql('DELETE FROM installations WHERE platform = ? AND key = ?').run(
        platform,
        key,
      );
      return Number(result.changes) > 0;
    });
  }

  #run<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw new StoreError(`sqlite installations: ${name} failed`, { cause });
    }
  }
}

function record(row: Row): InstallationRecord {
  const organisation = row.organisation;
  return {
    platform: str(row, 'platform') as Platform,
    key: str(row, 'key'),
    organisation: typeof organisation === 'string' ? organisation : null,
    data: str(row, 'data'),
  };
}
