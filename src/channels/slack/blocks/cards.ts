import type { Band } from '../../../core/aggregate.ts';
import type { CardHeader, CardResultView, CardVoteView } from '../../../core/views/types.ts';
import { actions } from './buttons.ts';
import {
  bold,
  bullets,
  context,
  escapeText,
  header,
  note,
  type SlackBlock,
  sections,
} from './kit.ts';
import { deadlineNote } from './parts.ts';

/** Band colours of the Adaptive Cards (Attention/Warning/Good) as Slack emoji. */
export const BAND_EMOJI: Record<Band, string> = {
  weak: ':red_circle:',
  moderate: ':large_yellow_circle:',
  strong: ':large_green_circle:',
  none: ':white_circle:',
};

function cardTop(view: CardHeader & { title: string }): SlackBlock[] {
  return [
    ...context(`${escapeText(view.area.title)} · ${escapeText(view.mission)}`),
    header(view.title),
  ];
}

/**
 * A dialogue card to rate: its questions, the buttons of the view model's
 * options (1–5 and "Ved ikke / ikke relevant", in that order) while it is
 * open, and "n af m har stemt". `yourVote` appears only in the copy a voter
 * sees for themselves.
 */
export function cardVoteBlocks(view: CardVoteView): SlackBlock[] {
  const buttons =
    view.phase === 'open'
      ? actions(
          view.options.map((o) => ({
            data: { command: 'vote', cardId: view.cardId, value: o.value },
            label: o.label,
          })),
          `vote:${view.cardId}`,
        )
      : [];
  return [
    ...cardTop(view),
    ...sections(escapeText(view.description)),
    ...sections(`${bold(view.questionsTitle)}\n${bullets(view.questions)}`),
    ...note(view.scale),
    ...buttons,
    ...note(view.progress.text),
    ...sections(view.yourVote === undefined ? '' : `:white_check_mark: ${bold(view.yourVote)}`),
    ...deadlineNote(view.deadline),
  ];
}

/** One bar per rating value, 20 characters at 100 %, like the Adaptive Card. */
function bar(share: number, count: number): string {
  return count === 0 ? '▏' : '█'.repeat(Math.max(1, Math.round(share * 20)));
}

/** A closed card: its result once released (k or more raters), else why it is withheld. */
export function cardResultBlocks(view: CardResultView): SlackBlock[] {
  if (!view.released) return [...cardTop(view), ...note(view.text)];
  const distribution = (view.distribution ?? [])
    .map((d) => `\`${escapeText(d.label)}\` ${bar(d.share, d.count)} ${d.count}`)
    .join('\n');
  return [
    ...cardTop(view),
    ...sections(bold(view.text)),
    ...sections(distribution),
    ...note(view.abstentions),
    ...sections(`${BAND_EMOJI[view.band]} ${bold(view.bandLabel)}`),
    ...sections(
      view.disagreement === undefined ? '' : `:warning: ${escapeText(view.disagreement)}`,
    ),
  ];
}

/**
 * The voter's own confirmation (an ephemeral message only they see): their
 * vote, the card it was for, and the count. Only ever built from the copy of
 * the view made for that voter.
 */
export function voteConfirmationBlocks(view: CardVoteView): SlackBlock[] {
  return [
    ...sections(`:white_check_mark: ${bold(view.yourVote ?? '')}`),
    ...context(`${bold(view.title)} · ${escapeText(view.progress.text)}`),
  ];
}
