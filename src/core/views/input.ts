import { findArea } from '../deck/lookup.ts';
import type { Deck, DeckStep } from '../deck/schema.ts';
import { type MessageKey, type Params, t } from '../i18n/index.ts';
import { type Lang, type RoundCounts, type RoundState, STEPS, type StepId } from '../model.ts';
import { formatDateTime } from '../time.ts';
import type { DialogLabels, StepHeader } from './types.ts';

/** Everything a view may be built from: saved state and counts, never ballots. */
export interface ViewInput {
  deck: Deck;
  state: RoundState;
  counts: RoundCounts;
  /** Epoch ms. */
  now: number;
}

export const langOf = (input: ViewInput): Lang => input.state.settings.lang;

/** Values deck texts may use as `{k}`, `{max}`, `{days}`, `{customMax}`. */
export function deckParams(state: RoundState): Params {
  return {
    k: state.settings.k,
    max: state.settings.maxPriorities,
    days: state.settings.reminderDaysBefore,
    customMax: 9,
  };
}

/** A deck text with its placeholders filled. */
export function fill(text: string, params: Params): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function stepOf(deck: Deck, step: StepId): DeckStep {
  return deck.steps[step];
}

export function stepHeader(input: ViewInput, step: StepId): StepHeader {
  const lang = langOf(input);
  const { state } = input;
  const deckStep = stepOf(input.deck, step);
  const header: StepHeader = {
    step,
    counter: t(lang, 'step.counter', { n: STEPS.indexOf(step) + 1, total: STEPS.length }),
    text: fill(deckStep.text[lang], deckParams(state)),
  };
  if (state.deadline !== null && state.step === step) {
    const time = formatDateTime(state.deadline, state.settings.timeZone, lang);
    header.deadline = t(lang, 'deadline.until', { time });
  }
  return header;
}

/** The guide says "Alle tre områder"; a deck with another number of areas says "Alle områder". */
export function allAreasLabel(input: ViewInput): string {
  return t(langOf(input), input.deck.areas.length === 3 ? 'scope.all' : 'scope.allAreas');
}

export function scopeLabel(input: ViewInput): string {
  const lang = langOf(input);
  const { scope } = input.state;
  if (scope.kind === 'all') return allAreasLabel(input);
  const area = findArea(input.deck, scope.areaId);
  return t(lang, 'scope.area', { area: area?.title[lang] ?? scope.areaId });
}

/** The labels of a form shown as a dialog (see `DialogLabels`). */
export function dialogLabels(
  lang: Lang,
  keys: { open: MessageKey; title: MessageKey },
): DialogLabels {
  return {
    open: t(lang, keys.open),
    title: t(lang, keys.title),
    cancel: t(lang, 'dialog.cancel'),
    close: t(lang, 'dialog.close'),
  };
}

export function base(input: ViewInput, key: string, title: string) {
  return { key: viewKey(input.state.id, key), lang: langOf(input), roundId: input.state.id, title };
}

/** The key of a round's view (`ViewModel.key`): which platform message shows it. */
export function viewKey(roundId: string, name: string): string {
  return `${roundId}:${name}`;
}
