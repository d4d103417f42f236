import { cardResult } from '../../../core/aggregate.ts';
import { roundCards } from '../../../core/deck/lookup.ts';
import { formatNumber, t } from '../../../core/i18n/index.ts';
import { cardBox, type Lang } from '../../../core/model.ts';
import { epochToZonedDate, formatDate, formatDateTime } from '../../../core/time.ts';
import { langOf, scopeLabel, type ViewInput } from '../../../core/views/input.ts';
import { planView } from '../../../core/views/plan.ts';
import { statusView } from '../../../core/views/steps.ts';
import { summaryView } from '../../../core/views/summary.ts';
import type { SummarySection } from '../../../core/views/types.ts';
import { fillLabel, LABELS } from './labels.ts';
import { md, mdItem, table } from './markdown.ts';

/**
 * Minutes for the MED records, in Markdown and in the round's language. Built
 * from the same view models the channels show, so it reveals nothing they do
 * not; every text a person typed is escaped.
 */
export function minutesMarkdown(input: ViewInput): string {
  const lang = langOf(input);
  const L = LABELS[lang];
  const { deck, state } = input;
  const tz = state.settings.timeZone;
  const summary = summaryView(input);
  const date = formatDate(epochToZonedDate(state.createdAt, tz), lang);

  const facts: [string, string][] = [
    [L.date, date],
    [L.deck, deck.title[lang]],
    [L.mode, L.modes[state.settings.mode]],
    [L.scope, scopeLabel(input)],
    [L.participants, summary.participants],
    [L.anonymity, t(lang, 'intro.anonymity', { k: state.settings.k })],
    [L.exported, formatDateTime(input.now, tz, lang)],
  ];
  const out: string[] = [
    `# ${md(fillLabel(L.minutesTitle, { date }))}`,
    '',
    ...facts.map(([label, value]) => `- **${md(label)}:** ${md(value)}`),
  ];
  if (summary.endedEarly) out.push('', `*${md(summary.endedEarly)}*`);

  const status = statusView(input);
  out.push('', `## ${md(status.title)}`);
  for (const group of status.groups) {
    out.push('', `### ${md(group.title)}`, '');
    if (group.notes.length === 0) out.push(`*${md(status.labels.empty)}*`);
    else out.push(...group.notes.map((note) => `- ${mdItem(note)}`));
  }

  out.push('', `## ${md(t(lang, 'summary.title'))}`);
  const s = summary.sections;
  for (const section of [
    s.lowestAreas,
    s.lowestMissions,
    s.lowestCards,
    s.strong,
    s.disagreements,
    s.priorities,
  ]) {
    out.push('', ...sectionLines(section, lang, section !== s.priorities));
  }
  if (summary.withheld) out.push('', `*${md(summary.withheld)}*`);

  out.push('', `## ${md(L.ownInitiatives)}`, '');
  const own = roundCards(deck, state).filter((c) => c.custom);
  if (own.length === 0) out.push(`*${md(L.ownNone)}*`);
  for (const card of own) {
    const result = cardResult(
      state.cards[card.id] ?? 'pending',
      input.counts.tallies[cardBox(card.id)],
      state.settings.k,
    );
    const outcome = result.released
      ? t(lang, 'result.stats', {
          mean: formatNumber(lang, result.mean),
          median: formatNumber(lang, result.median),
          n: result.n,
        })
      : fillLabel(
          L.result[
            result.reason === 'below_threshold'
              ? 'withheld'
              : result.reason === 'open'
                ? 'open'
                : 'not_rated'
          ],
          {
            k: state.settings.k,
          },
        );
    const where = `${card.mission.title[lang]}, ${card.area.title[lang]}`;
    out.push(`- **${md(card.title[lang])}** (${md(where)}): ${md(outcome)}`);
  }

  const plan = planView(input);
  out.push('', `## ${md(plan.title)}`, '');
  if (plan.items.length === 0) out.push(`*${md(plan.empty)}*`);
  else
    out.push(
      table(
        [
          plan.labels.what,
          plan.labels.goal,
          plan.labels.actions,
          plan.labels.owner,
          plan.labels.due,
          L.status,
        ],
        plan.items.map((item) => [
          item.link ? `${item.what} (${t(lang, 'plan.link')}: ${item.link})` : item.what,
          item.goal,
          item.actions,
          item.owner,
          item.due,
          item.postponed ? `${item.statusLabel} (${item.postponed})` : item.statusLabel,
        ]),
      ),
    );
  return `${out.join('\n')}\n`;
}

function sectionLines(section: SummarySection, lang: Lang, withBand: boolean): string[] {
  const lines = [`### ${md(section.heading)}`, ''];
  if (section.lines.length === 0) {
    lines.push(`*${md(section.empty ?? t(lang, 'summary.noResults'))}*`);
    return lines;
  }
  section.lines.forEach((line, i) => {
    const band = withBand ? ` (${t(lang, `band.${line.band}`)})` : '';
    lines.push(`${i + 1}. ${mdItem(line.label)} – ${md(`${line.score}${band}`)}`);
  });
  return lines;
}
