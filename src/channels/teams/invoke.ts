import type { Activity } from '@microsoft/agents-activity';
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type CloudAdapter,
  type TurnContext,
} from '@microsoft/agents-hosting';
import type { Logger } from '../../app/logger.ts';
import type { RoundService, ServiceCommand } from '../../app/round-service.ts';
import { vote } from '../../app/voting.ts';
import type { DomainError } from '../../core/errors.ts';
import { type Lang, STEPS, type StepId } from '../../core/model.ts';
import type { ChannelMemory } from '../../core/ports.ts';
import { errorView } from '../../core/views/messages.ts';
import { bindCard, type CardJson, cardFor } from '../cards/bind.ts';
import {
  botWasAdded,
  facilitatorCard,
  handleTextCommand,
  identityOf,
  langOfLocale,
  sendWelcome,
  startFromCard,
} from './commands.ts';
import type { StoredConversation } from './output.ts';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A card action as the bot receives it: `Action.Execute`'s verb and data, or `Action.Submit`'s value. */
export interface CardAction {
  verb?: string;
  data: unknown;
}

export interface TeamsInvokeDeps {
  service: RoundService;
  memory: ChannelMemory;
  logger: Logger;
}

/**
 * Who acted, from the authenticated envelope only: the tenant of the
 * conversation and the user's Entra object id (or Teams id). Card data is
 * never consulted, so a forged `userId` in `value.action.data` changes nothing.
 */
export { identityOf, langOfLocale } from './commands.ts';

/** A card's rating value: '1'…'5' become numbers, anything else goes to the core as sent. */
export function ratingValue(value: unknown): unknown {
  return typeof value === 'string' && /^[1-5]$/.test(value) ? Number(value) : value;
}

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null
    ? (data as Record<string, unknown>)[name]
    : undefined;
}

function text(data: unknown, name: string): string | undefined {
  const value = field(data, name);
  return typeof value === 'string' ? value : undefined;
}

function stepOf(value: string | undefined): StepId | undefined {
  return (STEPS as readonly string[]).includes(value ?? '') ? (value as StepId) : undefined;
}

function errorCard(lang: Lang, error: DomainError | 'unexpected'): CardJson {
  return bindCard('error', errorView(lang, error));
}

/** The facilitator commands a card can carry; anything else is unknown here. */
function facilitatorCommand(
  command: string,
  value: string | undefined,
): ServiceCommand | undefined {
  switch (command) {
    case 'next':
    case 'back': {
      const from = stepOf(value);
      return from ? { type: command, from } : { type: command };
    }
    case 'openNextCard':
      return value === undefined ? { type: 'openNextCard' } : { type: 'openNextCard', from: value };
    case 'closeCard':
      return value ? { type: 'closeCard', cardId: value } : undefined;
    case 'pause':
    case 'resume':
    case 'end':
      return { type: command };
    default:
      return undefined;
  }
}

/**
 * Runs a card action for the user in the envelope and answers with the card
 * that user should see: their personal vote card ("Din stemme: 4"), the
 * facilitator's controls, or an error card in the round's language.
 * The round is the newest one in the activity's conversation.
 */
export async function handleCardAction(
  deps: TeamsInvokeDeps,
  activity: Activity,
  action: CardAction,
): Promise<CardJson> {
  const fallbackLang = langOfLocale(activity.locale);
  const requested = text(action.data, 'command') ?? action.verb ?? '';
  // The welcome card's Start and the hint card's button: no round needed yet / any round.
  if (requested === 'start') return startFromCard(deps, activity);
  if (requested === 'facilitator') return facilitatorCard(deps, activity);
  const who = identityOf(activity);
  const conversationId = activity.conversation?.id;
  if (!who || !conversationId) return errorCard(fallbackLang, 'unexpected');
  const { service } = deps;
  const [round] = await service.deps.store.listByConversation(
    { platform: 'teams', tenant: who.tenant, conversationId },
    1,
  );
  if (!round) return errorCard(fallbackLang, { code: 'round_not_found' });
  const record = await service.deps.store.load(round.id);
  const lang = record?.state.settings.lang ?? fallbackLang;
  const command = requested;
  const value = field(action.data, 'value');

  if (command === 'vote') {
    const cardId = text(action.data, 'cardId');
    if (!cardId) return errorCard(lang, { code: 'card_not_found' });
    const result = await vote(service, round.id, who, cardId, ratingValue(value));
    return result.ok ? cardFor(result.value.view) : errorCard(lang, result.error);
  }

  const serviceCommand = facilitatorCommand(command, typeof value === 'string' ? value : undefined);
  if (!serviceCommand) {
    deps.logger.info({ command }, 'teams: unknown card action');
    return errorCard(lang, 'unexpected');
  }
  const result = await service.command(round.id, who, serviceCommand);
  if (!result.ok) return errorCard(lang, result.error);
  const view = await service.view(round.id, { kind: 'facilitator' });
  return view ? cardFor(view) : errorCard(lang, 'unexpected');
}

/**
 * The Teams bot: remembers every conversation's reference, answers
 * `adaptiveCard/action` invokes (Action.Execute) with the acting user's
 * card, and runs `Action.Submit` fallbacks (message activities with a
 * `value`), which cannot answer with a card: their effect shows in the
 * group's cards.
 */
export class TeamsBot extends ActivityHandler {
  readonly #d: TeamsInvokeDeps;

  constructor(deps: TeamsInvokeDeps) {
    super();
    this.#d = deps;
    this.onMessage(async (context, next) => {
      const value: unknown = context.activity.value;
      if (value !== undefined && value !== null && !context.activity.text?.trim()) {
        await handleCardAction(this.#d, context.activity, { data: value });
      } else if (context.activity.text?.trim()) {
        await handleTextCommand(this.#d, context);
      }
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      if (botWasAdded(context.activity)) await sendWelcome(this.#d, context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await this.#remember(context.activity);
    await super.run(context);
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invoke: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    let card: CardJson;
    try {
      card = await handleCardAction(this.#d, context.activity, {
        verb: invoke.action.verb,
        data: invoke.action.data,
      });
    } catch (error) {
      this.#d.logger.error({ err: error }, 'teams: card action failed');
      card = errorCard(langOfLocale(context.activity.locale), 'unexpected');
    }
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
  }

  /** Keeps the conversation reference fresh (service urls can change). */
  async #remember(activity: Activity): Promise<void> {
    const who = identityOf(activity);
    const conversationId = activity.conversation?.id;
    if (!who || !conversationId || !activity.serviceUrl) return;
    const data: StoredConversation = { reference: activity.getConversationReference() };
    try {
      await this.#d.memory.saveConversation({
        platform: 'teams',
        tenant: who.tenant,
        conversationId,
        data: JSON.stringify(data),
      });
    } catch (error) {
      this.#d.logger.error({ err: error }, 'teams: saving the conversation reference failed');
    }
  }
}

/**
 * Replaces the SDK's default turn error handler, which posts "The agent
 * encountered an error or bug." into the chat, with logging only.
 */
export function quietTurnErrors(adapter: CloudAdapter, logger: Logger): void {
  adapter.onTurnError = async (_context, error) => {
    logger.error({ err: error }, 'teams: unhandled error in a turn');
  };
}
