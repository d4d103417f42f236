import type { Logger } from '../../app/logger.ts';
import { askToDelete } from '../../app/privacy-facilitator.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { DomainError } from '../../core/errors.ts';
import type { ConversationRef, Lang } from '../../core/model.ts';
import type { RoundSummaryRow } from '../../core/ports.ts';
import { errorView, helpView } from '../../core/views/messages.ts';
import type { Failure, ViewModel } from '../../core/views/types.ts';
import { LANG_WORDS, parseCommand, parseStartArgs, type StartOptions } from '../text-commands.ts';
import { renderMessages } from './blocks/index.ts';
import type { SlackMessage } from './blocks/kit.ts';
import type { Where } from './envelope.ts';

/*
 * `/dialogrunde start|status|stop|slet|help` and the same words after an
 * @mention. The grammar is the Teams channel's (`start [deck] [mode] [scope]`)
 * plus a language word, since Slack sends no locale with a command.
 * Every answer goes only to the person who asked (ephemeral).
 */

export interface SlackDeps {
  service: RoundService;
  logger: Logger;
}

/** Answers the person who acted, visible only to them; `replace` edits their ephemeral message. */
export type Reply = (message: SlackMessage, options?: { replace?: boolean }) => Promise<void>;

/** The command text of an app mention: `<@U…>` mentions removed, whitespace collapsed. */
export function mentionText(text: string | undefined): string {
  return (text ?? '')
    .replace(/<@[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The newest round of a conversation (only a not-ended one with `activeOnly`). */
export async function newestRound(
  service: RoundService,
  conversation: ConversationRef,
  activeOnly = false,
): Promise<RoundSummaryRow | undefined> {
  const rows = await service.deps.store.listByConversation(conversation, activeOnly ? 20 : 1);
  return activeOnly ? rows.find((r) => r.status !== 'ended') : rows[0];
}

export function errorMessage(lang: Lang, error: DomainError | Failure): SlackMessage {
  return renderMessages(errorView(lang, error));
}

/** The facilitator's controls for a round, or why this person gets none. */
export async function facilitatorMessage(
  service: RoundService,
  roundId: string,
  where: Where,
): Promise<SlackMessage> {
  const record = await service.deps.store.load(roundId);
  const lang = record?.state.settings.lang ?? service.deps.defaults.lang;
  if (!record) return errorMessage(lang, { code: 'round_not_found' });
  if (record.state.facilitatorKey !== service.keyOf(roundId, where.who)) {
    return errorMessage(lang, { code: 'not_facilitator' });
  }
  const view = await service.view(roundId, { kind: 'facilitator' });
  return view ? renderMessages(view) : errorMessage(lang, 'unexpected');
}

/** Starts a round here with the person as facilitator and answers with their controls. */
export async function startRound(
  deps: SlackDeps,
  where: Where,
  options: StartOptions,
  reply: Reply,
): Promise<void> {
  const { service } = deps;
  const started = await service.start(where.who, { conversation: where.conversation, ...options });
  if (!started.ok) {
    await reply(errorMessage(options.lang ?? service.deps.defaults.lang, started.error));
    return;
  }
  await reply(await facilitatorMessage(service, started.value.roundId, where));
}

/** Runs a slash command or mention text for the person in the envelope. */
export async function runTextCommand(
  deps: SlackDeps,
  where: Where | undefined,
  text: string,
  reply: Reply,
): Promise<void> {
  const { service } = deps;
  const lang = service.deps.defaults.lang;
  const command = parseCommand(text);
  const help = helpView(lang, service.deps.defaults.k);
  if (command.kind === 'help') return reply(renderMessages(help));
  if (command.kind === 'unknown') {
    deps.logger.info('slack: unknown command');
    return reply(renderMessages(errorView(lang, { code: 'unknown_command' }), help));
  }
  if (!where) return reply(errorMessage(lang, 'unexpected'));
  if (command.kind === 'start') {
    const isDeck = (id: string) => service.deps.decks.get(id) !== undefined;
    return startRound(deps, where, parseStartArgs(command.args, isDeck, LANG_WORDS), reply);
  }
  const round = await newestRound(service, where.conversation, command.kind === 'stop');
  if (!round) return reply(errorMessage(lang, { code: 'round_not_found' }));
  const roundLang = await service.langOf(round.id);
  if (command.kind === 'delete') {
    // Only a question: the round goes on the second, explicit press (`interactions.ts`).
    const asked = await askToDelete(service, round.id, where.who);
    return reply(asked.ok ? renderMessages(asked.value) : errorMessage(roundLang, asked.error));
  }
  if (command.kind === 'status') {
    const view = await service.view(round.id, { kind: 'step', step: round.step });
    await reply(view ? renderMessages(view) : errorMessage(roundLang, 'unexpected'));
    // The facilitator's ephemeral controls vanish on reload: `status` brings them back.
    const record = await service.deps.store.load(round.id);
    if (record?.state.facilitatorKey === service.keyOf(round.id, where.who)) {
      await reply(await facilitatorMessage(service, round.id, where));
    }
    return;
  }
  const ended = await service.command(round.id, where.who, { type: 'end' });
  if (!ended.ok) return reply(errorMessage(roundLang, ended.error));
  const view: ViewModel | undefined = await service.view(round.id, { kind: 'roundStatus' });
  await reply(view ? renderMessages(view) : errorMessage(roundLang, 'unexpected'));
}
