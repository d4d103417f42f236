import type { DatabaseSync } from 'node:sqlite';
import type { Platform } from '../core/model.ts';
import type { ChannelMemory, Clock } from '../core/ports.ts';
import { StoreError } from './errors.ts';
import { type Sql, statementCache, str } from './sqlite-db.ts';

/**
 * ChannelMemory on the store's SQLite connection (tables from migration
 * `store-2-channel-memory`). Each write is a single upsert statement, so no
 * explicit transaction is needed.
 */
export class SqliteChannelMemory implements ChannelMemory {
  readonly #sql: Sql;
  readonly #clock: Clock;

  constructor(db: DatabaseSync, clock: Clock) {
    this.#sql = statementCache(db);
    this.#clock = clock;
  }

  async saveConversation(ref: {
    platform: Platform;
    tenant: string;
    conversationId: string;
    data: string;
  }): Promise<void> {
    this.#run('saveConversation', () =>
      this.#sql(
        `INSERT INTO channel_conversations (platform, tenant, conversation_id, data, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, tenant, conversation_id)
         DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      ).run(ref.platform, ref.tenant, ref.conversationId, ref.data, this.#clock.now()),
    );
  }

  async conversation(
    platform: Platform,
    tenant: string,
    conversationId: string,
  ): Promise<string | undefined> {
    return this.#run('conversation', () => {
      const row = this.#sql(
        'SELECT data FROM channel_conversations WHERE platform = ? AND tenant = ? AND conversation_id = ?',
      ).get(platform, tenant, conversationId);
      return row ? str(row, 'data') : undefined;
    });
  }

  async saveMessage(
    platform: Platform,
    conversationId: string,
    key: string,
    messageId: string,
  ): Promise<void> {
    this.#run('saveMessage', () =>
      this.#sql(
        `INSERT INTO channel_messages (platform, conversation_id, key, message_id, updated_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, conversation_id, key)
         DO UPDATE SET message_id = excluded.message_id, updated_at = excluded.updated_at`,
      ).run(platform, conversationId, key, messageId, this.#clock.now()),
    );
  }

  async message(
    platform: Platform,
    conversationId: string,
    key: string,
  ): Promise<string | undefined> {
    return this.#run('message', () => {
      const row = this.#sql(
        'SELECT message_id FROM channel_messages WHERE platform = ? AND conversation_id = ? AND key = ?',
      ).get(platform, conversationId, key);
      return row ? str(row, 'message_id') : undefined;
    });
  }

  async forgetRounds(roundIds: readonly string[]): Promise<number> {
    // Rare (deleting or purging rounds): a scan of the message table per round is fine.
    return this.#run('forgetRounds', () => {
      let forgotten = 0;
      for (const id of new Set(roundIds)) {
        const result = this.#sql(
          `DELETE FROM channel_messages
           WHERE substr(key, 1, length(?1)) = ?1 OR substr(key, -length(?2)) = ?2`,
        ).run(`${id}:`, `:${id}`);
        forgotten += Number(result.changes);
      }
      return forgotten;
    });
  }

  #run<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      throw new StoreError(`sqlite channel memory: ${name} failed`, { cause });
    }
  }
}
