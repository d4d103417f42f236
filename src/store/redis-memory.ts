import type { Platform } from '../core/model.ts';
import type { ChannelMemory, InstallationRecord, InstallationStore } from '../core/ports.ts';
import {
  globEscape,
  guarded,
  LuaScript,
  MAINTENANCE_TIMEOUT_MS,
  type RedisClient,
  scanAll,
} from './redis-client.ts';
import { INSTALLATION_DELETE_SCRIPT, INSTALLATION_SAVE_SCRIPT } from './redis-scripts.ts';

/**
 * ChannelMemory on Redis: one string key per conversation reference and per
 * message id. Parts of a key are JSON-encoded, so no separator can collide.
 */
export class RedisChannelMemory implements ChannelMemory {
  readonly #client: RedisClient;
  readonly #prefix: string;

  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async saveConversation(ref: {
    platform: Platform;
    tenant: string;
    conversationId: string;
    data: string;
  }): Promise<void> {
    await guarded('saveConversation', () =>
      this.#client.set(
        this.#conversationKey(ref.platform, ref.tenant, ref.conversationId),
        ref.data,
      ),
    );
  }

  async conversation(
    platform: Platform,
    tenant: string,
    conversationId: string,
  ): Promise<string | undefined> {
    return guarded('conversation', async () => {
      const data = await this.#client.get(this.#conversationKey(platform, tenant, conversationId));
      return data == null ? undefined : String(data);
    });
  }

  async saveMessage(
    platform: Platform,
    conversationId: string,
    key: string,
    messageId: string,
  ): Promise<void> {
    await guarded('saveMessage', () =>
      this.#client.set(this.#messageKey(platform, conversationId, key), messageId),
    );
  }

  async message(
    platform: Platform,
    conversationId: string,
    key: string,
  ): Promise<string | undefined> {
    return guarded('message', async () => {
      const id = await this.#client.get(this.#messageKey(platform, conversationId, key));
      return id == null ? undefined : String(id);
    });
  }

  async forgetRounds(roundIds: readonly string[]): Promise<number> {
    // Rare (deleting or purging rounds): one SCAN over the message keys for the whole batch.
    if (roundIds.length === 0) return 0;
    const belongs = roundMatcher(roundIds);
    return guarded(
      'forgetRounds',
      async () => {
        const head = `${this.#prefix}chan:message:`;
        const doomed = (await scanAll(this.#client, `${globEscape(head)}*`)).filter((name) => {
          const key = messageKeyOf(name.slice(head.length));
          return key !== undefined && belongs(key);
        });
        return doomed.length > 0 ? Number(await this.#client.del(doomed)) : 0;
      },
      MAINTENANCE_TIMEOUT_MS,
    );
  }

  #conversationKey(platform: Platform, tenant: string, conversationId: string): string {
    return `${this.#prefix}chan:conversation:${JSON.stringify([platform, tenant, conversationId])}`;
  }

  #messageKey(platform: Platform, conversationId: string, key: string): string {
    return `${this.#prefix}chan:message:${JSON.stringify([platform, conversationId, key])}`;
  }
}

/**
 * Whether a view key is one of these rounds': `<roundId>:…` or `…:<roundId>`.
 * Our ids hold no ':', so the first and last part are looked up in a set;
 * any other id is compared as it is.
 */
function roundMatcher(roundIds: readonly string[]): (key: string) => boolean {
  const plain = new Set(roundIds.filter((id) => !id.includes(':')));
  const odd = roundIds.filter((id) => id.includes(':'));
  return (key) => {
    if (!key.includes(':')) return false;
    if (plain.has(key.slice(0, key.indexOf(':')))) return true;
    if (plain.has(key.slice(key.lastIndexOf(':') + 1))) return true;
    return odd.some((id) => key.startsWith(`${id}:`) || key.endsWith(`:${id}`));
  };
}

/** The view key in a message key's JSON part (`[platform, conversationId, key]`). */
function messageKeyOf(json: string): string | undefined {
  try {
    const parts: unknown = JSON.parse(json);
    return Array.isArray(parts) && typeof parts[2] === 'string' ? parts[2] : undefined;
  } catch {
    return undefined;
  }
}

const saveInstallation = new LuaScript(INSTALLATION_SAVE_SCRIPT);
const deleteInstallation = new LuaScript(INSTALLATION_DELETE_SCRIPT);

interface StoredInstallation extends InstallationRecord {
  /** The organisation's sorted set (member: key, score: save sequence), when there is one. */
  organisationIndex: string | null;
}

/**
 * InstallationStore on Redis. All its keys share the hash tag {inst}, so the
 * save script (record + organisation index + sequence) stays in one slot.
 * "Most recently saved" is a Redis counter, not a clock.
 */
export class RedisInstallationStore implements InstallationStore {
  readonly #client: RedisClient;
  readonly #prefix: string;

  constructor(client: RedisClient, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async save(installation: InstallationRecord): Promise<void> {
    const { platform, key, organisation, data } = installation;
    const recordKey = this.#recordKey(platform, key);
    const organisationIndex =
      organisation === null ? null : this.#organisationKey(platform, organisation);
    const stored: StoredInstallation = { platform, key, organisation, data, organisationIndex };
    await guarded('installations save', () =>
      saveInstallation.run(
        this.#client,
        [recordKey, organisationIndex ?? recordKey, `${this.#prefix}{inst}:seq`],
        [JSON.stringify(stored), key, organisationIndex === null ? '0' : '1'],
      ),
    );
  }

  async find(platform: Platform, tenant: string): Promise<InstallationRecord | undefined> {
    return guarded('installations find', async () => {
      const own = await this.#client.get(this.#recordKey(platform, tenant));
      if (own != null) return record(String(own));
      const [newest] = await this.#client.zRange(this.#organisationKey(platform, tenant), 0, 0, {
        REV: true,
      });
      if (newest === undefined) return undefined;
      const member = await this.#client.get(this.#recordKey(platform, String(newest)));
      return member == null ? undefined : record(String(member));
    });
  }

  async delete(platform: Platform, key: string): Promise<boolean> {
    return guarded('installations delete', async () => {
      const n = await deleteInstallation.run(this.#client, [this.#recordKey(platform, key)], [key]);
      return Number(n) === 1;
    });
  }

  #recordKey(platform: Platform, key: string): string {
    return `${this.#prefix}{inst}:record:${JSON.stringify([platform, key])}`;
  }

  #organisationKey(platform: Platform, organisation: string): string {
    return `${this.#prefix}{inst}:organisation:${JSON.stringify([platform, organisation])}`;
  }
}

function record(json: string): InstallationRecord {
  const stored = JSON.parse(json) as StoredInstallation;
  return {
    platform: stored.platform,
    key: stored.key,
    organisation: stored.organisation,
    data: stored.data,
  };
}
