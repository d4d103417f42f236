import type { CardPhase } from '../../../core/model.ts';
import type {
  CustomView,
  IntroView,
  PriorityView,
  RatingView,
  ScopeView,
  StatusView,
} from '../../../core/views/types.ts';
import { actions, type ButtonSpec } from './buttons.ts';
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
 * The button that opens a form in a modal (`../modals/`): its value is the
 * form's command, as the Adaptive Card form would send it, without inputs.
 */
export function formButton(command: string, label: string, form: string): SlackBlock[] {
  const spec: ButtonSpec = { data: { command }, label, style: 'primary', opensForm: true };
  return actions([spec], `form:${form}`);
}

/**
 * The scope: the options as a list with the chosen one marked, and while it
 * can still change, a button that opens the choice as radio buttons in a
 * modal (the facilitator's only: anyone else is told so, and the core
 * refuses their submission anyway).
 */
export function scopeBlocks(view: ScopeView): SlackBlock[] {
  const list = view.options
    .map((o) => `${o.selected ? ':radio_button:' : ':white_circle:'} ${escapeText(o.label)}`)
    .join('\n');
  const buttons = view.editable
    ? [...formButton('setScope', view.dialog.open, 'scope'), ...note(view.labels.note)]
    : [];
  return [
    ...stepTop(view),
    ...sections(bold(view.chosen)),
    ...sections(list),
    ...buttons,
    ...deadlineNote(view.deadline),
  ];
}

/** Status notes per area, and while the step is on, the button to add one (a modal). */
export function statusBlocks(view: StatusView): SlackBlock[] {
  const groups = view.groups.flatMap((g) =>
    sections(
      `${bold(g.title)}\n${g.notes.length ? bullets(g.notes) : `_${escapeText(view.labels.empty)}_`}`,
    ),
  );
  const form = view.open ? formButton('addNote', view.dialog.open, 'status') : [];
  return [...stepTop(view), ...groups, ...form, ...deadlineNote(view.deadline)];
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

/** The group's own initiatives so far, and while the step is on, the button to add one (a modal). */
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
    ...(view.open ? formButton('addCustomCard', view.dialog.open, 'custom') : []),
    ...deadlineNote(view.deadline),
  ];
}

/**
 * The initiatives to prioritise, "n af m har svaret", and while the box is
 * open, the button to pick (a modal with the presser's own picks preselected).
 */
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
    ...(view.open ? formButton('prioritize', view.dialog.open, 'priority') : []),
    ...note(view.progress.text),
    ...sections(view.yours === undefined ? '' : `:white_check_mark: ${escapeText(view.yours)}`),
    ...deadlineNote(view.deadline),
  ];
}
