import type { Activity } from '@microsoft/agents-activity';
import { CardFactory, MessageFactory, type TurnContext } from '@microsoft/agents-hosting';
import type { Identity } from '../../app/identity.ts';
import type { Logger } from '../../app/logger.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { DomainError } from '../../core/errors.ts';
import type { ConversationRef, Lang } from '../../core/model.ts';
import type { RoundSummaryRow } from '../../core/ports.ts';
import { ok, type Result } from '../../core/result.ts';
import {
  errorView,
  facilitatorHintView,
  helpView,
  welcomeView,
} from '../../core/views/messages.ts';
import type { Failure, ViewModel } from '../../core/views/types.ts';
import { bindCard, type CardJson } from '../cards/bind.ts';
import {
  parseCommand,
  parseStartArgs as parseStartWords,
  type StartOptions as SharedStartOptions,
} from '../text-commands.ts';
import { teamsCard } from './cards.ts';
import { deleteQuestion } from './delete-round.ts';
import { type FacilitatorChatOpener, isGroupConversation } from './facilitator-chat.ts';
import type { SummaryLinks } from './summary-extras.ts';

/*
 * Text commands by @mention (channels, group chats) or plainly (personal
 * chat), the welcome card on install, and the two card actions that belong
 * to them (`start` from the welcome card, `facilitator` from the hint card).
 * Identity always comes from the authenticated envelope.
 */

export interface TeamsCommandDeps {
  service: RoundService;
  logger: Logger;
  /** Signs the summary's export links; without it a summary card has no links. */
  summaryLinks?: SummaryLinks;
  /** Opens the facilitator's 1:1 chat after a start in a group; without it there is none. */
  openFacilitatorChat?: FacilitatorChatOpener;
}

/** A view as Teams shows it in a reply: the summary with its picture and export links. */
function replyCard(deps: TeamsCommandDeps, view: ViewModel): CardJson {
  return teamsCard(view, deps.summaryLinks?.extrasFor(view) ?? {});
}

/** Teams takes the language from the user's locale: `start` has no language words. */
export type StartOptions = Omit<SharedStartOptions, 'lang'>;

/** Who acted: the conversation's tenant and the user's Entra object id (or Teams id). */
export function identityOf(activity: Activity): Identity | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const tenantFromData = channelData?.tenant?.id;
  const tenant =
    activity.conversation?.tenantId ??
    (typeof tenantFromData === 'string' ? tenantFromData : undefined);
  const userId = activity.from?.aadObjectId ?? activity.from?.id;
  if (!tenant || !userId) return undefined;
  return { platform: 'teams', tenant, userId };
}

/** The user's Teams locale as one of our languages: Danish for `da*`, else English. */
export function langOfLocale(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith('da') ? 'da' : 'en';
}

/** The round's conversation for an activity (tenant from the envelope). */
export function conversationOf(activity: Activity): ConversationRef | undefined {
  const who = identityOf(activity);
  const conversationId = activity.conversation?.id;
  if (!who || !conversationId) return undefined;
  return { platform: 'teams', tenant: who.tenant, conversationId };
}

/**
 * The command text of a message: the bot's @mention removed (from the
 * `entities` mention info where present, else any `<at>…</at>`), HTML
 * entities Teams adds decoded, whitespace collapsed.
 */
export function commandText(activity: Pick<Activity, 'text' | 'entities' | 'recipient'>): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mention = entity as { type?: unknown; text?: unknown; mentioned?: { id?: unknown } };
    if (mention.type !== 'mention' || typeof mention.text !== 'string') continue;
    const mentioned = mention.mentioned?.id;
    if (mentioned !== undefined && activity.recipient?.id && mentioned !== activity.recipient.id)
      continue;
    text = text.split(mention.text).join(' ');
  }
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `start [deck-id] [sync|async|synkron|asynkron|møde] [all|alle|<area id>]`, in any order:
 * a known deck id is the deck, a mode word the mode, `all`/`alle` the whole deck, and any
 * other word an area id (the core refuses unknown areas).
 */
export function parseStartArgs(
  args: readonly string[],
  isDeck: (id: string) => boolean,
): StartOptions {
  return parseStartWords(args, isDeck);
}

function errorCard(lang: Lang, error: DomainError | Failure): CardJson {
  return bindCard('error', errorView(lang, error));
}

function asMessage(card: CardJson) {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}

async function newestRound(
  service: RoundService,
  conversation: ConversationRef,
  activeOnly: boolean,
): Promise<RoundSummaryRow | undefined> {
  const rows = await service.deps.store.listByConversation(conversation, activeOnly ? 20 : 1);
  return activeOnly ? rows.find((r) => r.status !== 'ended') : rows[0];
}

/**
 * Starts a round in the activity's conversation with the envelope user as
 * facilitator. The group cards go out through the service's effects.
 */
export async function startRound(
  deps: TeamsCommandDeps,
  activity: Activity,
  options: StartOptions,
): Promise<Result<{ roundId: string; lang: Lang }, DomainError | 'unexpected'>> {
  const who = identityOf(activity);
  const conversation = conversationOf(activity);
  if (!who || !conversation) return { ok: false, error: 'unexpected' };
  // One round at a time per conversation: card buttons act on the newest round.
  if (await newestRound(deps.service, conversation, true)) {
    return { ok: false, error: { code: 'round_running' } };
  }
  const started = await deps.service.start(who, {
    conversation,
    ...options,
    ...(activity.locale && { lang: langOfLocale(activity.locale) }),
  });
  if (!started.ok) return started;
  return ok({ roundId: started.value.roundId, lang: started.value.state.settings.lang });
}

