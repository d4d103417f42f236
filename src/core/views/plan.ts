import { findMission, findRoundCard } from '../deck/lookup.ts';
import { t, tn } from '../i18n/index.ts';
import type { PlanItem } from '../model.ts';
import { daysBetween, epochToZonedDate, formatDate } from '../time.ts';
import { base, dialogLabels, langOf, type ViewInput } from './input.ts';
import type { PlanItemView, PlanView, ReminderView, ViewAction } from './types.ts';

export function planItemView(input: ViewInput, item: PlanItem): PlanItemView {
  const lang = langOf(input);
  const view: PlanItemView = {
    id: item.id,
    what: item.what,
    goal: item.goal,
    actions: item.actions,
    owner: item.owner.name,
    due: formatDate(item.due, lang),
    dueIso: item.due,
    status: item.status,
    statusLabel: t(lang, `plan.status.${item.status}`),
    buttons: progressActions(input, item),
  };
  if (item.postponed > 0) view.postponed = tn(lang, 'plan.postponed', item.postponed);
  if (item.link?.kind === 'mission') {
    const found = findMission(input.deck, item.link.id);
    if (found) view.link = found.mission.title[lang];
  } else if (item.link?.kind === 'card') {
    const card = findRoundCard(input.deck, input.state, item.link.id);
    if (card) view.link = card.title[lang];
  }
  return view;
}

/** Done / Postpone a week / Blocked, for items not done. The core checks who may press. */
function progressActions(input: ViewInput, item: PlanItem): ViewAction[] {
  if (item.status === 'done') return [];
  const lang = langOf(input);
  const actions: ViewAction[] = [
    { command: 'planDone', value: item.id, label: t(lang, 'action.done'), style: 'primary' },
    { command: 'planPostpone', value: item.id, label: t(lang, 'action.postpone') },
  ];
  if (item.status !== 'blocked') {
    actions.push({
      command: 'planBlocked',
      value: item.id,
      label: t(lang, 'action.blocked'),
      style: 'danger',
    });
  }
  return actions;
}

export function planView(input: ViewInput): PlanView {
  const lang = langOf(input);
  return {
    kind: 'plan',
    ...base(input, 'plan', t(lang, 'plan.title')),
    items: input.state.plan.map((item) => planItemView(input, item)),
    empty: t(lang, 'plan.empty'),
    labels: {
      what: t(lang, 'plan.what'),
      goal: t(lang, 'plan.goal'),
      actions: t(lang, 'plan.actions'),
      owner: t(lang, 'plan.owner'),
      ownerUser: t(lang, 'plan.ownerUser'),
      ownerHint: t(lang, 'plan.ownerHint'),
      due: t(lang, 'plan.due'),
      submit: t(lang, 'plan.submit'),
      required: t(lang, 'form.required'),
    },
    dialog: dialogLabels(lang, { open: 'plan.open', title: 'plan.dialogTitle' }),
  };
}

export function reminderView(
  input: ViewInput,
  itemId: string,
  daysBefore: number,
): ReminderView | undefined {
  const item = input.state.plan.find((p) => p.id === itemId);
  if (!item) return undefined;
  const lang = langOf(input);
  const itemView = planItemView(input, item);
  const text =
    daysBefore === 0
      ? t(lang, 'reminder.today', { what: item.what })
      : t(lang, 'reminder.before', { days: daysBefore, date: itemView.due, what: item.what });
  const view: ReminderView = {
    kind: 'reminder',
    ...base(input, `reminder:${item.id}:${item.due}:${daysBefore}`, t(lang, 'reminder.title')),
    text,
    item: itemView,
    owner: t(lang, 'reminder.owner', { owner: item.owner.name }),
    actions: itemView.buttons,
  };
  if (item.owner.user) view.ownerUser = item.owner.user;
  return view;
}

/**
 * Reminders that apply today: items not done that are due today, or exactly
 * the reminder window ahead (the days reminders fire), in the round's time zone.
 */
export function remindersDueToday(input: ViewInput): ReminderView[] {
  const { state } = input;
  const today = epochToZonedDate(input.now, state.settings.timeZone);
  const ahead = state.settings.reminderDaysBefore;
  const views: ReminderView[] = [];
  for (const item of state.plan) {
    if (item.status === 'done') continue;
    const days = daysBetween(today, item.due);
    if (days !== 0 && (days !== ahead || ahead === 0)) continue;
    const view = reminderView(input, item.id, days);
    if (view) views.push(view);
  }
  return views;
}
