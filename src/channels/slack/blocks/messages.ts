import type {
  DeleteRoundView,
  ErrorView,
  FacilitatorView,
  HelpView,
  RoundStatusView,
} from '../../../core/views/types.ts';
import { actions, fromViewAction } from './buttons.ts';
import {
  bold,
  bullets,
  context,
  escapeText,
  header,
  note,
  paragraph,
  type SlackBlock,
  sections,
} from './kit.ts';

/**
 * The facilitator's script and controls. Slack shows it only to the
 * facilitator (an ephemeral answer to their own command or button); the
 * buttons carry `from` values so a double press cannot skip a step.
 */
export function facilitatorBlocks(view: FacilitatorView): SlackBlock[] {
  return [
    ...context(escapeText(view.counter)),
    header(view.title),
    ...sections(`:bust_in_silhouette: ${bold(view.note)}`),
    ...sections(bullets(view.script)),
    ...paragraph(view.details.join('\n')),
    ...sections(view.progress === undefined ? '' : bold(view.progress.text)),
    ...actions(view.actions.map(fromViewAction), 'facilitator'),
  ];
}

export function roundStatusBlocks(view: RoundStatusView): SlackBlock[] {
  return [header(view.title), ...paragraph(view.text)];
}

/** "Delete the round?" with Delete / Keep (the facilitator only), or what became of it. */
export function deleteRoundBlocks(view: DeleteRoundView): SlackBlock[] {
  return [
    header(view.title),
    ...paragraph(view.text),
    ...actions(view.actions.map(fromViewAction), 'delete-round'),
  ];
}

export function helpBlocks(view: HelpView): SlackBlock[] {
  const buttons = (view.actions ?? []).map((a) => ({
    data: { command: a.command },
    label: a.title,
  }));
  return [
    header(view.title),
    ...paragraph(view.intro),
    ...sections(bullets(view.commands)),
    ...note(view.anonymity),
    ...actions(buttons, 'help'),
  ];
}

export function errorBlocks(view: ErrorView): SlackBlock[] {
  return [...sections(`:warning: ${bold(view.title)}\n${escapeText(view.message)}`)];
}
