import type {
  InstallationStore as BoltInstallationStore,
  Installation,
  InstallationQuery,
} from '@slack/oauth';
import type { Logger } from '../../app/logger.ts';
import { SecretBox, SecretBoxError } from '../../app/secret-box.ts';
import type { InstallationStore } from '../../core/ports.ts';

/*
 * Slack OAuth installations in our store. One row per installation, keyed by
 * the organisation (Enterprise Grid) id for an org-wide install, else by the
 * workspace (team) id; a workspace install in an organisation also records
 * the organisation, so a round whose tenant is the organisation id (see
 * `envelope.ts`) still finds a token.
 *
 * What is kept is only what the bot needs: ids, names, the bot token, its
 * scopes and (with token rotation) refresh token and expiry. The installing
 * person's id, any user token and incoming webhook from Bolt's object are
 * dropped. The kept JSON is sealed as a whole (AES-256-GCM, key derived from
 * DIALOGRUNDE_SECRET, the row's key as associated data: `secret-box.ts`), so
 * neither a token nor a workspace name is readable from the database alone.
 */

/** What we keep of an installation. */
export interface SlackInstallation {
  /** The row key: the organisation id of an org-wide install, else the team id. */
  key: string;
  teamId?: string;
  teamName?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  isEnterpriseInstall: boolean;
  appId?: string;
  bot: {
    token: string;
    id: string;
    userId: string;
    scopes: string[];
    refreshToken?: string;
    /** Epoch seconds (token rotation). */
    expiresAt?: number;
  };
}

/** Who a request comes from: the parts of Bolt's AuthorizeSourceData we use. */
export interface InstallationSource {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

const PURPOSE = 'slack-installations';
const context = (key: string) => `slack\u0000${key}`;

/** The row key of a Bolt installation (org-wide: organisation; else team). */
export function installationKey(installation: Installation): string | undefined {
  if (installation.isEnterpriseInstall) return installation.enterprise?.id;
  return installation.team?.id;
}

export class SlackInstallations {
  readonly #store: InstallationStore;
  readonly #box: SecretBox;
  readonly #logger: Logger;

  constructor(store: InstallationStore, secret: string, logger: Logger) {
    this.#store = store;
    this.#box = new SecretBox(secret, PURPOSE);
    this.#logger = logger;
  }

  /** Keeps a new (or renewed) installation; a reinstall replaces the old one. */
  async save(installation: Installation): Promise<SlackInstallation> {
    const key = installationKey(installation);
    const bot = installation.bot;
    if (!key) throw new Error('slack: installation without a team or organisation id');
    if (!bot) throw new Error('slack: installation without a bot token (no bot scopes asked?)');
    const kept: SlackInstallation = {
      key,
      ...(installation.team?.id && { teamId: installation.team.id }),
      ...(installation.team?.name && { teamName: installation.team.name }),
      ...(installation.enterprise?.id && { enterpriseId: installation.enterprise.id }),
      ...(installation.enterprise?.name && { enterpriseName: installation.enterprise.name }),
      isEnterpriseInstall: installation.isEnterpriseInstall === true,
      ...(installation.appId && { appId: installation.appId }),
      bot: {
        token: bot.token,
        id: bot.id,
        userId: bot.userId,
        scopes: bot.scopes,
        ...(bot.refreshToken && { refreshToken: bot.refreshToken }),
        ...(bot.expiresAt !== undefined && { expiresAt: bot.expiresAt }),
      },
    };
    await this.#store.save({
      platform: 'slack',
      key,
      organisation: installation.enterprise?.id ?? null,
      data: this.#box.seal(JSON.stringify(kept), context(key)),
    });
    return kept;
  }

  /**
   * The installation serving a tenant (team or organisation id, as rounds
   * carry it). Undefined when there is none, or when it cannot be opened
   * (DIALOGRUNDE_SECRET changed: the workspace must install the app again).
   */
  async forTenant(tenant: string): Promise<SlackInstallation | undefined> {
    const found = await this.#store.find('slack', tenant);
    if (!found) return undefined;
    try {
      return JSON.parse(this.#box.open(found.data, context(found.key))) as SlackInstallation;
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      this.#logger.error(
        { key: found.key },
        'slack: an installation cannot be opened (was DIALOGRUNDE_SECRET changed?); install the app again',
      );
      return undefined;
    }
  }

  /**
   * The installation for a request: the organisation's for an org-wide
   * install, else the workspace's; a workspace without its own falls back to
   * an org-wide install of its organisation (never to a sibling workspace's).
   */
  async forSource(source: InstallationSource): Promise<SlackInstallation | undefined> {
    const { teamId, enterpriseId } = source;
    if (source.isEnterpriseInstall && enterpriseId) {
      const org = await this.forTenant(enterpriseId);
      return org?.key === enterpriseId ? org : undefined;
    }
    if (teamId) {
      const own = await this.forTenant(teamId);
      if (own?.key === teamId) return own;
    }
    if (enterpriseId) {
      const org = await this.forTenant(enterpriseId);
      if (org?.key === enterpriseId && org.isEnterpriseInstall) return org;
    }
    return undefined;
  }

  /** Removes the installation keyed by `key` (uninstall, revoked bot token). */
  remove(key: string): Promise<boolean> {
    return this.#store.delete('slack', key);
  }

  /** Bolt's InstallationStore interface over this (the OAuth callback stores through it). */
  bolt(): BoltInstallationStore {
    return {
      storeInstallation: async (installation) => {
        await this.save(installation);
      },
      fetchInstallation: async (query: InstallationQuery<boolean>) => {
        const found = await this.forSource(query);
        if (!found) throw new Error('slack: no installation for this workspace');
        return toBolt(found);
      },
      deleteInstallation: async (query: InstallationQuery<boolean>) => {
        const key = query.isEnterpriseInstall ? query.enterpriseId : query.teamId;
        if (key) await this.remove(key);
      },
    };
  }
}

function toBolt(kept: SlackInstallation): Installation {
  return {
    team: kept.teamId
      ? { id: kept.teamId, ...(kept.teamName && { name: kept.teamName }) }
      : undefined,
    enterprise: kept.enterpriseId
      ? { id: kept.enterpriseId, ...(kept.enterpriseName && { name: kept.enterpriseName }) }
      : undefined,
    // The installing person is not kept.
    user: { id: '', token: undefined, scopes: undefined },
    bot: kept.bot,
    isEnterpriseInstall: kept.isEnterpriseInstall,
    ...(kept.appId && { appId: kept.appId }),
    tokenType: 'bot',
    authVersion: 'v2',
  };
}
