import { Activity } from '@microsoft/agents-activity';
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  CardFactory,
  type CloudAdapter,
  MessageFactory,
  type TurnContext,
} from '@microsoft/agents-hosting';
import { failureOf } from '../../app/errors.ts';
import type { Identity } from '../../app/identity.ts';
import type { Logger } from '../../app/logger.ts';
import { RecentValues } from '../../app/recent-values.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { ConversationRef } from '../../core/model.ts';
import type { ChannelMemory, RoundRecord } from '../../core/ports.ts';
import { commandOf, parseCardAction } from '../cards/actions.ts';
import type { CardJson } from '../cards/bind.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE, errorCard } from './answers.ts';
import { joinsRound, runIntent } from './card-actions.ts';
import {
  botWasAdded,
  conversationOf,
  facilitatorCard,
  handleTextCommand,
  identityOf,
  langOfLocale,
  sendWelcome,
  startFromCard,
} from './commands.ts';
import { answerDeletion, type PostCard } from './delete-round.ts';
import type { FacilitatorChatOpener } from './facilitator-chat.ts';
import { type MemberLookup, memberLookup } from './members.ts';
import type { StoredConversation } from './output.ts';
import { refreshCard } from './refresh.ts';
import type { SummaryLinks } from './summary-extras.ts';

/** How long a saved conversation reference is not saved again when unchanged: 10 minutes. */
const REMEMBER_FOR_MS = 10 * 60_000;

export { ADAPTIVE_CARD_CONTENT_TYPE } from './answers.ts';

/** A card action as the bot receives it: `Action.Execute`'s verb and data, or `Action.Submit`'s value. */
export interface CardAction {
  verb?: string;
  data: unknown;
}

export interface TeamsInvokeDeps {
  service: RoundService;
  memory: ChannelMemory;
  logger: Logger;
  /** Signs the summary's export links in replies (`status`). */
  summaryLinks?: SummaryLinks;
  /** Opens the facilitator's 1:1 chat after a start in a group (`facilitator-chat.ts`). */
  openFacilitatorChat?: FacilitatorChatOpener;
}

/**
 * Who acted, from the authenticated envelope only: the tenant of the
 * conversation and the user's Entra object id (or Teams id). Card data is
 * never consulted, so a forged `userId` in `value.action.data` changes nothing.
 */
export { identityOf, langOfLocale } from './commands.ts';

/** Without a turn (no connector client) nobody can be looked up. */
const nobody: MemberLookup = async () => undefined;

/**
 * Runs a card action for the user in the envelope and answers with the card
 * that user should see in place of the pressed one (see `runIntent`), or an
 * error card in the round's language. The round is the newest one in the
 * activity's conversation; a refresh names its own (by the view key).
 * Participants' actions record the presser as a participant (`joinsRound`), so
 * "n of m" counts the people present.
 */
export async function handleCardAction(
  deps: TeamsInvokeDeps,
  activity: Activity,
  action: CardAction,
  members: MemberLookup = nobody,
  post: PostCard = async () => undefined,
): Promise<CardJson> {
  const fallbackLang = langOfLocale(activity.locale);
  const intent = parseCardAction(commandOf(action.data, action.verb), action.data);
  // The welcome card's Start and the hint card's button: no round needed yet / any round.
  if (intent.kind === 'start') return startFromCard(deps, activity);
  if (intent.kind === 'facilitatorControls') return facilitatorCard(deps, activity);
  // The deletion question names its round; whether the presser may is the app's to say.
  if (intent.kind === 'deleteRound' || intent.kind === 'keepRound') {
    return answerDeletion(deps.service, activity, intent, post);
  }
  const who = identityOf(activity);
  const conversation = conversationOf(activity);
  if (!who || !conversation) return errorCard(fallbackLang, 'unexpected');
  if (intent.kind === 'refresh') {
    return refreshCard(deps, activity, who, intent.key, fallbackLang);
  }
  const { service } = deps;
  // The facilitator's card in their 1:1 chat names its round (no round lives in that chat).
  const named = intent.kind === 'command' ? roundIdIn(action.data) : undefined;
  const record =
    named === undefined
      ? await newestRecord(service, conversation)
      : await namedRecord(service, named, who);
  if (!record) return errorCard(fallbackLang, { code: 'round_not_found' });
  const lang = record.state.settings.lang;
  if (intent.kind === 'unknown') {
    deps.logger.info({ command: intent.command }, 'teams: unknown card action');
    return errorCard(lang, { code: 'unknown_command' });
  }
  if (intent.kind === 'invalid') return errorCard(lang, intent.error);
  if (joinsRound(intent)) await service.join(record.state.id, who);
  const turn = { deps, activity, who, state: record.state, version: record.version, members };
  return runIntent(named === undefined ? turn : { ...turn, roundInCard: true }, intent);
}

/** A card's `roundId` (`teamsCard`'s extra), when it looks like one of our ids. */
function roundIdIn(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const id = (data as { roundId?: unknown }).roundId;
  return typeof id === 'string' && id !== '' && id.length <= 100 ? id : undefined;
}

