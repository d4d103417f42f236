import { cardResult } from '../aggregate.ts';
import { areasInScope, roundCards } from '../deck/lookup.ts';
import { formatList, formatNumber, t } from '../i18n/index.ts';
import { cardBox, PRIORITY_BOX } from '../model.ts';
import { LIMITS } from '../round/commands.ts';
import { progress } from './cards.ts';
import {
  allAreasLabel,
  base,
  dialogLabels,
  langOf,
  scopeLabel,
  stepHeader,
  type ViewInput,
} from './input.ts';
import type {
  CustomView,
  IntroView,
  PriorityView,
  RatingView,
  ScopeView,
  StatusView,
} from './types.ts';

export function introView(input: ViewInput): IntroView {
  const lang = langOf(input);
  const { settings } = input.state;
  const days = settings.reminderDaysBefore;
  return {
    kind: 'intro',
    ...base(input, 'step:intro', input.deck.title[lang]),
    ...stepHeader(input, 'intro'),
    agendaTitle: t(lang, 'intro.agenda'),
    agenda: Object.values(input.deck.steps).map((s) => s.title[lang]),
    anonymity: t(lang, 'intro.anonymity', { k: settings.k }),
    followUp: days > 0 ? t(lang, 'intro.followUp', { days }) : t(lang, 'intro.followUpSameDay'),
    mode: t(lang, settings.mode === 'sync' ? 'intro.mode.sync' : 'intro.mode.async'),
    scope: t(lang, 'scope.chosen', { scope: scopeLabel(input) }),
  };
}

/** Mirrors the core rule: the scope changes only before the first card is opened. */
function scopeEditable(state: ViewInput['state']): boolean {
  const early = state.step === 'intro' || state.step === 'scope' || state.step === 'status';
  const untouched = Object.values(state.cards).every((p) => p === 'pending');
  return state.status === 'active' && early && untouched && state.customCards.length === 0;
}

export function scopeView(input: ViewInput): ScopeView {
  const lang = langOf(input);
  const { scope } = input.state;
  const options = [
    { value: 'all', label: allAreasLabel(input), selected: scope.kind === 'all' },
    ...input.deck.areas.map((a) => ({
      value: a.id,
      label: t(lang, 'scope.area', { area: a.title[lang] }),
      selected: scope.kind === 'area' && scope.areaId === a.id,
    })),
  ];
  return {
    kind: 'scope',
    ...base(input, 'step:scope', input.deck.steps.scope.title[lang]),
    ...stepHeader(input, 'scope'),
    options,
    chosen: t(lang, 'scope.chosen', { scope: scopeLabel(input) }),
    editable: scopeEditable(input.state),
    value: scope.kind === 'all' ? 'all' : scope.areaId,
    labels: {
      choose: t(lang, 'scope.choose'),
      submit: t(lang, 'scope.submit'),
      note: t(lang, 'scope.note'),
    },
    dialog: dialogLabels(lang, { open: 'scope.choose', title: 'scope.dialogTitle' }),
  };
}

/** A step's form is open while its step is the current one and the round has not ended. */
function formState(input: ViewInput, step: 'status' | 'custom') {
  const { state } = input;
  return {
    open: state.status !== 'ended' && state.step === step,
    closedNote: t(langOf(input), 'form.closed'),
  };
}

export function statusView(input: ViewInput): StatusView {
  const lang = langOf(input);
  const areas = areasInScope(input.deck, input.state.scope);
  const notesOf = (areaId: string | null) =>
    input.state.statusNotes.filter((n) => n.areaId === areaId).map((n) => n.text);
  return {
    kind: 'status',
    ...base(input, 'step:status', input.deck.steps.status.title[lang]),
    ...stepHeader(input, 'status'),
    ...formState(input, 'status'),
    groups: [
      ...areas.map((a) => ({ areaId: a.id, title: a.title[lang], notes: notesOf(a.id) })),
      { areaId: null, title: t(lang, 'status.general'), notes: notesOf(null) },
    ],
    areaChoices: areas.map((a) => ({ value: a.id, label: a.title[lang] })),
    labels: {
      area: t(lang, 'status.areaLabel'),
      placeholder: t(lang, 'status.placeholder'),
      submit: t(lang, 'status.submit'),
      required: t(lang, 'form.required'),
      empty: t(lang, 'status.noNotes'),
    },
    dialog: dialogLabels(lang, { open: 'status.open', title: 'status.dialogTitle' }),
  };
}

