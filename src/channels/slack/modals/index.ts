/**
 * Modals for the forms (issue 5): a button in the group's step message opens
 * the form (`views.open` with the press's trigger_id, which Slack honours for
 * 3 s, so the modal is opened right after the ack, before any slow work);
 * the submission runs through the round service like an Adaptive Card form,
 * and its answer closes the modal or shows the refusal inside it. The
 * group's message changes through the round's effects and the outbox.
 */
import type { WebClient } from '@slack/web-api';
import { failureOf } from '../../../app/errors.ts';
import { type Identity, newId } from '../../../app/identity.ts';
import type { RoundService, ServiceCommand } from '../../../app/round-service.ts';
import { prioritize } from '../../../app/voting.ts';
import { type DomainError, fail } from '../../../core/errors.ts';
import { type Lang, type PlanOwner, PRIORITY_BOX } from '../../../core/model.ts';
import { ok, type Result } from '../../../core/result.ts';
import { planView } from '../../../core/views/plan.ts';
import { customView, priorityView, scopeView, statusView } from '../../../core/views/steps.ts';
import { type CardIntent, commandOf, parseCardAction } from '../../cards/actions.ts';
import { decodeActionValue } from '../blocks/buttons.ts';
import { bold, type SlackMessage, sections, truncate } from '../blocks/kit.ts';
import { errorMessage, newestRound, type Reply, type SlackDeps } from '../commands.ts';
import { fromAction } from '../envelope.ts';
import type { ActionPayload } from '../interactions.ts';
import { platformError } from '../web-client.ts';
import {
  customModal,
  decodeMetadata,
  type FormKind,
  formOfCommand,
  planModal,
  priorityModal,
  scopeModal,
  statusModal,
} from './forms.ts';
import type { ModalView } from './kit.ts';
import { formData, refusal, type SubmitAnswer } from './submit.ts';

export { FORM_CALLBACK_PATTERN } from './forms.ts';
export type { SubmitAnswer } from './submit.ts';

/** A press of a button that opens a form: an action payload and its trigger_id. */
export interface OpenPayload extends ActionPayload {
  trigger_id?: string;
}

/** The parts of a view_submission payload we read. */
export interface SubmitPayload {
  team?: { id?: string } | null;
  enterprise?: { id?: string } | null;
  user?: { id?: string };
  view?: { id?: string; private_metadata?: string; state?: { values?: unknown } };
}

/** Longest view id used in an idempotency key (Slack's are about 11 characters). */
const MAX_VIEW_ID = 100;

type Built = { ok: true; view: ModalView } | { ok: false; lang: Lang; error: DomainError };

/**
 * The modal of a form for this person, from the round's current view model,
 * or why they get none: scope and plan are the facilitator's (the core would
 * refuse anybody else's submission; saying so at once spares them filling it
 * in), and a step form only while its view says the form is open.
 */
async function buildForm(
  service: RoundService,
  roundId: string,
  who: Identity,
  form: FormKind,
): Promise<Built> {
  const snap = await service.snapshot(roundId);
  if (!snap)
    return { ok: false, lang: service.deps.defaults.lang, error: { code: 'round_not_found' } };
  const lang = snap.state.settings.lang;
  const refuse = (code: DomainError['code']): Built => ({ ok: false, lang, error: { code } });
  const facilitator = snap.state.facilitatorKey === service.keyOf(roundId, who);
  switch (form) {
    case 'scope':
      return facilitator
        ? { ok: true, view: scopeModal(scopeView(snap)) }
        : refuse('not_facilitator');
    case 'plan':
      return facilitator
        ? { ok: true, view: planModal(planView(snap)) }
        : refuse('not_facilitator');
    case 'status': {
      const view = statusView(snap);
      return view.open ? { ok: true, view: statusModal(view) } : refuse('wrong_step');
    }
    case 'custom': {
      const view = customView(snap);
      return view.open ? { ok: true, view: customModal(view) } : refuse('wrong_step');
    }
    case 'priority': {
      const view = priorityView(snap);
      if (!view.open) return refuse('priority_not_open');
      // The person's own ballot, shown only to them in their own modal.
      const picks = await service.ballotOf(roundId, who, PRIORITY_BOX);
      return { ok: true, view: priorityModal(view, Array.isArray(picks) ? picks : []) };
    }
    default: {
      const unknown: never = form;
      return unknown;
    }
  }
}

