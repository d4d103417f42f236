import { t } from '../i18n/index.ts';
import { STEPS } from '../model.ts';
import { formatDateTime } from '../time.ts';
import { langOf, type ViewInput } from './input.ts';
import type { NudgeView } from './types.ts';

/** What the app found out for one nudge: counts, and the person's own progress. */
export interface NudgeFacts {
  /** Members of the conversation who have answered the step. */
  answered: number;
  /** Members of the conversation (bots left out). */
  members: number;
  /** Boxes this person has not answered yet, of `total` the step asks for. */
  left: number;
  total: number;
}

/**
 * The private reminder for a member who has not answered the current step of
 * an async round: "7 af 9 har svaret – husk at svare inden …" and what they
 * themselves have left. Undefined when the round has no deadline running.
 */
export function nudgeView(input: ViewInput, facts: NudgeFacts): NudgeView | undefined {
  const { state, deck } = input;
  if (state.deadline === null) return undefined;
  const lang = langOf(input);
  const step = state.step;
  const time = formatDateTime(state.deadline, state.settings.timeZone, lang);
  const counter = t(lang, 'step.counter', { n: STEPS.indexOf(step) + 1, total: STEPS.length });
  return {
    kind: 'nudge',
    key: `${state.id}:nudge:${step}`,
    lang,
    roundId: state.id,
    step,
    title: t(lang, 'nudge.title'),
    stepLine: `${counter} · ${deck.steps[step].title[lang]}`,
    text: t(lang, 'nudge.text', { n: facts.answered, m: facts.members, time }),
    yours:
      step === 'priority'
        ? t(lang, 'nudge.priority')
        : t(lang, 'nudge.cardsLeft', { left: facts.left, total: facts.total }),
    progress: { done: facts.answered, of: facts.members },
    open: t(lang, 'nudge.open'),
    privacy: t(lang, 'nudge.privacy'),
  };
}
