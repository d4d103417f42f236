import type { ServiceCommand } from '../../app/round-service.ts';
import { vote } from '../../app/voting.ts';
import { commandOf, parseCardAction } from '../cards/actions.ts';
import { decodeActionValue } from './blocks/buttons.ts';
import { renderVoteConfirmation } from './blocks/index.ts';
import {
  errorMessage,
  facilitatorMessage,
  newestRound,
  type Reply,
  type SlackDeps,
  startRound,
} from './commands.ts';
import { answerDeletion, type PostMessage } from './delete-round.ts';
import type { ActionEnvelope, Where } from './envelope.ts';
import { currentReminder, REMINDER_BLOCK_PREFIX } from './reminders.ts';

/** "Postpone a week". */
export const POSTPONE_DAYS = 7;

/** The part of a block_actions payload we read besides the envelope. */
export interface ActionPayload extends ActionEnvelope {
  actions?: { value?: unknown; block_id?: unknown }[];
}

/**
 * The round a press is about. Plan buttons name their round (the owner may
 * press them in a DM, which is no round's channel): it must be a Slack round
 * of the presser's own workspace. Other buttons act on the channel's newest round.
 */
async function roundOfPress(
  service: SlackDeps['service'],
  where: Where,
  named: string | undefined,
): Promise<{ id: string } | undefined> {
  if (named === undefined) return newestRound(service, where.conversation);
  const conversation = (await service.deps.store.load(named))?.state.conversation;
  if (conversation?.platform !== 'slack' || conversation.tenant !== where.conversation.tenant) {
    return undefined;
  }
  return { id: named };
}

/**
 * A button press, for the person in the envelope. The button's value is the
 * templates' `{ command, value, cardId }` and goes through the same
 * translator as a Teams card action (`parseCardAction`). Answers go to the
 * presser only: a vote gets "Din stemme: 4 …"; a facilitator button gets the
 * refreshed controls (in place, when pressed on the controls themselves); a
 * refusal gets the core's error in the round's language. The group's
 * messages change through the round's effects, not here.
 */
export async function runAction(
  deps: SlackDeps,
  where: Where | undefined,
  body: ActionPayload,
  reply: Reply,
  post: PostMessage = async () => undefined,
): Promise<void> {
  const { service } = deps;
  const fallback = service.deps.defaults.lang;
  const data = decodeActionValue(body.actions?.[0]?.value);
  if (!where || !data) return reply(errorMessage(fallback, 'unexpected'));
  const intent = parseCardAction(commandOf(data), data);
  if (intent.kind === 'start') return startRound(deps, where, {}, reply);
  if (intent.kind === 'deleteRound' || intent.kind === 'keepRound') {
    return answerDeletion(deps, where, intent, reply, post);
  }
  const named = intent.kind === 'planStatus' ? data.roundId : undefined;
  const round = await roundOfPress(service, where, named);
  if (!round) return reply(errorMessage(fallback, { code: 'round_not_found' }));
  // Read once here: the language, and the vote below starts from this record.
  const record = await service.deps.store.load(round.id);
  if (!record) return reply(errorMessage(fallback, { code: 'round_not_found' }));
  const lang = record.state.settings.lang;
  // Controls pressed on the facilitator's own (ephemeral) message are replaced in place.
  const onControls = body.container?.is_ephemeral === true;
  const command = async (cmd: ServiceCommand) => {
    const result = await service.command(round.id, where.who, cmd);
    if (!result.ok) return reply(errorMessage(lang, result.error));
    return reply(await facilitatorMessage(service, round.id, where), { replace: onControls });
  };

  switch (intent.kind) {
    case 'vote': {
      const { cardId, value } = intent;
      const result = await vote(service, round.id, where.who, cardId, value, record);
      return reply(
        result.ok ? renderVoteConfirmation(result.value.view) : errorMessage(lang, result.error),
      );
    }
    case 'facilitatorControls':
      return reply(await facilitatorMessage(service, round.id, where));
    case 'command':
      return command(intent.command);
    case 'planStatus': {
      const { itemId } = intent;
      const result = await service.command(
        round.id,
        where.who,
        intent.action === 'postpone'
          ? { type: 'postponePlanItem', itemId, days: POSTPONE_DAYS }
          : { type: 'setPlanStatus', itemId, status: intent.action },
      );
      if (!result.ok) return reply(errorMessage(lang, result.error));
      // The plan message shows the new status through the round's effects. A
      // reminder (in the channel or the owner's DM) is replaced as it stands now.
      const block = body.actions?.[0]?.block_id;
      if (typeof block === 'string' && block.startsWith(REMINDER_BLOCK_PREFIX)) {
        const now = await currentReminder(service, round.id, itemId);
        if (now) return reply(now, { replace: true });
      }
      return;
    }
    case 'invalid':
      return reply(errorMessage(lang, intent.error));
    default:
      // Forms arrive as view_submissions (`modals/`); a form command on a plain button is not ours.
      deps.logger.info({ intent: intent.kind }, 'slack: action not handled');
      return reply(errorMessage(lang, { code: 'unknown_command' }));
  }
}
