import type { Activity } from '@microsoft/agents-activity';
import type { Identity } from '../../app/identity.ts';
import type { RoundService } from '../../app/round-service.ts';
import { cardBox, type Lang, PRIORITY_BOX } from '../../core/model.ts';
import { buildView } from '../../core/views/build.ts';
import { withYourVote } from '../../core/views/cards.ts';
import type { ViewInput } from '../../core/views/input.ts';
import { viewRequestOfKey } from '../../core/views/requests.ts';
import { withYourPicks } from '../../core/views/steps.ts';
import type { ViewModel } from '../../core/views/types.ts';
import type { CardJson } from '../cards/bind.ts';
import { answerCard, errorCard } from './answers.ts';
import { facilitatorCard, type TeamsCommandDeps } from './commands.ts';

/*
 * Teams' user-specific views: group cards carry `refresh` with
 * `{ command: 'refresh', key }`, and each member's client asks for its own
 * version (`adaptiveCard/action`, `trigger: 'automatic'`). The answer is the
 * view with that key as this user sees it: a vote card with their vote, the
 * priority form with their picks, anything else as the group sees it.
 */

/**
 * A view as `who` sees it: the same view plus their own ballot where the view
 * has a place for it. Ballots are read for the asking user only.
 */
export async function personalView(
  service: RoundService,
  snap: ViewInput,
  who: Identity,
  view: ViewModel,
): Promise<ViewModel> {
  const roundId = snap.state.id;
  if (view.kind === 'cardVote' && view.phase === 'open') {
    const ballot = await service.ballotOf(roundId, who, cardBox(view.cardId));
    return ballot !== undefined && !Array.isArray(ballot) ? withYourVote(snap, view, ballot) : view;
  }
  if (view.kind === 'priority') {
    const ballot = await service.ballotOf(roundId, who, PRIORITY_BOX);
    return Array.isArray(ballot) ? withYourPicks(snap, view, ballot) : view;
  }
  return view;
}

/**
 * The answer to a refresh: the keyed view of a round in this conversation,
 * as this user sees it. A key that names nothing (any more) gets the current
 * step's card of the conversation's newest round; with no round at all, an
 * error card. The facilitator's view is only ever the facilitator's.
 */
export async function refreshCard(
  deps: TeamsCommandDeps,
  activity: Activity,
  who: Identity,
  key: string,
  fallbackLang: Lang,
): Promise<CardJson> {
  const { service } = deps;
  const conversationId = activity.conversation?.id;
  const parsed = viewRequestOfKey(key);
  if (parsed?.request.kind === 'facilitator') return facilitatorCard(deps, activity);
  let snap = parsed && (await service.snapshot(parsed.roundId));
  const here = (s: ViewInput | undefined) =>
    s?.state.conversation.platform === 'teams' &&
    s.state.conversation.tenant === who.tenant &&
    s.state.conversation.conversationId === conversationId;
  let view = parsed && snap && here(snap) ? buildView(parsed.request, snap) : undefined;
  if (!view || !snap || !here(snap)) {
    // Stale or foreign key: the current card of the conversation's newest round.
    const [newest] = conversationId
      ? await service.deps.store.listByConversation(
          { platform: 'teams', tenant: who.tenant, conversationId },
          1,
        )
      : [];
    snap = newest && (await service.snapshot(newest.id));
    if (!snap) return errorCard(fallbackLang, { code: 'round_not_found' });
    view = buildView({ kind: 'step', step: snap.state.step }, snap);
    if (!view) return errorCard(snap.state.settings.lang, 'unexpected');
  }
  return answerCard(await personalView(service, snap, who, view), activity);
}
