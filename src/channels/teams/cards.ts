import type { ViewModel } from '../../core/views/types.ts';
import { type CardJson, cardFor } from '../cards/bind.ts';

/**
 * What only Teams adds to a shared card, decided by the channel's output at
 * send time (never by the templates, which the web channel renders too).
 */
export interface TeamsCardExtras {
  /**
   * Teams user ids (MRIs, `29:…`) whose clients refresh the card to their own
   * view (`refresh.userIds`). Teams honours at most 60.
   */
  refreshUserIds?: readonly string[];
}

/**
 * A view as the Adaptive Card Teams gets: the shared template, full width
 * (a meeting's cards are read on a shared screen too), plus the Teams-only
 * extras.
 */
export function teamsCard(view: ViewModel, _extras: TeamsCardExtras = {}): CardJson {
  const card = cardFor(view);
  card.msteams = { width: 'Full' };
  return card;
}
