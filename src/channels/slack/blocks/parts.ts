import type { StepHeader } from '../../../core/views/types.ts';
import { context, escapeText, header, paragraph, type SlackBlock } from './kit.ts';

/** The top of every step message: "Trin 4 af 7", the step's title and its text. */
export function stepTop(view: StepHeader & { title: string }): SlackBlock[] {
  return [...context(escapeText(view.counter)), header(view.title), ...paragraph(view.text)];
}

/** "Åben til …" in async rounds. */
export function deadlineNote(deadline: string | undefined): SlackBlock[] {
  return deadline === undefined ? [] : context(`:alarm_clock: ${escapeText(deadline)}`);
}
