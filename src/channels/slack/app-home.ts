import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import type { RoundService } from '../../app/round-service.ts';
import type { Lang } from '../../core/model.ts';
import {
  type HomeRound,
  type HomeRoundInput,
  type HomeView,
  homeMoreRounds,
  homeView,
} from '../../core/views/home.ts';
import {
  bold,
  context,
  divider,
  escapeText,
  header,
  type SlackBlock,
  sections,
} from './blocks/kit.ts';

/*
 * The App Home tab: on `app_home_opened` (tab `home`) the bot publishes, for
 * the person who opened it, the workspace's rounds in the channels they are a
 * member of (newest first, step and status) and the follow-up items not done
 * yet with owner, due date and status (`core/views/home.ts`).
 *
 * Who may see what: a round shows only what its channel shows its members,
 * and only to its members. Membership is asked of Slack
 * (`conversations.members`, paged) with the workspace's bot token; a channel
 * whose members cannot be read (the bot was removed, a DM) is left out: it
 * fails closed. The Home is refreshed each time it is opened.
 */

/** Block Kit allows 100 blocks in a Home tab view. */
export const HOME_BLOCK_LIMIT = 100;
/** How many of the workspace's newest rounds are considered. */
export const HOME_ROUNDS_CONSIDERED = 50;
/** conversations.members pages read per channel (× 200 members). */
const MEMBER_PAGES = 50;

export interface HomeDeps {
  service: RoundService;
  logger: Logger;
}

export interface HomeBlocks {
  type: 'home';
  blocks: SlackBlock[];
}

/** A channel mention `<#C…>` for a channel id; anything else is shown as escaped text. */
function channelMention(id: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : escapeText(id);
}

function roundBlocks(view: HomeView, round: HomeRound): SlackBlock[] {
  const blocks: SlackBlock[] = [
    divider(),
    ...sections(`${bold(round.title)}\n${channelMention(round.conversationId)}`),
    ...context(escapeText([round.step, round.statusLabel, round.started].join(' · '))),
  ];
  if (round.items.length > 0) {
    const lines = round.items.map((item) => {
      const details = [item.ownerLine, item.dueLine, item.statusLabel];
      if (item.postponed) details.push(item.postponed);
      return `• ${bold(item.what)}\n    ${escapeText(details.join(' · '))}`;
    });
    blocks.push(...sections(`${bold(view.openItems)}\n${lines.join('\n')}`));
  }
  blocks.push(...context(escapeText(round.planSummary)));
  return blocks;
}

/**
 * The Home tab's blocks: at most 100. Rounds are kept whole, newest first,
 * while they fit in 99 blocks; the rest become one "… and N more rounds" line.
 */
export function renderHome(view: HomeView): HomeBlocks {
  const blocks: SlackBlock[] = [header(view.title), ...context(escapeText(view.intro))];
  if (view.rounds.length === 0) {
    blocks.push(divider(), ...sections(escapeText(view.empty)));
    return { type: 'home', blocks };
  }
  const budget = HOME_BLOCK_LIMIT - 1;
  let shown = 0;
  for (const round of view.rounds) {
    const part = roundBlocks(view, round);
    if (blocks.length + part.length > budget) break;
    blocks.push(...part);
    shown += 1;
  }
  const left = view.rounds.length - shown;
  if (left > 0) blocks.push(...context(escapeText(homeMoreRounds(view.lang, left))));
  return { type: 'home', blocks };
}

/** Whether `user` is a member of `channel`; false when Slack will not say. */
async function isMember(client: WebClient, channel: string, user: string): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < MEMBER_PAGES; page++) {
    const answer = await client.conversations.members({
      channel,
      limit: 200,
      ...(cursor && { cursor }),
    });
    if (answer.members?.includes(user)) return true;
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (!cursor) return false;
  }
  return false;
}

/** The rounds of a tenant that `user` may see, newest first, with their decks. */
async function visibleRounds(
  deps: HomeDeps,
  client: WebClient,
  tenant: string,
  user: string,
): Promise<HomeRoundInput[]> {
  const { store, decks } = deps.service.deps;
  const rows = await store.listByTenant('slack', tenant, HOME_ROUNDS_CONSIDERED);
  const member = new Map<string, boolean>();
  const visible: HomeRoundInput[] = [];
  for (const row of rows) {
    const channel = row.conversation.conversationId;
    let allowed = member.get(channel);
    if (allowed === undefined) {
      allowed = await isMember(client, channel, user).catch((error: unknown) => {
        deps.logger.info({ err: error }, 'slack home: channel members unavailable; left out');
        return false;
      });
      member.set(channel, allowed);
    }
    if (!allowed) continue;
    const record = await store.load(row.id);
    const deck = record && decks.get(record.state.settings.deckId);
    if (record && deck) visible.push({ state: record.state, deck });
  }
  return visible;
}

/**
 * Builds and publishes the Home tab for one person. The page's language is
 * that of the newest round shown (rounds carry a language, people in Slack
 * do not tell us theirs), else the default (da).
 */
export async function publishHome(
  deps: HomeDeps,
  client: WebClient,
  where: { tenant: string; userId: string },
): Promise<void> {
  const rounds = await visibleRounds(deps, client, where.tenant, where.userId);
  const lang: Lang = rounds[0]?.state.settings.lang ?? deps.service.deps.defaults.lang;
  const view = homeView(lang, rounds, deps.service.deps.clock.now());
  await client.views.publish({ user_id: where.userId, view: renderHome(view) });
}

/**
 * Publishes the Home tab whenever someone opens it (`tab: 'home'`; the
 * Messages tab needs nothing). Uses the client Bolt authorised for the
 * workspace, so it works with one bot token and with OAuth installs alike.
 */
export function listenForHome(app: App, deps: () => HomeDeps): void {
  app.event('app_home_opened', async ({ body, event, client }) => {
    if (event.tab !== 'home') return;
    const tenant = body.enterprise_id || body.team_id;
    if (!tenant || !event.user) return;
    await publishHome(deps(), client, { tenant, userId: event.user });
  });
}
