import type { CardVoteView, ViewKind, ViewModel } from '../../../core/views/types.ts';
import { cardResultBlocks, cardVoteBlocks, voteConfirmationBlocks } from './cards.ts';
import { fitBlocks } from './fit.ts';
import {
  BLOCK_KIT_LIMITS,
  divider,
  escapeText,
  type SlackBlock,
  type SlackMessage,
  truncate,
} from './kit.ts';
import {
  deleteRoundBlocks,
  errorBlocks,
  facilitatorBlocks,
  helpBlocks,
  roundStatusBlocks,
} from './messages.ts';
import { planBlocks, reminderBlocks } from './plan.ts';
import {
  customBlocks,
  introBlocks,
  priorityBlocks,
  ratingBlocks,
  scopeBlocks,
  statusBlocks,
} from './steps.ts';
import { summaryBlocks } from './summary.ts';

export type { SlackBlock, SlackMessage } from './kit.ts';

/**
 * One Block Kit renderer per view kind. A mapped type over `ViewKind` (a
 * `Record` whose value type follows the key), so a new view kind does not
 * type-check until it has a renderer here.
 */
export type BlockRenderers = {
  readonly [K in ViewKind]: (view: Extract<ViewModel, { kind: K }>) => SlackBlock[];
};

export const BLOCK_RENDERERS: BlockRenderers = {
  intro: introBlocks,
  scope: scopeBlocks,
  status: statusBlocks,
  rating: ratingBlocks,
  cardVote: cardVoteBlocks,
  cardResult: cardResultBlocks,
  custom: customBlocks,
  priority: priorityBlocks,
  summary: summaryBlocks,
  plan: planBlocks,
  reminder: reminderBlocks,
  facilitator: facilitatorBlocks,
  roundStatus: roundStatusBlocks,
  deleteRound: deleteRoundBlocks,
  help: helpBlocks,
  error: errorBlocks,
};

/** The notification text (also what screen readers and old clients show). */
function fallbackText(view: ViewModel): string {
  if (view.kind === 'error') return `${view.title}: ${view.message}`;
  if (view.kind === 'cardVote') return `${view.title} · ${view.progress.text}`;
  return view.title;
}

/** A view model as a Slack message within Block Kit's limits (see `fitBlocks`). */
export function renderMessage(view: ViewModel): SlackMessage {
  return renderMessages(view);
}

/** Several views in one message (an error followed by the help), divided, within the limits. */
export function renderMessages(first: ViewModel, ...more: ViewModel[]): SlackMessage {
  const blocks = [first, ...more].flatMap((view, i) => {
    // The mapped type guarantees each renderer matches its kind; TypeScript cannot
    // correlate `view.kind` with the indexed renderer, hence the widening.
    const render = BLOCK_RENDERERS[view.kind] as (view: ViewModel) => SlackBlock[];
    return i === 0 ? render(view) : [divider(), ...render(view)];
  });
  return {
    text: truncate(escapeText(fallbackText(first)), BLOCK_KIT_LIMITS.sectionText),
    blocks: fitBlocks(blocks, first.lang),
  };
}

/** The ephemeral "Din stemme: 4 …" for the voter (a view made by `withYourVote`). */
export function renderVoteConfirmation(view: CardVoteView): SlackMessage {
  return {
    text: truncate(escapeText(view.yourVote ?? view.title), BLOCK_KIT_LIMITS.sectionText),
    blocks: voteConfirmationBlocks(view),
  };
}
