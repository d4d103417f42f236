import type { Band } from '../aggregate.ts';
import type { ErrorCode } from '../errors.ts';
import type { CardPhase, Lang, PlanStatus, RoundStatus, StepId } from '../model.ts';

/**
 * One typed view model per message the bot sends. Texts are already in the
 * round's language; channels only lay them out (Adaptive Cards, Block Kit,
 * HTML, plain text) and map actions to commands.
 */

/** A button. `command` names what the channel sends back; `value` its argument. */
export interface ViewAction {
  command: ActionCommand;
  label: string;
  value?: string;
  style?: 'primary' | 'danger';
}

export type ActionCommand =
  | 'vote'
  | 'setScope'
  | 'next'
  | 'back'
  | 'pause'
  | 'resume'
  | 'end'
  | 'openNextCard'
  | 'closeCard'
  | 'planDone'
  | 'planPostpone'
  | 'planBlocked'
  | 'deleteRound'
  | 'keepRound';

/**
 * A form as a dialog of its own, for channels that cannot hold its inputs in
 * the group's message (Slack's modals): the button in the message that opens
 * it, the dialog's short title, and the buttons that leave it.
 */
export interface DialogLabels {
  /** The button in the group's message that opens the form. */
  open: string;
  /** The dialog's title: short (Slack allows 24 characters). */
  title: string;
  /** Leaves the form without saving. */
  cancel: string;
  /** Closes a dialog that only says something (a refusal). */
  close: string;
}

export interface Progress {
  done: number;
  of: number;
  /** "3 af 7 har stemt". */
  text: string;
}

export interface Choice {
  value: string;
  label: string;
}

interface Base {
  /** Stable message identity within the round: a channel updates the message with this key. */
  key: string;
  lang: Lang;
  roundId: string;
  title: string;
}

export interface StepHeader {
  step: StepId;
  /** "Trin 4 af 7". */
  counter: string;
  text: string;
  /** "Åben til 24. november 2026 kl. 09.00" in async mode. */
  deadline?: string;
}

export interface IntroView extends Base, StepHeader {
  kind: 'intro';
  agendaTitle: string;
  agenda: string[];
  anonymity: string;
  followUp: string;
  mode: string;
  scope: string;
}

export interface ScopeView extends Base, StepHeader {
  kind: 'scope';
  options: (Choice & { selected: boolean })[];
  chosen: string;
  /** The scope can still change (no card opened yet); only the facilitator may. */
  editable: boolean;
  /** The chosen option's value, preselected in the form. */
  value: string;
  labels: { choose: string; submit: string; note: string };
  dialog: DialogLabels;
}

export interface StatusView extends Base, StepHeader {
  kind: 'status';
  /** The form takes notes now (the status step is the current one). */
  open: boolean;
  /** Shown instead of the form once the step is over. */
  closedNote: string;
  groups: { areaId: string | null; title: string; notes: string[] }[];
  areaChoices: Choice[];
  /** `required`: the message a form shows when a required field is left empty. */
  labels: { area: string; placeholder: string; submit: string; empty: string; required: string };
  dialog: DialogLabels;
}

export interface RatingView extends Base, StepHeader {
  kind: 'rating';
  scale: string;
  cards: {
    id: string;
    title: string;
    missionId: string;
    mission: string;
    area: string;
    phase: CardPhase;
  }[];
}

export interface CardHeader {
  cardId: string;
  area: { title: string; color: string };
  mission: string;
  custom: boolean;
}

export interface CardVoteView extends Base, CardHeader {
  kind: 'cardVote';
  phase: CardPhase;
  description: string;
  questionsTitle: string;
  questions: string[];
  scale: string;
  options: Choice[];
  progress: Progress;
  deadline?: string;
  /** Only in a copy rendered for one voter: "Din stemme: 4 …". */
  yourVote?: string;
}

export interface CardResultView extends Base, CardHeader {
  kind: 'cardResult';
  released: boolean;
  /** "Gennemsnit 3,4 · median 3 · 8 har vurderet", or why it is withheld. */
  text: string;
  abstentions?: string;
  distribution?: { label: string; count: number; share: number }[];
  band: Band;
  bandLabel: string;
  disagreement?: string;
}

export interface CustomView extends Base, StepHeader {
  kind: 'custom';
  /** The form takes own initiatives now (the custom step is the current one). */
  open: boolean;
  /** Shown instead of the form once the step is over. */
  closedNote: string;
  cards: { id: string; title: string; missionId: string; mission: string; phase: CardPhase }[];
  remaining: string;
  missionChoices: Choice[];
  labels: {
    title: string;
    description: string;
    mission: string;
    submit: string;
    empty: string;
    /** Shown when a required field is left empty. */
    required: string;
  };
  dialog: DialogLabels;
}

export interface PriorityView extends Base, StepHeader {
  kind: 'priority';
  /** The priority box is open: the form takes choices. */
  open: boolean;
  /** Shown instead of the form once the box is closed. */
  closedNote: string;
  max: number;
  instruction: string;
  options: (Choice & { detail?: string })[];
  progress: Progress;
  submit: string;
  yours?: string;
  dialog: DialogLabels;
}

export interface ScoreLine {
  id: string;
  label: string;
  score: string;
  band: Band;
}