export function customView(input: ViewInput): CustomView {
  const lang = langOf(input);
  const { state, deck } = input;
  const custom = roundCards(deck, state).filter((c) => c.custom);
  return {
    kind: 'custom',
    ...base(input, 'step:custom', deck.steps.custom.title[lang]),
    ...stepHeader(input, 'custom'),
    ...formState(input, 'custom'),
    cards: custom.map((c) => ({
      id: c.id,
      title: c.title[lang],
      missionId: c.mission.id,
      mission: c.mission.title[lang],
      phase: state.cards[c.id] ?? 'pending',
    })),
    remaining: t(lang, 'custom.remaining', { count: LIMITS.customCards - custom.length }),
    missionChoices: areasInScope(deck, state.scope).flatMap((a) =>
      a.missions.map((m) => ({ value: m.id, label: `${a.title[lang]} · ${m.title[lang]}` })),
    ),
    labels: {
      title: t(lang, 'custom.titleLabel'),
      description: t(lang, 'custom.descriptionLabel'),
      mission: t(lang, 'custom.missionLabel'),
      submit: t(lang, 'custom.submit'),
      required: t(lang, 'form.required'),
      empty: t(lang, 'custom.none'),
    },
    dialog: dialogLabels(lang, { open: 'custom.open', title: 'custom.dialogTitle' }),
  };
}

export function priorityView(input: ViewInput): PriorityView {
  const lang = langOf(input);
  const { state, deck, counts } = input;
  const max = state.settings.maxPriorities;
  const options = roundCards(deck, state).map((c) => {
    const result = cardResult(
      state.cards[c.id] ?? 'pending',
      counts.tallies[cardBox(c.id)],
      state.settings.k,
    );
    const option: PriorityView['options'][number] = { value: c.id, label: c.title[lang] };
    if (result.released)
      option.detail = `${c.mission.title[lang]} · ${formatNumber(lang, result.mean)}`;
    else option.detail = c.mission.title[lang];
    return option;
  });
  return {
    kind: 'priority',
    ...base(input, 'step:priority', deck.steps.priority.title[lang]),
    ...stepHeader(input, 'priority'),
    open: state.priority === 'open',
    closedNote: t(lang, 'form.closed'),
    max,
    instruction: t(lang, 'priority.pick', { max }),
    options,
    // Once sealed, the open ballots are gone: the count is the tally's.
    progress: progress(
      input,
      state.priority === 'closed'
        ? (counts.tallies[PRIORITY_BOX]?.ballots ?? 0)
        : (counts.ballots[PRIORITY_BOX] ?? 0),
      'progress.answered',
    ),
    submit: t(lang, 'priority.submit'),
    dialog: dialogLabels(lang, { open: 'priority.open', title: 'priority.dialogTitle' }),
  };
}

/** The priority form as one participant should see it: with their picks. */
export function withYourPicks(input: ViewInput, view: PriorityView, picks: string[]): PriorityView {
  const lang = langOf(input);
  const labels = picks.map((id) => view.options.find((o) => o.value === id)?.label ?? id);
  return { ...view, yours: t(lang, 'priority.yours', { list: formatList(lang, labels) }) };
}

export function ratingView(input: ViewInput): RatingView {
  const lang = langOf(input);
  const { state, deck } = input;
  return {
    kind: 'rating',
    ...base(input, 'step:rating', deck.steps.rating.title[lang]),
    ...stepHeader(input, 'rating'),
    scale: t(lang, 'rating.scale'),
    cards: roundCards(deck, state)
      .filter((c) => !c.custom)
      .map((c) => ({
        id: c.id,
        title: c.title[lang],
        missionId: c.mission.id,
        mission: c.mission.title[lang],
        area: c.area.title[lang],
        phase: state.cards[c.id] ?? 'pending',
      })),
  };
}
