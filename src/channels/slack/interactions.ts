import type { ServiceCommand } from '../../app/round-service.ts';
import { vote } from '../../app/voting.ts';
import { commandOf, parseCardAction } from '../cards/actions.ts';
import { decodeActionValue } from './blocks/buttons.ts';
import { renderVoteConfirmation } from './blocks/index.ts';
import {
  errorMessage,
  facilitatorMessage,
  langOfRound,
  newestRound,
  type Reply,
  type SlackDeps,
  startRound,
} from './commands.ts';
import type { ActionEnvelope, Where } from './envelope.ts';

/** "Postpone a week". */
export const POSTPONE_DAYS = 7;

/** The part of a block_actions payload we read besides the envelope. */
export interface ActionPayload extends ActionEnvelope {
  actions?: { value?: unknown }[];
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
): Promise<void> {
  const { service } = deps;
  const fallback = service.deps.defaults.lang;
  const data = decodeActionValue(body.actions?.[0]?.value);
  if (!where || !data) return reply(errorMessage(fallback, 'unexpected'));
  const intent = parseCardAction(commandOf(data), data);
  if (intent.kind === 'start') return startRound(deps, where, {}, reply);
  const round = await newestRound(service, where.conversation);
  if (!round) return reply(errorMessage(fallback, { code: 'round_not_found' }));
  const lang = await langOfRound(service, round.id);
  // Controls pressed on the facilitator's own (ephemeral) message are replaced in place.
  const onControls = body.container?.is_ephemeral === true;
  const command = async (cmd: ServiceCommand) => {
    const result = await service.command(round.id, where.who, cmd);
    if (!result.ok) return reply(errorMessage(lang, result.error));
    return reply(await facilitatorMessage(service, round.id, where), { replace: onControls });
  };

  switch (intent.kind) {
    case 'vote': {
      const result = await vote(service, round.id, where.who, intent.cardId, intent.value);
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
      // Done: the plan and reminder messages show the new status through the round's effects.
      if (!result.ok) return reply(errorMessage(lang, result.error));
      return;
    }
    case 'invalid':
      return reply(errorMessage(lang, intent.error));
    default:
      // Forms (notes, own cards, priorities, plan items) need modals: not in Slack yet.
      deps.logger.info({ intent: intent.kind }, 'slack: action not handled');
      return reply(errorMessage(lang, { code: 'unknown_command' }));
  }
}
