import type { Activity } from '@microsoft/agents-activity';
import { askToDelete, deleteAsFacilitator, keepRound } from '../../app/privacy-facilitator.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { CardJson } from '../cards/bind.ts';
import { errorCard } from './answers.ts';
import { teamsCard } from './cards.ts';
import { conversationOf, identityOf, langOfLocale } from './commands.ts';

/*
 * The facilitator deletes the round from Teams: `@dialogrunde slet` (or
 * `delete`) answers with the question card; its Delete button deletes,
 * its Keep button leaves everything. Whether the person may is the app's
 * decision (`privacy-facilitator.ts`); this file translates and renders.
 */

/** Posts a card into the conversation of the turn (the notice that the round is gone). */
export type PostCard = (card: CardJson) => Promise<void>;

/** `slet` / `delete`: the question for the newest round here, or why there is none for this person. */
export async function deleteQuestion(service: RoundService, activity: Activity): Promise<CardJson> {
  const lang = langOfLocale(activity.locale);
  const who = identityOf(activity);
  const conversation = conversationOf(activity);
  if (!who || !conversation) return errorCard(lang, 'unexpected');
  const [round] = await service.deps.store.listByConversation(conversation, 1);
  if (!round) return errorCard(lang, { code: 'round_not_found' });
  const asked = await askToDelete(service, round.id, who);
  if (!asked.ok) return errorCard(await service.langOf(round.id, lang), asked.error);
  return teamsCard(asked.value);
}

/**
 * The question card's buttons. Delete: the presser gets the "deleted" card in
 * place of the question, and the round's conversation (when the card was
 * pressed there) a notice for everybody. Keep: "nothing was deleted".
 */
export async function answerDeletion(
  service: RoundService,
  activity: Activity,
  intent: { kind: 'deleteRound' | 'keepRound'; roundId: string },
  post: PostCard,
): Promise<CardJson> {
  const lang = langOfLocale(activity.locale);
  const who = identityOf(activity);
  if (!who) return errorCard(lang, 'unexpected');
  if (intent.kind === 'keepRound') {
    const kept = await keepRound(service, intent.roundId, who);
    return kept.ok ? teamsCard(kept.value) : errorCard(lang, kept.error);
  }
  const refusalLang = await service.langOf(intent.roundId, lang);
  const deleted = await deleteAsFacilitator(service, intent.roundId, who);
  if (!deleted.ok) return errorCard(refusalLang, deleted.error);
  const { view, conversation } = deleted.value;
  const card = teamsCard(view);
  if (activity.conversation?.id === conversation.conversationId) {
    // The round is gone either way: a lost notice is logged, not answered as a failure.
    await post(card).catch((error: unknown) => {
      service.deps.logger.error({ err: error }, 'teams: the deletion notice could not be posted');
    });
  }
  return card;
}