/** The facilitator's controls, for the facilitator only (an invoke answers one user). */
export async function facilitatorCard(
  deps: TeamsCommandDeps,
  activity: Activity,
): Promise<CardJson> {
  const fallback = langOfLocale(activity.locale);
  const who = identityOf(activity);
  const conversation = conversationOf(activity);
  if (!who || !conversation) return errorCard(fallback, 'unexpected');
  const round = await newestRound(deps.service, conversation, false);
  if (!round) return errorCard(fallback, { code: 'round_not_found' });
  const record = await deps.service.deps.store.load(round.id);
  const lang = record?.state.settings.lang ?? fallback;
  if (record?.state.facilitatorKey !== deps.service.keyOf(round.id, who)) {
    return errorCard(lang, { code: 'not_facilitator' });
  }
  const view = await deps.service.view(round.id, { kind: 'facilitator' });
  return view ? replyCard(deps, view) : errorCard(lang, 'unexpected');
}

/**
 * After a start in a group conversation: opens (or reuses) the starter's 1:1
 * chat with the bot, links the round to it and sends the facilitator's card
 * there (through the output, which keeps it up to date from then on). The
 * round's first facilitator view went out before the link existed and was
 * dropped, hence the send here. False when there is no such chat (personal
 * conversation, no opener, or creating it failed): the hint card's button is
 * then the only way to the controls.
 */
export async function openFacilitatorChat(
  deps: TeamsCommandDeps,
  activity: Activity,
  roundId: string,
): Promise<boolean> {
  if (!deps.openFacilitatorChat || !isGroupConversation(activity)) return false;
  if (!(await deps.openFacilitatorChat(activity, roundId))) return false;
  const record = await deps.service.deps.store.load(roundId);
  const view = await deps.service.view(roundId, { kind: 'facilitator' });
  if (!record || !view) return false;
  try {
    await deps.service.deps.output.send({
      conversation: record.state.conversation,
      audience: 'facilitator',
      view,
    });
  } catch (error) {
    deps.logger.error({ err: error }, 'teams: sending the facilitator card failed');
  }
  return true;
}

/** The Start button of the welcome card: starts a round and answers with the controls. */
export async function startFromCard(deps: TeamsCommandDeps, activity: Activity): Promise<CardJson> {
  const started = await startRound(deps, activity, {});
  if (!started.ok) return errorCard(langOfLocale(activity.locale), started.error);
  await openFacilitatorChat(deps, activity, started.value.roundId);
  return facilitatorCard(deps, activity);
}

/** Runs a text command and replies in the conversation. */
export async function handleTextCommand(
  deps: TeamsCommandDeps,
  context: TurnContext,
): Promise<void> {
  const { activity } = context;
  const { service } = deps;
  const userLang = langOfLocale(activity.locale);
  const reply = (card: CardJson) => context.sendActivity(asMessage(card));
  const command = parseCommand(commandText(activity));
  const conversation = conversationOf(activity);
  const who = identityOf(activity);

  switch (command.kind) {
    case 'help':
      await reply(bindCard('help', helpView(userLang, service.deps.defaults.k)));
      return;
    case 'unknown':
      deps.logger.info('teams: unknown text command');
      await reply(errorCard(userLang, { code: 'unknown_command' }));
      await reply(bindCard('help', helpView(userLang, service.deps.defaults.k)));
      return;
    case 'start': {
      const options = parseStartArgs(
        command.args,
        (id) => service.deps.decks.get(id) !== undefined,
      );
      const started = await startRound(deps, activity, options);
      if (!started.ok) {
        await reply(errorCard(userLang, started.error));
        return;
      }
      const inChat = await openFacilitatorChat(deps, activity, started.value.roundId);
      await reply(
        bindCard('help', facilitatorHintView(started.value.lang, service.deps.defaults.k, inChat)),
      );
      return;
    }
    case 'status': {
      const round = conversation && (await newestRound(service, conversation, false));
      if (!round) {
        await reply(errorCard(userLang, { code: 'round_not_found' }));
        return;
      }
      const view = await service.view(round.id, { kind: 'step', step: round.step });
      const lang = await service.langOf(round.id, userLang);
      await reply(view ? replyCard(deps, view) : errorCard(lang, 'unexpected'));
      return;
    }
    case 'delete':
      await reply(await deleteQuestion(service, activity));
      return;
    case 'stop': {
      const round = conversation && (await newestRound(service, conversation, true));
      if (!round || !who) {
        // The last round here has ended already, or there never was one.
        const last = conversation && (await newestRound(service, conversation, false));
        await reply(errorCard(userLang, { code: last ? 'round_ended' : 'round_not_found' }));
        return;
      }
      const lang = await service.langOf(round.id, userLang);
      const ended = await service.command(round.id, who, { type: 'end' });
      // On success the group's "round ended" card comes through the outbox: no second copy here.
      if (!ended.ok) await reply(errorCard(lang, ended.error));
      return;
    }
  }
}

/** True when a conversationUpdate says the bot itself was added (installed). */
export function botWasAdded(activity: Activity): boolean {
  const bot = activity.recipient?.id;
  return !!bot && (activity.membersAdded ?? []).some((m) => m.id === bot);
}

/** The welcome card on install, in the installer's Teams language. */
export async function sendWelcome(deps: TeamsCommandDeps, context: TurnContext): Promise<void> {
  const lang = langOfLocale(context.activity.locale);
  await context.sendActivity(
    asMessage(bindCard('help', welcomeView(lang, deps.service.deps.defaults.k))),
  );
}
