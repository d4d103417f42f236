import type { MaaloversigtView, SummarySection, SummaryView } from '../../../core/views/types.ts';
import { BAND_EMOJI } from './cards.ts';
import { bold, divider, escapeText, note, paragraph, type SlackBlock, sections } from './kit.ts';
import { deadlineNote, stepTop } from './parts.ts';

function section(s: SummarySection): SlackBlock[] {
  const lines = s.lines.length
    ? s.lines.map((l) => `${BAND_EMOJI[l.band]} ${escapeText(l.label)} · *${escapeText(l.score)}*`)
    : s.empty === undefined
      ? []
      : [`_${escapeText(s.empty)}_`];
  return sections([bold(s.heading), ...lines].join('\n'));
}

/** The måloversigt as text: areas and missions with score and band (the PNG comes with files.uploadV2). */
function maaloversigt(view: MaaloversigtView): SlackBlock[] {
  const score = (s: string | null) => (s === null ? '–' : escapeText(s));
  const areas = view.areas.filter((a) => a.inScope);
  const lines = areas.flatMap((a) => [
    `${BAND_EMOJI[a.band]} ${bold(a.title)} · *${score(a.score)}*`,
    ...a.missions.map(
      (m) => `      ${BAND_EMOJI[m.band]} ${escapeText(m.title)} · ${score(m.score)}`,
    ),
  ]);
  const legend = view.legend.map((l) => `${BAND_EMOJI[l.band]} ${escapeText(l.label)}`).join('   ');
  return [...sections([bold(view.title), ...lines].join('\n')), ...note(legend)];
}

export function summaryBlocks(view: SummaryView): SlackBlock[] {
  const s = view.sections;
  return [
    ...stepTop(view),
    ...note(view.participants),
    ...sections(view.endedEarly === undefined ? '' : `:warning: ${escapeText(view.endedEarly)}`),
    divider(),
    ...section(s.lowestAreas),
    ...section(s.lowestMissions),
    ...section(s.lowestCards),
    ...section(s.strong),
    ...section(s.disagreements),
    ...section(s.priorities),
    ...paragraph(view.withheld ?? ''),
    divider(),
    ...maaloversigt(view.maaloversigt),
    ...deadlineNote(view.deadline),
  ];
}
