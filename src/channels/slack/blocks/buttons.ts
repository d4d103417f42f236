import type { ViewAction } from '../../../core/views/types.ts';
import {
  type ActionsBlock,
  BLOCK_KIT_LIMITS,
  type ButtonElement,
  escapeText,
  truncate,
} from './kit.ts';

/**
 * What a button sends back, the same object the Adaptive Card templates put
 * in an action's `data` (`cards/*.json`): the command, its value and, for a
 * vote, the card. It travels as the button's `value` (JSON), so one
 * translator can read the actions of both platforms. It never says who
 * pressed: that comes from the verified envelope.
 */
export interface ActionData {
  command: string;
  value?: string;
  cardId?: string;
  /**
   * The round, on buttons that may be pressed outside the round's channel
   * (a plan item's Done / Postpone / Blocked, also in the owner's DM).
   */
  roundId?: string;
}

/** Every action_id of ours starts with this (Bolt routes on it). */
export const ACTION_ID_PREFIX = 'dialogrunde:';
export const ACTION_ID_PATTERN = /^dialogrunde:/;
/**
 * Buttons that open a form in a modal (`../modals/`) start with this instead:
 * their value is the form's command (`addNote`, `setScope`, …) without its
 * inputs, so Bolt routes them to the modal opener, never to the command.
 */
export const FORM_ACTION_ID_PREFIX = 'dialogrunde-form:';
export const FORM_ACTION_ID_PATTERN = /^dialogrunde-form:/;

export interface ButtonSpec {
  data: ActionData;
  label: string;
  style?: 'primary' | 'danger';
  /** Opens the form of `data.command` in a modal. */
  opensForm?: boolean;
}

/** A view model's button as a spec (`command` + optional `value`, like the templates). */
export function fromViewAction(action: ViewAction): ButtonSpec {
  const data: ActionData = { command: action.command };
  if (action.value !== undefined) data.value = action.value;
  return { data, label: action.label, ...(action.style && { style: action.style }) };
}

/**
 * The button's value. Values are our own ids and commands, never user text,
 * so one longer than Slack's 2000 characters is a bug: cutting it would send
 * a different command back, so it is refused instead.
 */
export function encodeActionValue(data: ActionData): string {
  const value = JSON.stringify(data);
  if (value.length > BLOCK_KIT_LIMITS.actionValue) {
    throw new RangeError(
      `slack: button value of ${value.length} characters (limit ${BLOCK_KIT_LIMITS.actionValue})`,
    );
  }
  return value;
}

/** Reads a button's value back; undefined when it is not ours. */
export function decodeActionValue(value: unknown): ActionData | undefined {
  if (typeof value !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { command, value: v, cardId, roundId } = parsed as Record<string, unknown>;
  if (typeof command !== 'string' || command === '') return undefined;
  const data: ActionData = { command };
  if (typeof v === 'string') data.value = v;
  if (typeof cardId === 'string') data.cardId = cardId;
  // Round ids are ours (22 characters); anything long is not.
  if (typeof roundId === 'string' && roundId !== '' && roundId.length <= 100) {
    data.roundId = roundId;
  }
  return data;
}

function button(spec: ButtonSpec, index: number): ButtonElement {
  const label = escapeText(spec.label.replace(/\s+/g, ' ').trim()) || '…';
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(label, BLOCK_KIT_LIMITS.buttonText), emoji: true },
    // Unique within the message (Slack wants unique action_ids per block); the
    // command is in it only to make payloads readable.
    action_id:
      `${spec.opensForm ? FORM_ACTION_ID_PREFIX : ACTION_ID_PREFIX}${spec.data.command}:${index}`.slice(
        0,
        BLOCK_KIT_LIMITS.actionId,
      ),
    value: encodeActionValue(spec.data),
    ...(spec.style && { style: spec.style }),
  };
}

/**
 * Buttons in actions blocks of at most 25 elements each, in order. `blockId`
 * names the first block; later ones get `-2`, `-3`, … so ids stay unique.
 */
export function actions(specs: readonly ButtonSpec[], blockId: string): ActionsBlock[] {
  const blocks: ActionsBlock[] = [];
  const size = BLOCK_KIT_LIMITS.actionsElements;
  for (let i = 0; i < specs.length; i += size) {
    const n = i / size + 1;
    const id = (n === 1 ? blockId : `${blockId}-${n}`).slice(0, BLOCK_KIT_LIMITS.blockId);
    blocks.push({
      type: 'actions',
      block_id: id,
      elements: specs.slice(i, i + size).map((spec, j) => button(spec, i + j)),
    });
  }
  return blocks;
}
