import type {
  CardResultView,
  CardVoteView,
  FacilitatorView,
  PlanView,
  ScoreLine,
  SummarySection,
  SummaryView,
  ViewModel,
} from '../../core/views/types.ts';

/**
 * Plain-text rendering of every view model, for the terminal (simulate, CLI)
 * and anywhere rich cards are not available. Layout only: no decisions.
 */
export function renderText(view: ViewModel): string {
  switch (view.kind) {
    case 'intro':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        `${view.agendaTitle}:`,
        bullets(view.agenda, true),
        view.scope,
        view.mode,
        view.anonymity,
        view.followUp,
        view.deadline,
      );
    case 'scope':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        bullets(view.options.map((o) => `${o.selected ? '[x]' : '[ ]'} ${o.label}`)),
        view.deadline,
      );
    case 'status':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        ...view.groups.map((g) =>
          block(`${g.title}:`, g.notes.length ? bullets(g.notes) : `  ${view.labels.empty}`),
        ),
        view.deadline,
      );
    case 'rating':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        view.scale,
        view.deadline,
      );
    case 'cardVote':
      return cardVote(view);
    case 'cardResult':
      return cardResult(view);
    case 'custom':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        view.cards.length
          ? bullets(view.cards.map((c) => `${c.title} (${c.mission})`))
          : view.labels.empty,
        view.remaining,
        view.deadline,
      );
    case 'priority':
      return block(
        heading(`${view.counter} · ${view.title}`),
        view.text,
        view.instruction,
        bullets(view.options.map((o) => (o.detail ? `${o.label} (${o.detail})` : o.label))),
        view.progress.text,
        view.yours,
        view.deadline,
      );
    case 'summary':
      return summary(view);
    case 'plan':
      return plan(view);
    case 'reminder':
      return block(
        heading(view.title),
        view.text,
        view.owner,
        view.actions.map((a) => `[${a.label}]`).join(' '),
      );
    case 'facilitator':
      return facilitator(view);
    case 'roundStatus':
      return view.text;
    case 'deleteRound':
      return block(
        heading(view.title),
        view.text,
        view.actions.map((a) => `[${a.label}]`).join(' '),
      );
    case 'help':
      return block(heading(view.title), view.intro, bullets(view.commands), view.anonymity);
    case 'error':
      return `${view.title}: ${view.message}`;
    default: {
      const unknown: never = view;
      return unknown;
    }
  }
}

function block(...parts: (string | undefined)[]): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join('\n');
}

const heading = (text: string) => `== ${text} ==`;

function bullets(items: readonly string[], numbered = false): string {
  return items.map((item, i) => `  ${numbered ? `${i + 1}.` : '-'} ${item}`).join('\n');
}

function cardVote(view: CardVoteView): string {
  return block(
    heading(`${view.title}`),
    `${view.area.title} › ${view.mission}`,
    view.description,
    `${view.questionsTitle}:`,
    bullets(view.questions),
    view.scale,
    view.options.map((o) => `[${o.label}]`).join(' '),
    view.progress.text,
    view.yourVote,
    view.deadline,
  );
}

function cardResult(view: CardResultView): string {
  const bars = view.distribution
    ?.map((d) => `  ${d.label}: ${d.count > 0 ? `${'#'.repeat(d.count)} ` : ''}${d.count}`)
    .join('\n');
  return block(
    heading(view.title),
    `${view.area.title} › ${view.mission}`,
    view.text,
    bars,
    view.abstentions,
    view.released ? view.bandLabel : undefined,
    view.disagreement,
  );
}

function lines(section: SummarySection): string {
  const body = section.lines.length
    ? section.lines.map((l: ScoreLine, i) => `  ${i + 1}. ${l.label} ${l.score}`).join('\n')
    : `  ${section.empty ?? ''}`;
  return `${section.heading}:\n${body}`;
}

function summary(view: SummaryView): string {
  const s = view.sections;
  return block(
    heading(`${view.counter} · ${view.title}`),
    view.participants,
    view.endedEarly,
    lines(s.lowestAreas),
    lines(s.lowestMissions),
    lines(s.lowestCards),
    lines(s.strong),
    lines(s.disagreements),
    lines(s.priorities),
    view.withheld,
  );
}

function plan(view: PlanView): string {
  if (view.items.length === 0) return block(heading(view.title), view.empty);
  const items = view.items.map((item, i) =>
    block(
      `  ${i + 1}. ${item.what} (${item.statusLabel})`,
      item.goal ? `     ${view.labels.goal} ${item.goal}` : undefined,
      item.actions ? `     ${view.labels.actions} ${item.actions}` : undefined,
      `     ${view.labels.owner} ${item.owner} · ${view.labels.due} ${item.due}`,
      item.postponed ? `     ${item.postponed}` : undefined,
    ),
  );
  return block(heading(view.title), ...items);
}

function facilitator(view: FacilitatorView): string {
  return block(
    heading(`${view.counter} · ${view.title}`),
    view.note,
    bullets(view.script),
    ...view.details,
    view.progress?.text,
    view.actions.map((a) => `[${a.label}]`).join(' '),
  );
}
