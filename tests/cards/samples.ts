import { DEFAULT_DECK_ID, DeckCatalog } from '../../src/app/decks.ts';
import { simulate } from '../../src/cli/simulate.ts';
import type { Deck } from '../../src/core/deck/schema.ts';
import type { Lang, PlanItem, RoundCounts, RoundState } from '../../src/core/model.ts';
import { withYourVote } from '../../src/core/views/cards.ts';
import { deleteRoundView } from '../../src/core/views/delete-round.ts';
import { facilitatorView, roundStatusView } from '../../src/core/views/facilitator.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import {
  errorView,
  facilitatorHintView,
  helpView,
  welcomeView,
} from '../../src/core/views/messages.ts';
import { planView, reminderView } from '../../src/core/views/plan.ts';
import { customView, statusView, withYourPicks } from '../../src/core/views/steps.ts';
import type { ViewKind, ViewModel } from '../../src/core/views/types.ts';

/** A view model to bind, with where it came from (for failure messages). */
export interface Sample {
  name: string;
  view: ViewModel;
}

/** User-written text that looks like template syntax, markup and Markdown. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: text that only looks like a template
export const HOSTILE_NOTE = 'Vi skrev ${title} og {{x}} – <b>fed</b> **ikke fed** & "citat"';

function deck(): Deck {
  const found = DeckCatalog.load().get(DEFAULT_DECK_ID);
  if (!found) throw new Error(`deck ${DEFAULT_DECK_ID} missing`);
  return found;
}

function input(d: Deck, state: RoundState, counts: Partial<RoundCounts> = {}): ViewInput {
  return {
    deck: d,
    state,
    counts: { participants: 6, ballots: {}, tallies: {}, ...counts },
    now: state.updatedAt,
  };
}

function first<K extends ViewKind>(views: ViewModel[], kind: K, which: 'first' | 'last' = 'last') {
  const found = views.filter((v): v is Extract<ViewModel, { kind: K }> => v.kind === kind);
  const view = which === 'first' ? found[0] : found.at(-1);
  if (!view) throw new Error(`no ${kind} view in the simulation`);
  return view;
}

/**
 * Realistic view models: every message of whole simulated rounds (the app layer with
 * SQLite in memory, as `dialogrunde simulate` runs them), in both languages and modes,
 * one round where every result is withheld (k above the number of participants), plus
 * the per-person and after-the-round variants the rounds do not send by themselves.
 */
export async function buildSamples(): Promise<Sample[]> {
  const d = deck();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const add = (name: string, view: ViewModel) => {
    const json = JSON.stringify(view);
    if (seen.has(json)) return;
    seen.add(json);
    samples.push({ name, view });
  };

  const rounds = [
    { participants: 6, seed: 7, lang: 'da', mode: 'sync', k: 3 },
    { participants: 5, seed: 11, lang: 'en', mode: 'async', k: 3 },
    { participants: 4, seed: 3, lang: 'da', mode: 'sync', k: 5 },
  ] as const;
  for (const options of rounds) {
    const label = `${options.lang}/${options.mode}/k${options.k}`;
    const report = await simulate({ ...options });
    const views = report.messages.map((m) => m.view);
    views.forEach((view, i) => {
      add(`${label} message ${i} (${view.kind})`, view);
    });

    const state = report.state;
    const lang: Lang = options.lang;
    const base = input(d, state);
    const vote = first(views, 'cardVote', 'first');
    add(`${label} vote with yours`, withYourVote(base, vote, 4));
    add(`${label} vote with yours (na)`, withYourVote(base, vote, 'na'));
    const priority = first(views, 'priority', 'first');
    const picks = priority.options.slice(0, 3).map((o) => o.value);
    add(`${label} priority with yours`, withYourPicks(base, priority, picks));
    add(`${label} help`, helpView(lang, options.k));
    add(`${label} welcome`, welcomeView(lang, options.k));
    add(`${label} facilitator hint`, facilitatorHintView(lang, options.k));
    add(`${label} error`, errorView(lang, { code: 'too_many_priorities', params: { max: 3 } }));
    add(`${label} unexpected error`, errorView(lang, 'unexpected'));
    add(`${label} paused`, facilitatorView(input(d, { ...state, status: 'paused' })));
    add(`${label} paused status`, roundStatusView(input(d, { ...state, status: 'paused' })));
    for (const phase of ['confirm', 'deleted', 'kept'] as const) {
      add(`${label} delete ${phase}`, deleteRoundView(lang, state.id, phase));
    }

    // After the round: reminders, and an item that was postponed and then blocked.
    // A round whose results were all withheld has no plan: one item typed by hand, without
    // the optional goal and actions.
    const handMade: PlanItem = {
      id: 'p-hand',
      what: 'Fælles morgenmøde',
      goal: '',
      actions: '',
      owner: { name: 'Kim' },
      due: '2027-01-15',
      link: null,
      status: 'open',
      postponed: 0,
      createdAt: state.updatedAt,
      updatedAt: state.updatedAt,
    };
    const [item, ...rest] = state.plan.length ? state.plan : [handMade];
    if (!item) throw new Error('unreachable');
    const later = {
      ...state,
      plan: [{ ...item, status: 'blocked' as const, postponed: 2 }, ...rest],
    };
    add(`${label} plan after`, planView(input(d, later)));
    for (const daysBefore of [7, 0]) {
      const reminder = reminderView(input(d, later), item.id, daysBefore);
      if (reminder) add(`${label} reminder ${daysBefore}`, reminder);
    }
    const withOwner = {
      ...state,
      plan: [
        { ...item, owner: { name: 'Kim', user: { platform: 'teams' as const, userId: 'u-1' } } },
      ],
    };
    const reminder = reminderView(input(d, withOwner), item.id, 7);
    if (reminder) add(`${label} reminder to a user`, reminder);
  }

  // Forms with nothing in them yet, and user text that looks like template syntax.
  const report = await simulate({ participants: 3, seed: 1, lang: 'da', mode: 'sync', k: 3 });
  const fresh: RoundState = {
    ...report.state,
    step: 'status',
    status: 'active',
    statusNotes: [{ id: 'n1', areaId: null, text: HOSTILE_NOTE, at: report.state.updatedAt }],
    customCards: [],
    plan: [],
  };
  add('status with hostile note', statusView(input(d, fresh)));
  add('custom, none yet', customView(input(d, { ...fresh, step: 'custom', cards: {} })));
  add('plan, empty', planView(input(d, fresh)));
  add('facilitator, ended', facilitatorView(input(d, { ...fresh, status: 'ended' })));
  return samples;
}
