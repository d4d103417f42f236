import { deleteAsFacilitator, keepRound } from '../../app/privacy-facilitator.ts';
import type { ConversationRef } from '../../core/model.ts';
import { renderMessages } from './blocks/index.ts';
import type { SlackMessage } from './blocks/kit.ts';
import { errorMessage, type Reply, type SlackDeps } from './commands.ts';
import type { Where } from './envelope.ts';

/*
 * The buttons of "Delete the round?" (the answer to `/dialogrunde slet`,
 * shown only to the person who asked). Delete: the question becomes "the
 * round has been deleted" and the round's channel gets the same notice for
 * everybody; Keep: "nothing was deleted". Who may is the app's decision.
 */

/** Posts a message into a channel for everybody in it. */
export type PostMessage = (conversation: ConversationRef, message: SlackMessage) => Promise<void>;

export async function answerDeletion(
  deps: SlackDeps,
  where: Where,
  intent: { kind: 'deleteRound' | 'keepRound'; roundId: string },
  reply: Reply,
  post: PostMessage,
): Promise<void> {
  const { service } = deps;
  const lang = await service.langOf(intent.roundId);
  if (intent.kind === 'keepRound') {
    const kept = await keepRound(service, intent.roundId, where.who);
    if (!kept.ok) return reply(errorMessage(lang, kept.error));
    return reply(renderMessages(kept.value), { replace: true });
  }
  const deleted = await deleteAsFacilitator(service, intent.roundId, where.who);
  if (!deleted.ok) return reply(errorMessage(lang, deleted.error));
  const message = renderMessages(deleted.value.view);
  await reply(message, { replace: true });
  try {
    await post(deleted.value.conversation, message);
  } catch (error) {
    // The round is gone either way: a lost notice is logged, not answered as a failure.
    deps.logger.error({ err: error }, 'slack: the deletion notice could not be posted');
  }
}
