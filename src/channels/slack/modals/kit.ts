/**
 * The part of Block Kit the Slack channel's modals use (`views.open`), as
 * plain JSON types, and builders that keep every text inside Slack's modal
 * limits. Like the message builders (`../blocks/kit.ts`), every text goes
 * through `escapeText`; option values are our own ids and never cut.
 */
import type { Choice } from '../../../core/views/types.ts';
import {
  escapeText,
  type Mrkdwn,
  mrkdwnText,
  type PlainText,
  type SectionBlock,
  truncate,
} from '../blocks/kit.ts';

/**
 * Modal limits (docs.slack.dev, Block Kit reference: views, input block,
 * plain-text input, select menus, option and option group objects).
 */
export const MODAL_LIMITS = {
  /** `title`, `submit` and `close` of a modal. */
  title: 24,
  submit: 24,
  close: 24,
  /** Blocks in a modal. */
  blocks: 100,
  privateMetadata: 3000,
  callbackId: 255,
  /** An input block's label and hint. */
  inputLabel: 2000,
  inputHint: 2000,
  /** A placeholder of an input element. */
  placeholder: 150,
  /** `max_length` a plain-text input may ask for. */
  textMaxLength: 3000,
  /** An option's text and value, and an option group's label. */
  optionText: 75,
  optionValue: 150,
  optionGroupLabel: 75,
  /** Options of a select menu (and option groups of one). */
  selectOptions: 100,
  optionGroups: 100,
  /** Options of a radio button group. */
  radioOptions: 10,
  /** `block_id` and `action_id`. */
  blockId: 255,
  actionId: 255,
} as const;

export interface ModalOption {
  text: PlainText;
  value: string;
}

export interface ModalOptionGroup {
  label: PlainText;
  options: ModalOption[];
}

export interface PlainTextInputElement {
  type: 'plain_text_input';
  action_id: string;
  multiline?: boolean;
  max_length?: number;
  placeholder?: PlainText;
  initial_value?: string;
}

export interface StaticSelectElement {
  type: 'static_select';
  action_id: string;
  options?: ModalOption[];
  option_groups?: ModalOptionGroup[];
  initial_option?: ModalOption;
  placeholder?: PlainText;
}

export interface MultiStaticSelectElement {
  type: 'multi_static_select';
  action_id: string;
  options?: ModalOption[];
  option_groups?: ModalOptionGroup[];
  initial_options?: ModalOption[];
  max_selected_items?: number;
  placeholder?: PlainText;
}

export interface RadioButtonsElement {
  type: 'radio_buttons';
  action_id: string;
  options: ModalOption[];
  initial_option?: ModalOption;
}

export interface UsersSelectElement {
  type: 'users_select';
  action_id: string;
  placeholder?: PlainText;
}

export interface DatepickerElement {
  type: 'datepicker';
  action_id: string;
  initial_date?: string;
  placeholder?: PlainText;
}

export type InputElement =
  | PlainTextInputElement
  | StaticSelectElement
  | MultiStaticSelectElement
  | RadioButtonsElement
  | UsersSelectElement
  | DatepickerElement;

export interface InputBlock {
  type: 'input';
  block_id: string;
  label: PlainText;
  element: InputElement;
  hint?: PlainText;
  optional?: boolean;
}

export interface ModalContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}

export type ModalBlock = InputBlock | SectionBlock | ModalContextBlock;

export interface ModalView {
  type: 'modal';
  callback_id?: string;
  title: PlainText;
  submit?: PlainText;
  close: PlainText;
  private_metadata?: string;
  blocks: ModalBlock[];
}

/** Plain text for a modal, escaped, one line, cut to `max` with "…". */
export function plain(text: string, max: number): PlainText {
  const flat = escapeText(text.replace(/\s+/g, ' ').trim()) || '…';
  return { type: 'plain_text', text: truncate(flat, max), emoji: true };
}

/**
 * An option. Its value is one of our ids (a card, mission or area id, at most
 * 100 characters by the card translator's bound); one longer than Slack's 150
 * is a bug, since cutting it would send a different id back.
 */
export function option(choice: Choice): ModalOption {
  if (choice.value.length > MODAL_LIMITS.optionValue) {
    throw new RangeError(`slack: option value of ${choice.value.length} characters`);
  }
  return { text: plain(choice.label, MODAL_LIMITS.optionText), value: choice.value };
}

/**
 * A select menu's options: as they are up to Slack's 100; beyond that in
 * groups of 100 in the same order, labelled with their numbers ("101–200"),
 * the numbers the group's message lists them by. More than 100 groups (10,000
 * options) is refused: no deck comes near.
 */
export function selectOptions(
  choices: readonly Choice[],
): Pick<StaticSelectElement, 'options' | 'option_groups'> {
  const all = choices.map(option);
  const size = MODAL_LIMITS.selectOptions;
  if (all.length <= size) return { options: all };
  if (all.length > size * MODAL_LIMITS.optionGroups) {
    throw new RangeError(`slack: ${all.length} options in one select menu`);
  }
  const groups: ModalOptionGroup[] = [];
  for (let i = 0; i < all.length; i += size) {
    const last = Math.min(i + size, all.length);
    groups.push({
      label: plain(`${i + 1}–${last}`, MODAL_LIMITS.optionGroupLabel),
      options: all.slice(i, last),
    });
  }
  return { option_groups: groups };
}

export interface InputSpec {
  /** Names the field in `state.values` (block_id and action_id alike). */
  name: string;
  label: string;
  element: InputElement;
  hint?: string;
  optional?: boolean;
}

/** An input block whose block_id and action_id are both the field's name. */
export function input(spec: InputSpec): InputBlock {
  return {
    type: 'input',
    block_id: spec.name,
    label: plain(spec.label, MODAL_LIMITS.inputLabel),
    element: spec.element,
    ...(spec.hint !== undefined && spec.hint !== ''
      ? { hint: plain(spec.hint, MODAL_LIMITS.inputHint) }
      : {}),
    ...(spec.optional ? { optional: true } : {}),
  };
}

/** A plain-text input; `maxLength` is the core's limit, within Slack's 3000. */
export function textInput(
  name: string,
  options: { multiline?: boolean; maxLength: number; placeholder?: string },
): PlainTextInputElement {
  return {
    type: 'plain_text_input',
    action_id: name,
    ...(options.multiline ? { multiline: true } : {}),
    max_length: Math.min(options.maxLength, MODAL_LIMITS.textMaxLength),
    ...(options.placeholder
      ? { placeholder: plain(options.placeholder, MODAL_LIMITS.placeholder) }
      : {}),
  };
}

/** A small grey line of plain text in a modal (escaped here). */
export function modalNote(text: string | undefined): ModalContextBlock[] {
  if (text === undefined || text.trim() === '') return [];
  return [{ type: 'context', elements: [mrkdwnText(truncate(escapeText(text), 3000))] }];
}