async function newestRecord(
  service: RoundService,
  conversation: ConversationRef,
): Promise<RoundRecord | undefined> {
  const [round] = await service.deps.store.listByConversation(conversation, 1);
  return round && (await service.deps.store.load(round.id));
}

/**
 * A round named by card data: only a Teams round of the presser's tenant
 * (from the envelope). Whether the presser may act on it is the core's
 * decision (`not_facilitator`), so a forged id gains nothing.
 */
async function namedRecord(
  service: RoundService,
  roundId: string,
  who: Identity,
): Promise<RoundRecord | undefined> {
  const record = await service.deps.store.load(roundId);
  const conversation = record?.state.conversation;
  if (conversation?.platform !== 'teams' || conversation.tenant !== who.tenant) return undefined;
  return record;
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
  readonly #remembered = new RecentValues(REMEMBER_FOR_MS, 10_000);

  constructor(deps: TeamsInvokeDeps) {
    super();
    this.#d = deps;
    this.onMessage(async (context, next) => {
      const value: unknown = context.activity.value;
      if (value !== undefined && value !== null && !context.activity.text?.trim()) {
        await handleCardAction(
          this.#d,
          context.activity,
          { data: value },
          memberLookup(context),
          postInTurn(context),
        );
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
      card = await handleCardAction(
        this.#d,
        context.activity,
        { verb: invoke.action.verb, data: invoke.action.data },
        memberLookup(context),
        postInTurn(context),
      );
    } catch (error) {
      this.#d.logger.error({ err: error }, 'teams: card action failed');
      // Answered (200, an error card), but failed: the activity id must be given back.
      context.turnState.set(TURN_FAILED, true);
      card = errorCard(langOfLocale(context.activity.locale), failureOf(error));
    }
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
  }

  /** Keeps the conversation reference fresh (service urls can change). */
  async #remember(activity: Activity): Promise<void> {
    const who = identityOf(activity);
    const conversationId = activity.conversation?.id;
    if (!who || !conversationId || !activity.serviceUrl) return;
    // A channel's team: its members are the channel's (`roster.ts` lists them for refresh).
    const team = (activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
    // Without the sender (`user`): the stored reference would otherwise tie
    // the latest press in a conversation to a person (name, Entra id), and
    // proactive sends need only the conversation, service url and bot.
    const { user: _sender, ...reference } = activity.getConversationReference();
    const data: StoredConversation = {
      reference,
      ...(typeof team === 'string' && team !== '' && { teamId: team }),
    };
    const json = JSON.stringify(data);
    // Every press carries the same reference: write it only when it changed.
    const key = `${who.tenant}\u0000${conversationId}`;
    if (!this.#remembered.fresh(key, json)) return;
    try {
      await this.#d.memory.saveConversation({
        platform: 'teams',
        tenant: who.tenant,
        conversationId,
        data: json,
      });
      this.#remembered.note(key, json);
    } catch (error) {
      this.#d.logger.error({ err: error }, 'teams: saving the conversation reference failed');
    }
  }
}

/**
 * The channel's one top-level error handler. Replaces the SDK's default,
 * which posts "The agent encountered an error or bug." into the chat: we log
 * (the error only, no user data) and answer a failed message turn (a text
 * command, an `Action.Submit`) with a polite error card in the user's
 * language, so nobody waits for an answer that never comes. Invokes answer
 * with their own error card (`onAdaptiveCardInvoke`).
 */
export function quietTurnErrors(adapter: CloudAdapter, logger: Logger): void {
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, type: context.activity.type }, 'teams: unhandled error in a turn');
    if (context.activity.type !== 'message') return;
    try {
      const card = errorCard(langOfLocale(context.activity.locale), failureOf(error));
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    } catch (sendError) {
      logger.error({ err: sendError }, 'teams: the error card could not be sent');
    }
  };
}

/** Posts a card into the turn's conversation (a notice for everybody there). */
function postInTurn(context: TurnContext): PostCard {
  return async (card) => {
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  };
}

/** Set in a turn's state when the turn answered politely but its work failed. */
export const TURN_FAILED = Symbol('dialogrunde.turnFailed');

/**
 * The turn for an activity that arrived while the store was unreachable (its
 * id could not even be claimed): nothing is run; a card press is answered
 * with the "not saved, try again" card, a message with the same card.
 */
export async function answerUnavailable(context: TurnContext): Promise<void> {
  const card = errorCard(langOfLocale(context.activity.locale), 'unavailable');
  if (context.activity.type === 'invoke') {
    const body: AdaptiveCardInvokeResponse = {
      statusCode: 200,
      type: ADAPTIVE_CARD_CONTENT_TYPE,
      value: card,
    };
    // The adapter turns an `invokeResponse` activity into the HTTP answer of the invoke.
    await context.sendActivity(
      Activity.fromObject({ type: 'invokeResponse', value: { status: 200, body } }),
    );
    return;
  }
  if (context.activity.type === 'message') {
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  }
}