export interface MaaloversigtView {
  title: string;
  areas: {
    id: string;
    title: string;
    color: string;
    inScope: boolean;
    score: string | null;
    band: Band;
    missions: {
      id: string;
      title: string;
      score: string | null;
      band: Band;
      cards: { id: string; title: string; band: Band; score: string | null; custom: boolean }[];
    }[];
  }[];
  legend: { band: Band; label: string }[];
}

export interface SummarySection {
  heading: string;
  lines: ScoreLine[];
  empty?: string;
}

export interface SummaryView extends Base, StepHeader {
  kind: 'summary';
  participants: string;
  endedEarly?: string;
  sections: {
    lowestAreas: SummarySection;
    lowestMissions: SummarySection;
    lowestCards: SummarySection;
    strong: SummarySection;
    disagreements: SummarySection;
    priorities: SummarySection;
  };
  withheld?: string;
  maaloversigt: MaaloversigtView;
  /** Texts of the exports where a channel offers them with the card (Teams: picture and buttons). */
  exports: SummaryExportLabels;
}

export interface SummaryExportLabels {
  /** Alternative text of the måloversigt picture. */
  maaloversigtAlt: string;
  csv: string;
  minutes: string;
  calendar: string;
}

export interface PlanItemView {
  id: string;
  what: string;
  goal: string;
  actions: string;
  owner: string;
  due: string;
  dueIso: string;
  status: PlanStatus;
  statusLabel: string;
  /** Done / Postpone / Blocked while the item is not done. */
  buttons: ViewAction[];
  postponed?: string;
  link?: string;
}

export interface PlanView extends Base {
  kind: 'plan';
  items: PlanItemView[];
  empty: string;
  labels: {
    what: string;
    goal: string;
    actions: string;
    owner: string;
    /**
     * The optional person field next to the typed owner, where a channel has
     * one (Teams' people picker): the picked person is mentioned in reminders.
     */
    ownerUser: string;
    /** Placeholder of the typed owner where a person can be picked instead. */
    ownerHint: string;
    due: string;
    submit: string;
    /** Shown when a required field is left empty. */
    required: string;
  };
  dialog: DialogLabels;
}

export interface ReminderView extends Base {
  kind: 'reminder';
  text: string;
  item: PlanItemView;
  owner: string;
  /** Platform user to mention/DM, when the owner is one. */
  ownerUser?: { platform: string; userId: string };
  actions: ViewAction[];
}

export interface FacilitatorView extends Base {
  kind: 'facilitator';
  step: StepId;
  counter: string;
  status: RoundStatus;
  note: string;
  script: string[];
  openCards: string[];
  pendingCards: number;
  /** "Åbne kort: …" and "12 kort er ikke åbnet endnu", when they apply. */
  details: string[];
  progress?: Progress;
  actions: ViewAction[];
}

export interface RoundStatusView extends Base {
  kind: 'roundStatus';
  status: RoundStatus;
  text: string;
}

/**
 * Deleting the round, which only the facilitator may do: the question with
 * its two buttons (`confirm`), then what became of it. Built from the round's
 * language and id alone, so the `deleted` notice outlives the round.
 */
export interface DeleteRoundView extends Base {
  kind: 'deleteRound';
  phase: 'confirm' | 'deleted' | 'kept';
  text: string;
  /** Delete (danger) and keep, both naming the round in `value`; none once decided. */
  actions: ViewAction[];
}

export interface HelpView {
  kind: 'help';
  key: string;
  lang: Lang;
  title: string;
  intro: string;
  commands: string[];
  anonymity: string;
  /** Buttons (e.g. the welcome card's Start); each sends `{ command }`. */
  actions?: { title: string; command: string }[];
}

/**
 * A failure that is not a refusal by the rules: `unexpected` (a bug) or
 * `unavailable` (the store cannot be reached; nothing was saved).
 */
export type Failure = 'unexpected' | 'unavailable';

export interface ErrorView {
  kind: 'error';
  key: string;
  lang: Lang;
  title: string;
  code: ErrorCode | Failure;
  message: string;
}

export type ViewModel =
  | IntroView
  | ScopeView
  | StatusView
  | RatingView
  | CardVoteView
  | CardResultView
  | CustomView
  | PriorityView
  | SummaryView
  | PlanView
  | ReminderView
  | FacilitatorView
  | RoundStatusView
  | DeleteRoundView
  | HelpView
  | ErrorView;

export type ViewKind = ViewModel['kind'];

/**
 * A nudge: the private message an async round sends a member of its
 * conversation who has not answered the current step yet (at most one per
 * step). Deliberately not part of `ViewModel`: it is never posted to the
 * group, only through `ChannelOutput.nudge`, and only channels that can send
 * one person a private message render it (Slack). It holds counts and the
 * person's own progress, never anybody else's.
 */
export interface NudgeView {
  kind: 'nudge';
  /** `<roundId>:nudge:<step>`: one per step and person. */
  key: string;
  lang: Lang;
  roundId: string;
  step: StepId;
  title: string;
  /** "Trin 4 af 7 · Placér dialogkortene". */
  stepLine: string;
  /** "7 af 9 har svaret – husk at svare inden 24. november 2026 kl. 10.00". */
  text: string;
  /** The person's own part: "Du mangler at vurdere 3 af 8 kort." */
  yours: string;
  /** Members who have answered (`done`) of the conversation's members (`of`). */
  progress: { done: number; of: number };
  /** The label of the link back to the round's message. */
  open: string;
  /** Who sees this, and who does not. */
  privacy: string;
}
