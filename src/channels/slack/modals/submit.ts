/**
 * A submitted modal, translated: `view.state.values` becomes the `data`
 * object an Adaptive Card form sends (`{ command, areaId, text, … }`), which
 * goes through the shared `parseCardAction`, so Teams, web and Slack forms
 * have one translation. Only the form's own fields are read: anything else in
 * the values (a `userId`, a second `command`) is ignored.
 *
 * A refusal comes back inside the modal, in the round's language, with the
 * user's input kept: on the field it concerns (`response_action: 'errors'`),
 * e.g. an empty or too long text, a date in the past, too many priorities.
 * A refusal no input can mend (not the facilitator, the step is over)
 * replaces the modal with the message and a Close button.
 */
import type { DomainError, ErrorCode } from '../../../core/errors.ts';
import { t } from '../../../core/i18n/index.ts';
import type { Lang } from '../../../core/model.ts';
import { LIMITS } from '../../../core/round/commands.ts';
import { cleanText } from '../../../core/round/content.ts';
import { errorView } from '../../../core/views/messages.ts';
import type { Failure } from '../../../core/views/types.ts';
import { FORM_COMMANDS, FORM_FIELDS, type FormKind, refusalModal } from './forms.ts';
import type { ModalView } from './kit.ts';

/** One input's value in `view.state.values`, as Slack sends it per element type. */
interface StateValue {
  type?: unknown;
  value?: unknown;
  selected_option?: { value?: unknown } | null;
  selected_options?: { value?: unknown }[] | null;
  selected_user?: unknown;
  selected_date?: unknown;
}

/** What Slack expects in the HTTP answer to a view_submission; undefined closes the modal. */
export type SubmitAnswer =
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: ModalView }
  | undefined;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** An input's value: text, a date, a picked user or option, or the picked options. */
function inputValue(raw: unknown): string | string[] | undefined {
  const v = record(raw) as StateValue | undefined;
  if (!v) return undefined;
  switch (v.type) {
    case 'plain_text_input':
      return str(v.value) ?? '';
    case 'static_select':
    case 'radio_buttons':
      return str(v.selected_option?.value) ?? '';
    case 'multi_static_select':
      return (v.selected_options ?? []).flatMap((o) => {
        const value = str(o?.value);
        return value === undefined ? [] : [value];
      });
    case 'users_select':
      return str(v.selected_user) ?? '';
    case 'datepicker':
      return str(v.selected_date) ?? '';
    default:
      return undefined;
  }
}

/**
 * The card data of a submitted form: its command and its fields, each read
 * from the input whose block_id and action_id are the field's name.
 */
export function formData(form: FormKind, values: unknown): Record<string, unknown> {
  const blocks = record(values) ?? {};
  const data: Record<string, unknown> = { command: FORM_COMMANDS[form] };
  for (const name of FORM_FIELDS[form]) {
    const value = inputValue(record(blocks[name])?.[name]);
    if (value !== undefined) data[name] = value;
  }
  return data;
}

interface TextRule {
  name: string;
  max: number;
  required: boolean;
}

/** The forms' texts with the core's rules (`cleanText`), in the order the core checks them. */
const TEXT_RULES: Readonly<Partial<Record<FormKind, readonly TextRule[]>>> = {
  status: [{ name: 'text', max: LIMITS.noteLength, required: true }],
  custom: [
    { name: 'title', max: LIMITS.customTitleLength, required: true },
    { name: 'description', max: LIMITS.customDescriptionLength, required: false },
  ],
  plan: [
    { name: 'what', max: LIMITS.planTextLength, required: true },
    { name: 'goal', max: LIMITS.planTextLength, required: false },
    { name: 'actions', max: LIMITS.planTextLength, required: false },
    { name: 'owner', max: LIMITS.ownerLength, required: true },
  ],
};

/** Refusals about one input other than a text's length or absence. */
const FIELD_OF_CODE: Readonly<Record<FormKind, Partial<Record<ErrorCode, string>>>> = {
  scope: { area_not_found: 'scope' },
  status: { area_not_found: 'areaId' },
  custom: { mission_not_found: 'missionId', duplicate_custom_card: 'title' },
  priority: {
    no_priorities: 'cardIds',
    too_many_priorities: 'cardIds',
    duplicate_priority: 'cardIds',
    card_not_found: 'cardIds',
  },
  plan: { invalid_date: 'due', due_in_past: 'due', member_not_found: 'ownerUser' },
};

/** Refusals that may pass if the same form is sent again in a moment: the input is kept. */
const TRANSIENT: ReadonlySet<ErrorCode | Failure> = new Set([
  'busy',
  'round_paused',
  'unexpected',
  'unavailable',
]);

/**
 * The input a refusal is about: for an empty or too long text, the first of
 * the form's texts that fails the core's own check with that code (the core
 * names no field); else the field of the code; undefined when it concerns
 * no one input.
 */
export function fieldOf(
  form: FormKind,
  error: DomainError,
  data: Record<string, unknown>,
): string | undefined {
  if (error.code === 'text_required' || error.code === 'text_too_long') {
    const rules = TEXT_RULES[form] ?? [];
    const failing = rules.find((rule) => {
      const checked = cleanText(str(data[rule.name]) ?? '', rule.max, rule.required);
      return !checked.ok && checked.error.code === error.code;
    });
    // The typed owner is empty only when no person was picked either.
    return failing?.name ?? rules[0]?.name;
  }
  return FIELD_OF_CODE[form][error.code];
}

/** The answer to a refused submission, in the round's language (see the module comment). */
export function refusal(
  form: FormKind | undefined,
  error: DomainError | Failure,
  data: Record<string, unknown>,
  lang: Lang,
): SubmitAnswer {
  const view = errorView(lang, error);
  const field =
    form === undefined
      ? undefined
      : typeof error === 'string' || TRANSIENT.has(error.code)
        ? FORM_FIELDS[form][0]
        : fieldOf(form, error, data);
  if (field !== undefined) return { response_action: 'errors', errors: { [field]: view.message } };
  return { response_action: 'update', view: refusalModal(view, t(lang, 'dialog.close')) };
}
