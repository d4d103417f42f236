import type { Authorize } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackInstallations } from './installations.ts';

/**
 * One workspace, one bot token. Bolt asks this for every request; the
 * answer (auth.test: bot user, team) is cached once it succeeded and asked
 * again after a failure. Requests from another workspace or organisation
 * are refused: this token cannot act there.
 */
export function singleWorkspace(client: WebClient, token: string): Authorize<boolean> {
  let me: ReturnType<WebClient['auth']['test']> | undefined;
  const identity = () => {
    me ??= client.auth.test().catch((error: unknown) => {
      me = undefined;
      throw error;
    });
    return me;
  };
  return async (source) => {
    const self = await identity();
    const ours =
      (source.enterpriseId !== undefined && source.enterpriseId === self.enterprise_id) ||
      (source.teamId !== undefined && source.teamId === self.team_id);
    if (!ours) throw new Error('slack: request from a workspace this bot token does not serve');
    return {
      botToken: token,
      ...(self.bot_id && { botId: self.bot_id }),
      ...(self.user_id && { botUserId: self.user_id }),
      ...(self.team_id && { teamId: self.team_id }),
      ...(self.enterprise_id && { enterpriseId: self.enterprise_id }),
    };
  };
}

/**
 * OAuth installs: the token of the installation that serves the request's
 * workspace (or its organisation, for an org-wide install), looked up for
 * every request, so an uninstall takes effect at once. A workspace without
 * an installation is refused (Bolt then runs no listener).
 */
export function fromInstallations(installations: SlackInstallations): Authorize<boolean> {
  return async (source) => {
    const found = await installations.forSource(source);
    if (!found) throw new Error('slack: request from a workspace that has not installed the app');
    return {
      botToken: found.bot.token,
      botId: found.bot.id,
      botUserId: found.bot.userId,
      ...(found.teamId && { teamId: found.teamId }),
      ...(found.enterpriseId && { enterpriseId: found.enterpriseId }),
    };
  };
}
