import type { CardPhase } from '../../../core/model.ts';
import type {
  CustomView,
  IntroView,
  PriorityView,
  RatingView,
  ScopeView,
  StatusView,
} from '../../../core/views/types.ts';
import { actions } from './buttons.ts';
import { bold, bullets, escapeText, note, paragraph, type SlackBlock, sections } from './kit.ts';
import { deadlineNote, stepTop } from './parts.ts';

/** A card's phase in lists (the Adaptive Cards show it by colour). */
export const PHASE_EMOJI: Record<CardPhase, string> = {
  pending: ':white_small_square:',
  open: ':ballot_box_with_ballot:',
  closed: ':heavy_check_mark:',
};

export function introBlocks(view: IntroView): SlackBlock[] {
  const agenda = view.agenda.map((item, i) => `${i + 1}. ${escapeText(item)}`).join('\n');
  return [
    ...stepTop(view),
    ...sections(`${bold(view.agendaTitle)}\n${agenda}`),
    ...sections(`${escapeText(view.scope)}\n${escapeText(view.mode)}`),
    ...sections(`:lock: ${escapeText(view.anonymity)}`),
    ...paragraph(view.followUp),
    ...deadlineNote(view.deadline),
  ];
}

/**
 * The scope: the options as a list with the chosen one marked, and while it
 * can still change, one button per option (`setScope` with the option as
 * value, like the form's choice). Only the facilitator's press counts: the
 * core refuses anyone else.
 */
export function scopeBlocks(view: ScopeView): SlackBlock[] {
  const list = view.options
    .map((o) => `${o.selected ? ':radio_button:' : ':white_circle:'} ${escapeText(o.label)}`)
    .join('\n');
  const buttons = view.editable
    ? [
        ...actions(
          view.options.map((o) => ({
            data: { command: 'setScope', value: o.value },
            label: o.label,
            ...(o.selected && { style: 'primary' as const }),
          })),
          'scope',
        ),
        ...note(view.labels.note),
      ]
    : [];
  return [
    ...stepTop(view),
    ...sections(bold(view.chosen)),
    ...sections(list),
    ...buttons,
    ...deadlineNote(view.deadline),
  ];
}

/** Status notes per area. Adding a note needs a modal (not built yet in Slack). */
export function statusBlocks(view: StatusView): SlackBlock[] {
  const groups = view.groups.flatMap((g) =>
    sections(
      `${bold(g.title)}\n${g.notes.length ? bullets(g.notes) : `_${escapeText(view.labels.empty)}_`}`,
    ),
  );
  return [...stepTop(view), ...groups, ...deadlineNote(view.deadline)];
}

export function ratingBlocks(view: RatingView): SlackBlock[] {
  const list = view.cards
    .map(
      (c) =>
        `${PHASE_EMOJI[c.phase]} ${bold(c.title)} · ${escapeText(c.area)} · ${escapeText(c.mission)}`,
    )
    .join('\n');
  return [...stepTop(view), ...note(view.scale), ...sections(list), ...deadlineNote(view.deadline)];
}

/** The group's own initiatives so far. Adding one needs a modal (not built yet in Slack). */
export function customBlocks(view: CustomView): SlackBlock[] {
  const list = view.cards.length
    ? view.cards
        .map((c) => `${PHASE_EMOJI[c.phase]} ${bold(c.title)} · ${escapeText(c.mission)}`)
        .join('\n')
    : `_${escapeText(view.labels.empty)}_`;
  return [
    ...stepTop(view),
    ...sections(list),
    ...note(view.remaining),
    ...deadlineNote(view.deadline),
  ];
}

/** The initiatives to prioritise and "n af m har svaret". Picking needs a modal (not built yet). */
export function priorityBlocks(view: PriorityView): SlackBlock[] {
  const list = view.options
    .map(
      (o, i) =>
        `${i + 1}. ${bold(o.label)}${o.detail === undefined ? '' : ` · ${escapeText(o.detail)}`}`,
    )
    .join('\n');
  return [
    ...stepTop(view),
    ...sections(bold(view.instruction)),
    ...sections(list),
    ...note(view.progress.text),
    ...sections(view.yours === undefined ? '' : `:white_check_mark: ${escapeText(view.yours)}`),
    ...deadlineNote(view.deadline),
  ];
}