/**
 * A press of a form's button: the modal opens for the presser, or they are
 * told why not (ephemeral, in the round's language). A trigger_id that
 * expired or was used (`expired_trigger_id`, `exchanged_trigger_id`) or a
 * Slack outage gets "try again in a moment".
 */
export async function openForm(
  deps: SlackDeps,
  body: OpenPayload,
  client: WebClient,
  reply: Reply,
): Promise<void> {
  const { service } = deps;
  const fallback = service.deps.defaults.lang;
  const where = fromAction(body);
  const data = decodeActionValue(body.actions?.[0]?.value);
  const form = data && formOfCommand(data.command);
  const trigger = body.trigger_id;
  if (!where || !form || !trigger) return reply(errorMessage(fallback, 'unexpected'));
  const round = await newestRound(service, where.conversation);
  if (!round) return reply(errorMessage(fallback, { code: 'round_not_found' }));
  const built = await buildForm(service, round.id, where.who, form);
  if (!built.ok) return reply(errorMessage(built.lang, built.error));
  try {
    await client.views.open({ trigger_id: trigger, view: built.view });
  } catch (error) {
    deps.logger.warn({ form, code: platformError(error) ?? 'http' }, 'slack: views.open failed');
    return reply(errorMessage(await service.langOf(round.id), { code: 'busy' }));
  }
}

/** What to answer Slack with, and what to do once it has its answer. */
export interface Submitted {
  answer: SubmitAnswer;
  after?: () => Promise<void>;
}

/**
 * A submitted form, for the person in the signed payload. The round comes
 * from `private_metadata`, and counts only if it lives in the submitter's
 * workspace and is a Slack round. A command's idempotency key is the view id:
 * however often one modal is submitted (a retried delivery, a second press of
 * Submit after a lost answer), it has one effect.
 */
export async function submitForm(
  deps: SlackDeps,
  body: SubmitPayload,
  client: WebClient,
): Promise<Submitted> {
  const { service } = deps;
  const fallback = service.deps.defaults.lang;
  const meta = decodeMetadata(body.view?.private_metadata);
  if (!meta) return { answer: refusal(undefined, 'unexpected', {}, fallback) };
  const { form, roundId } = meta;
  const data = formData(form, body.view?.state?.values);
  const record = await service.deps.store.load(roundId);
  const conversation = record?.state.conversation;
  const where =
    conversation &&
    fromAction({
      team: body.team ?? null,
      enterprise: body.enterprise ?? null,
      ...(body.user && { user: body.user }),
      channel: { id: conversation.conversationId },
    });
  if (
    !record ||
    !where ||
    conversation?.platform !== 'slack' ||
    where.conversation.tenant !== conversation.tenant
  ) {
    return { answer: refusal(form, { code: 'round_not_found' }, data, fallback) };
  }
  const lang = record.state.settings.lang;
  const facilitator = record.state.facilitatorKey === service.keyOf(roundId, where.who);
  const viewId = body.view?.id;
  const run: RunContext = {
    service,
    client,
    roundId,
    who: where.who,
    facilitator,
    ...(viewId &&
      viewId.length <= MAX_VIEW_ID && {
        idempotencyKey: `slack:${roundId}:view:${viewId}`,
      }),
  };
  const result = await runForm(run, parseCardAction(commandOf(data), data));
  if (!result.ok) return { answer: refusal(form, result.error, data, lang) };
  const { confirm, joins } = result.value;
  return {
    answer: undefined,
    after: async () => {
      // Notes and own initiatives count the person in "n of m", as in Teams.
      if (joins) await service.join(roundId, where.who);
      if (!confirm) return;
      try {
        await client.chat.postEphemeral({
          channel: where.conversation.conversationId,
          user: where.who.userId,
          ...confirm,
        });
      } catch (error) {
        // The picks are saved and the modal closed; only the confirmation is missing.
        deps.logger.warn({ code: platformError(error) ?? 'http' }, 'slack: confirmation failed');
      }
    },
  };
}

/**
 * Answers a view_submission: Slack wants field errors in the HTTP answer, so
 * the work (one store transaction, and `users.info` for a picked owner) runs
 * before `ack`, unlike every other listener; what can wait (the submitter's
 * confirmation) runs after it. A failure still answers, with "something went
 * wrong, try again" on the form's first field (the input kept), and is
 * thrown on so the delivery's claim is given back.
 */
