import type { Deck } from '../deck/schema.ts';
import { type Lang, type PlanStatus, type RoundState, type RoundStatus, STEPS } from '../model.ts';
import { daysBetween, epochToZonedDate, formatDate } from '../time.ts';
import type { ViewInput } from './input.ts';
import { scopeLabel } from './input.ts';
import { planItemView } from './plan.ts';

/*
 * A workspace's "home": its rounds, newest first, each with its step and
 * status, and the follow-up items that are not done yet with their owners,
 * due dates and status. Slack shows it in the App Home tab.
 *
 * Only what anyone in the round's conversation sees there anyway: no votes,
 * no results, no notes, nobody's participation; the owner of an item is the
 * name the group typed into its own plan. Which rounds a person may see (the
 * conversations they are in) is for the caller to decide.
 *
 * The texts live here rather than in the shared catalogs: only this view uses
 * them (`HOME_TEXTS` is typed per language, so da and en cannot drift apart).
 */

export interface HomeItem {
  id: string;
  what: string;
  owner: string;
  /** "Ansvarlig: Mette". */
  ownerLine: string;
  /** "1. december 2026". */
  due: string;
  /** "Frist: 1. december 2026", with "(overskredet)" when overdue. */
  dueLine: string;
  dueIso: string;
  status: Exclude<PlanStatus, 'done'>;
  statusLabel: string;
  /** "Udskudt 2 gange", when postponed. */
  postponed?: string;
  /** Due before today (in the round's time zone). */
  overdue: boolean;
}

export interface HomeRound {
  roundId: string;
  /** The round's conversation (a Slack channel id). */
  conversationId: string;
  /** The deck's title and the scope: "Bæredygtigt arbejdsmiljø · Alle tre områder". */
  title: string;
  /** "Trin 4 af 7: Placér dialogkortene". */
  step: string;
  status: RoundStatus;
  statusLabel: string;
  /** "Startet 23. november 2026". */
  started: string;
  /** Items not done, soonest due first. */
  items: HomeItem[];
  /** "2 af 5 aftaler er udført", or that the plan is empty. */
  planSummary: string;
}

export interface HomeView {
  lang: Lang;
  title: string;
  intro: string;
  /** Shown when there are no rounds. */
  empty: string;
  /** Heading over a round's open items. */
  openItems: string;
  rounds: HomeRound[];
}

export interface HomeRoundInput {
  state: RoundState;
  deck: Deck;
}

interface HomeTexts {
  title: string;
  intro: string;
  empty: string;
  openItems: string;
  step: (n: number, total: number, title: string) => string;
  status: Record<RoundStatus, string>;
  started: (date: string) => string;
  planEmpty: string;
  planDone: (done: number, total: number) => string;
  owner: (name: string) => string;
  due: (date: string) => string;
  overdue: string;
  more: (count: number) => string;
}

export const HOME_TEXTS: Record<Lang, HomeTexts> = {
  da: {
    title: 'Dialogrunder',
    intro:
      'Runderne i de kanaler, du er med i, og deres åbne opfølgningsaftaler. Start en ny runde med /dialogrunde start i en kanal.',
    empty: 'Ingen runder endnu i de kanaler, du er med i.',
    openItems: 'Åbne aftaler',
    step: (n, total, title) => `Trin ${n} af ${total}: ${title}`,
    status: { active: 'I gang', paused: 'Holder pause', ended: 'Afsluttet' },
    started: (date) => `Startet ${date}`,
    planEmpty: 'Ingen aftaler i opfølgningsplanen endnu.',
    planDone: (done, total) => `${done} af ${total} aftaler er udført.`,
    owner: (name) => `Ansvarlig: ${name}`,
    due: (date) => `Frist: ${date}`,
    overdue: 'overskredet',
    more: (count) => (count === 1 ? '… og 1 runde mere.' : `… og ${count} runder mere.`),
  },
  en: {
    title: 'Dialogue rounds',
    intro:
      'The rounds in the channels you are in, and their open follow-up items. Start a new round with /dialogrunde start in a channel.',
    empty: 'No rounds yet in the channels you are in.',
    openItems: 'Open items',
    step: (n, total, title) => `Step ${n} of ${total}: ${title}`,
    status: { active: 'In progress', paused: 'Paused', ended: 'Ended' },
    started: (date) => `Started ${date}`,
    planEmpty: 'No items in the follow-up plan yet.',
    planDone: (done, total) => `${done} of ${total} items are done.`,
    owner: (name) => `Owner: ${name}`,
    due: (date) => `Due: ${date}`,
    overdue: 'overdue',
    more: (count) => (count === 1 ? '… and 1 more round.' : `… and ${count} more rounds.`),
  },
};

const NO_COUNTS = { participants: 0, ballots: {}, tallies: {} };

function homeRound(lang: Lang, round: HomeRoundInput, now: number): HomeRound {
  const texts = HOME_TEXTS[lang];
  // The whole page speaks one language, whatever each round was run in.
  const state: RoundState = { ...round.state, settings: { ...round.state.settings, lang } };
  const input: ViewInput = { deck: round.deck, state, counts: NO_COUNTS, now };
  const today = epochToZonedDate(now, state.settings.timeZone);
  const items: HomeItem[] = [];
  for (const item of state.plan) {
    if (item.status === 'done') continue;
    const view = planItemView(input, item);
    const overdue = daysBetween(today, item.due) < 0;
    items.push({
      id: item.id,
      what: item.what,
      owner: item.owner.name,
      ownerLine: texts.owner(item.owner.name),
      due: view.due,
      dueLine: overdue ? `${texts.due(view.due)} (${texts.overdue})` : texts.due(view.due),
      dueIso: item.due,
      status: item.status,
      statusLabel: view.statusLabel,
      ...(view.postponed !== undefined && { postponed: view.postponed }),
      overdue,
    });
  }
  items.sort((a, b) => a.dueIso.localeCompare(b.dueIso) || a.id.localeCompare(b.id));
  const total = state.plan.length;
  const done = total - items.length;
  return {
    roundId: state.id,
    conversationId: state.conversation.conversationId,
    title: `${round.deck.title[lang]} · ${scopeLabel(input)}`,
    step: texts.step(
      STEPS.indexOf(state.step) + 1,
      STEPS.length,
      round.deck.steps[state.step].title[lang],
    ),
    status: state.status,
    statusLabel: texts.status[state.status],
    started: texts.started(
      formatDate(epochToZonedDate(state.createdAt, state.settings.timeZone), lang),
    ),
    items,
    planSummary: total === 0 ? texts.planEmpty : texts.planDone(done, total),
  };
}

/** The home of a workspace for one person: `rounds` are those they may see, newest first. */
export function homeView(lang: Lang, rounds: readonly HomeRoundInput[], now: number): HomeView {
  const texts = HOME_TEXTS[lang];
  return {
    lang,
    title: texts.title,
    intro: texts.intro,
    empty: texts.empty,
    openItems: texts.openItems,
    rounds: rounds.map((round) => homeRound(lang, round, now)),
  };
}

/** The line that stands for rounds left out (Slack's 100 blocks): "… og 3 runder mere." */
export function homeMoreRounds(lang: Lang, count: number): string {
  return HOME_TEXTS[lang].more(count);
}
