import type { Activity } from '@microsoft/agents-activity';
import type { DomainError } from '../../core/errors.ts';
import type { Lang } from '../../core/model.ts';
import { errorView } from '../../core/views/messages.ts';
import type { Failure, ViewModel } from '../../core/views/types.ts';
import type { CardJson } from '../cards/bind.ts';
import { type TeamsCardExtras, teamsCard, USER_SPECIFIC_KINDS } from './cards.ts';

/*
 * The cards an `adaptiveCard/action` invoke answers with. Teams shows the
 * answer in place of the pressed card, to the pressing user only.
 */

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** A refusal as a polite card in the round's (else the user's) language. */
export function errorCard(lang: Lang, error: DomainError | Failure): CardJson {
  return teamsCard(errorView(lang, error));
}

/**
 * A view as the answer card for one user. User-specific kinds (vote card,
 * priority form) keep `refresh` for that user only, so their copy brings
 * itself up to date when they come back to it.
 */
export function answerCard(
  view: ViewModel,
  activity: Activity,
  extras: TeamsCardExtras = {},
): CardJson {
  const me = activity.from?.id;
  if (me && USER_SPECIFIC_KINDS.has(view.kind)) {
    return teamsCard(view, { ...extras, refresh: { userIds: [me] } });
  }
  return teamsCard(view, extras);
}
