import type { PlanItemView, PlanView, ReminderView } from '../../../core/views/types.ts';
import { actions, fromViewAction } from './buttons.ts';
import {
  bold,
  divider,
  escapeText,
  fields,
  header,
  note,
  paragraph,
  type SlackBlock,
  sections,
} from './kit.ts';

const STATUS_EMOJI: Record<PlanItemView['status'], string> = {
  open: ':large_blue_circle:',
  done: ':white_check_mark:',
  blocked: ':no_entry:',
};

function item(view: PlanItemView, labels: PlanView['labels'], blockId: string): SlackBlock[] {
  const facts = [
    ...(view.goal ? [`${bold(labels.goal)}\n${escapeText(view.goal)}`] : []),
    ...(view.actions ? [`${bold(labels.actions)}\n${escapeText(view.actions)}`] : []),
    `${bold(labels.owner)}\n${escapeText(view.owner)}`,
    `${bold(labels.due)}\n${escapeText(view.due)}`,
  ];
  return [
    ...sections(
      `${STATUS_EMOJI[view.status]} ${bold(view.what)} · ${escapeText(view.statusLabel)}`,
    ),
    ...note(view.link),
    ...fields(facts),
    ...note(view.postponed),
    ...actions(view.buttons.map(fromViewAction), blockId),
  ];
}

/** The follow-up plan (opfølgningsskema) with Done / Postpone / Blocked per open item. */
export function planBlocks(view: PlanView): SlackBlock[] {
  return [
    header(view.title),
    ...(view.items.length === 0 ? paragraph(view.empty) : []),
    // A divider before each item: it keeps items apart, and `fitBlocks` cuts only between them.
    ...view.items.flatMap((i) => [divider(), ...item(i, view.labels, `plan:${i.id}`)]),
  ];
}

/** A follow-up reminder with the item and its Done / Postpone a week / Blocked buttons. */
export function reminderBlocks(view: ReminderView): SlackBlock[] {
  return [
    header(view.title),
    ...sections(`:bell: ${bold(view.text)}`),
    ...paragraph(view.owner),
    ...(view.item.goal ? paragraph(view.item.goal) : []),
    ...sections(`${STATUS_EMOJI[view.item.status]} ${bold(view.item.statusLabel)}`),
    ...note(view.item.postponed),
    ...actions(view.actions.map(fromViewAction), `reminder:${view.item.id}`),
  ];
}
