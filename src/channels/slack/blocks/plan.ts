import type {
  PlanItemView,
  PlanView,
  ReminderView,
  ViewAction,
} from '../../../core/views/types.ts';
import { actions, type ButtonSpec, fromViewAction } from './buttons.ts';
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
import { formButton } from './steps.ts';

const STATUS_EMOJI: Record<PlanItemView['status'], string> = {
  open: ':large_blue_circle:',
  done: ':white_check_mark:',
  blocked: ':no_entry:',
};

/**
 * Done / Postpone / Blocked carry the round id: the owner may press them in
 * a direct message, which is not the round's channel (see `reminders.ts`).
 */
function planButton(roundId: string) {
  return (action: ViewAction): ButtonSpec => {
    const spec = fromViewAction(action);
    return { ...spec, data: { ...spec.data, roundId } };
  };
}

function item(
  view: PlanItemView,
  labels: PlanView['labels'],
  blockId: string,
  roundId: string,
): SlackBlock[] {
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
    ...actions(view.buttons.map(planButton(roundId)), blockId),
  ];
}

/**
 * The follow-up plan (opfølgningsskema) with Done / Postpone / Blocked per
 * open item, and the button to add an item (a modal, the facilitator's). The
 * button comes first, so it is kept when a long plan is cut to 50 blocks.
 */
export function planBlocks(view: PlanView): SlackBlock[] {
  return [
    header(view.title),
    ...formButton('addPlanItem', view.dialog.open, 'plan'),
    ...(view.items.length === 0 ? paragraph(view.empty) : []),
    // A divider before each item: it keeps items apart, and `fitBlocks` cuts only between them.
    ...view.items.flatMap((i) => [
      divider(),
      ...item(i, view.labels, `plan:${i.id}`, view.roundId),
    ]),
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
    ...actions(view.actions.map(planButton(view.roundId)), `reminder:${view.item.id}`),
  ];
}
