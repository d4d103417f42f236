/**
 * The forms as Slack modals: status note, own initiative, priorities, plan
 * item and (for the facilitator) the scope. Slack messages cannot hold
 * free-text inputs, so the group's step message carries a button that opens
 * the form in a modal (`views.open`). Every label comes from the view model
 * in the round's language; each input's block_id and action_id are the name
 * of the field the shared card translator (`parseCardAction`) reads, so a
 * submission becomes the same `data` object an Adaptive Card form sends.
 *
 * `private_metadata` carries the round id and the form, never who opened it:
 * who submits comes from the signed payload.
 */
import { LIMITS } from '../../../core/round/commands.ts';
import type {
  CustomView,
  PlanView,
  PriorityView,
  ScopeView,
  StatusView,
} from '../../../core/views/types.ts';
import { GENERAL_AREA_VALUE } from '../../cards/bind.ts';
import { escapeText, mrkdwnText } from '../blocks/kit.ts';
import {
  type InputBlock,
  input,
  MODAL_LIMITS,
  type ModalBlock,
  type ModalView,
  modalNote,
  option,
  plain,
  selectOptions,
  textInput,
} from './kit.ts';

export const FORM_KINDS = ['scope', 'status', 'custom', 'priority', 'plan'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

/** The card command each form submits: the same as the Adaptive Card forms'. */
export const FORM_COMMANDS: Readonly<Record<FormKind, string>> = {
  scope: 'setScope',
  status: 'addNote',
  custom: 'addCustomCard',
  priority: 'prioritize',
  plan: 'addPlanItem',
};

/** The form a button's command opens (the opener buttons carry the form's command). */
export function formOfCommand(command: string): FormKind | undefined {
  return FORM_KINDS.find((kind) => FORM_COMMANDS[kind] === command);
}

/** The fields of each form in the order shown: the names `parseCardAction` reads. */
export const FORM_FIELDS: Readonly<Record<FormKind, readonly string[]>> = {
  scope: ['scope'],
  status: ['areaId', 'text'],
  custom: ['title', 'description', 'missionId'],
  priority: ['cardIds'],
  plan: ['what', 'goal', 'actions', 'owner', 'ownerUser', 'due'],
};

/** Every modal's callback_id starts with this (Bolt routes view submissions on it). */
export const FORM_CALLBACK_PREFIX = 'dialogrunde-form:';
export const FORM_CALLBACK_PATTERN = /^dialogrunde-form:/;

export interface FormMetadata {
  roundId: string;
  form: FormKind;
}

export function encodeMetadata(meta: FormMetadata): string {
  const text = JSON.stringify({ roundId: meta.roundId, form: meta.form });
  if (text.length > MODAL_LIMITS.privateMetadata) throw new RangeError('slack: metadata too long');
  return text;
}

/** The round and form of a submitted modal; undefined when it is not one of ours. */
export function decodeMetadata(text: unknown): FormMetadata | undefined {
  if (typeof text !== 'string' || text.length > MODAL_LIMITS.privateMetadata) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { roundId, form } = parsed as Record<string, unknown>;
  if (typeof roundId !== 'string' || roundId === '' || roundId.length > 100) return undefined;
  const kind = FORM_KINDS.find((k) => k === form);
  return kind ? { roundId, form: kind } : undefined;
}

function modal(
  form: FormKind,
  view: { roundId: string; dialog: { title: string; cancel: string } },
  submit: string,
  blocks: ModalBlock[],
): ModalView {
  if (blocks.length > MODAL_LIMITS.blocks) throw new RangeError('slack: too many modal blocks');
  return {
    type: 'modal',
    callback_id: `${FORM_CALLBACK_PREFIX}${form}`,
    title: plain(view.dialog.title, MODAL_LIMITS.title),
    submit: plain(submit, MODAL_LIMITS.submit),
    close: plain(view.dialog.cancel, MODAL_LIMITS.close),
    private_metadata: encodeMetadata({ roundId: view.roundId, form }),
    blocks,
  };
}

/**
 * The scope as radio buttons (a select menu beyond Slack's 10 radio options),
 * the chosen one preselected; only the facilitator gets it.
 */
export function scopeModal(view: ScopeView): ModalView {
  const options = view.options.map(option);
  const initial = view.options.findIndex((o) => o.selected);
  const chosen = initial >= 0 ? { initial_option: options[initial] } : {};
  const element: InputBlock['element'] =
    options.length <= MODAL_LIMITS.radioOptions
      ? { type: 'radio_buttons', action_id: 'scope', options, ...chosen }
      : { type: 'static_select', action_id: 'scope', ...selectOptions(view.options), ...chosen };
  return modal('scope', view, view.labels.submit, [
    input({ name: 'scope', label: view.labels.choose, element }),
    ...modalNote(view.labels.note),
  ]);
}

/** A status note: the area (or "general", preselected) and the text. */
export function statusModal(view: StatusView): ModalView {
  const general = view.groups.find((g) => g.areaId === null)?.title ?? '';
  const choices = [...view.areaChoices, { value: GENERAL_AREA_VALUE, label: general }];
  return modal('status', view, view.labels.submit, [
    input({
      name: 'areaId',
      label: view.labels.area,
      element: {
        type: 'static_select',
        action_id: 'areaId',
        ...selectOptions(choices),
        initial_option: option({ value: GENERAL_AREA_VALUE, label: general }),
      },
    }),
    input({
      name: 'text',
      label: view.labels.placeholder,
      element: textInput('text', { multiline: true, maxLength: LIMITS.noteLength }),
    }),
  ]);
}

/** An own initiative: title, optional description, and the mission it belongs to. */
export function customModal(view: CustomView): ModalView {
  return modal('custom', view, view.labels.submit, [
    input({
      name: 'title',
      label: view.labels.title,
      element: textInput('title', { maxLength: LIMITS.customTitleLength }),
    }),
    input({
      name: 'description',
      label: view.labels.description,
      element: textInput('description', {
        multiline: true,
        maxLength: LIMITS.customDescriptionLength,
      }),
      optional: true,
    }),
    input({
      name: 'missionId',
      label: view.labels.mission,
      element: {
        type: 'static_select',
        action_id: 'missionId',
        ...selectOptions(view.missionChoices),
      },
    }),
    ...modalNote(view.remaining),
  ]);
}

/**
 * The priorities: a multi-select of the round's cards, at most `max` picks,
 * with the person's own current picks preselected (their ballot, shown only
 * to them). Unknown ids among the picks are left out.
 */
export function priorityModal(view: PriorityView, picks: readonly string[]): ModalView {
  const byValue = new Map(view.options.map((o) => [o.value, o]));
  const initial = picks.flatMap((id) => {
    const found = byValue.get(id);
    return found ? [option(found)] : [];
  });
  return modal('priority', view, view.submit, [
    input({
      name: 'cardIds',
      label: view.instruction,
      element: {
        type: 'multi_static_select',
        action_id: 'cardIds',
        ...selectOptions(view.options),
        ...(initial.length ? { initial_options: initial } : {}),
        max_selected_items: view.max,
      },
    }),
  ]);
}

/**
 * A follow-up item (opfølgningsskema): what, goal, actions, the owner typed
 * or picked as a Slack user (then their display name stands in for an empty
 * typed name, and they get reminders by DM and may press Done), and the due
 * date. Only the facilitator gets it.
 */
export function planModal(view: PlanView): ModalView {
  const { labels } = view;
  const max = LIMITS.planTextLength;
  return modal('plan', view, labels.submit, [
    input({ name: 'what', label: labels.what, element: textInput('what', { maxLength: max }) }),
    input({
      name: 'goal',
      label: labels.goal,
      element: textInput('goal', { multiline: true, maxLength: max }),
      optional: true,
    }),
    input({
      name: 'actions',
      label: labels.actions,
      element: textInput('actions', { multiline: true, maxLength: max }),
      optional: true,
    }),
    input({
      name: 'owner',
      label: labels.owner,
      element: textInput('owner', { maxLength: LIMITS.ownerLength, placeholder: labels.ownerHint }),
      optional: true,
    }),
    input({
      name: 'ownerUser',
      label: labels.ownerUser,
      element: { type: 'users_select', action_id: 'ownerUser' },
      optional: true,
    }),
    input({ name: 'due', label: labels.due, element: { type: 'datepicker', action_id: 'due' } }),
  ]);
}

/** A refusal that no change to the inputs can mend: the message, and Close. */
export function refusalModal(error: { title: string; message: string }, close: string): ModalView {
  return {
    type: 'modal',
    title: plain(error.title, MODAL_LIMITS.title),
    close: plain(close, MODAL_LIMITS.close),
    blocks: [
      {
        type: 'section',
        text: mrkdwnText(`:warning: ${escapeText(error.message)}`),
      },
    ],
  };
}
