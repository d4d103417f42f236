import type { Authorize } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';

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