export async function answerSubmission(
  deps: SlackDeps,
  body: SubmitPayload,
  client: WebClient,
  ack: (answer: SubmitAnswer) => Promise<void>,
): Promise<void> {
  let submitted: Submitted;
  try {
    submitted = await submitForm(deps, body, client);
  } catch (error) {
    const form = decodeMetadata(body.view?.private_metadata)?.form;
    await ack(refusal(form, failureOf(error), {}, deps.service.deps.defaults.lang));
    throw error;
  }
  await ack(submitted.answer);
  await submitted.after?.();
}

interface RunContext {
  service: RoundService;
  client: WebClient;
  roundId: string;
  who: Identity;
  facilitator: boolean;
  idempotencyKey?: string;
}

/** A form's effect went through; `confirm` is for the submitter's eyes only. */
interface Ran {
  confirm?: SlackMessage;
  joins: boolean;
}

async function command(
  run: RunContext,
  cmd: ServiceCommand,
  joins: boolean,
): Promise<Result<Ran, DomainError>> {
  const options = run.idempotencyKey ? { idempotencyKey: run.idempotencyKey } : {};
  const result = await run.service.command(run.roundId, run.who, cmd, options);
  return result.ok ? ok({ joins }) : result;
}

/** The intent of a submitted form, through the round service (`prioritize` for the ballot). */
async function runForm(run: RunContext, intent: CardIntent): Promise<Result<Ran, DomainError>> {
  switch (intent.kind) {
    case 'addNote':
      return command(
        run,
        { type: 'addStatusNote', noteId: newId(), areaId: intent.areaId, text: intent.text },
        true,
      );
    case 'addCustomCard':
      return command(
        run,
        {
          type: 'addCustomCard',
          cardId: newId(),
          missionId: intent.missionId,
          title: intent.title,
          description: intent.description,
        },
        true,
      );
    case 'prioritize': {
      const result = await prioritize(run.service, run.roundId, run.who, intent.cardIds);
      if (!result.ok) return result;
      const yours = result.value.view.yours ?? '';
      return ok({ joins: false, confirm: confirmation(yours) });
    }
    case 'addPlanItem': {
      const owner = await ownerOf(run, intent);
      if (!owner.ok) return owner;
      const input = {
        what: intent.what,
        goal: intent.goal,
        actions: intent.actions,
        owner: owner.value,
        due: intent.due,
        link: null,
      };
      return command(run, { type: 'addPlanItem', itemId: newId(), input }, false);
    }
    case 'command':
      return command(run, intent.command, false);
    case 'invalid':
      return fail(intent.error.code, intent.error.params);
    default:
      return fail('unknown_command');
  }
}

/** "Dine valg: …" as an ephemeral message, like a vote's confirmation. */
function confirmation(text: string): SlackMessage {
  return {
    text: truncate(text, 3000),
    blocks: sections(`:white_check_mark: ${bold(text)}`),
  };
}

/**
 * The plan item's owner: the typed name, or a Slack user picked in the
 * users_select (Slack fills in its value, so it names a real user of the
 * workspace). A picked owner gets `user` (reminders can DM them, and they may
 * press Done themselves) and their display name stands in for an empty typed
 * name (`users.info`). Only asked for the facilitator's submission: nobody
 * else may add items.
 */
async function ownerOf(
  run: RunContext,
  intent: Extract<CardIntent, { kind: 'addPlanItem' }>,
): Promise<Result<PlanOwner, DomainError>> {
  const typed: PlanOwner = { name: intent.ownerName };
  if (intent.ownerUser === undefined || !run.facilitator) return ok(typed);
  const user = { platform: 'slack' as const, userId: intent.ownerUser };
  let info: Awaited<ReturnType<WebClient['users']['info']>>['user'];
  try {
    info = (await run.client.users.info({ user: intent.ownerUser })).user;
  } catch (error) {
    const code = platformError(error);
    if (code === 'user_not_found' || code === 'user_not_visible') return fail('member_not_found');
    // No name to be had (missing scope, outage): a typed name still does.
    return intent.ownerName.trim() === '' ? fail('busy') : ok({ name: intent.ownerName, user });
  }
  if (!info || info.deleted || info.is_bot) return fail('member_not_found');
  const display =
    info.profile?.display_name || info.profile?.real_name || info.real_name || info.name || '';
  const name = intent.ownerName.trim() === '' ? display : intent.ownerName;
  return ok({ name, user });
}
