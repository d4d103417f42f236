import { type CardResult, cardResult } from '../../../core/aggregate.ts';
import { roundCards } from '../../../core/deck/lookup.ts';
import { cardBox } from '../../../core/model.ts';
import { langOf, type ViewInput } from '../../../core/views/input.ts';

/**
 * The round's cards as CSV, one row per card (printed cards in scope, then
 * own initiatives). Numbers appear only for released results: a card that is
 * open, not rated yet or rated by fewer than k shows no count at all.
 *
 * RFC 4180 (comma, CRLF, double quotes), decimal point '.', UTF-8 with a BOM
 * so Excel reads æøå. A text cell that a spreadsheet would take for a formula
 * gets a leading apostrophe.
 */

export const CSV_HEADER = [
  'area',
  'mission',
  'card',
  'custom',
  'n',
  'abstentions',
  'mean',
  'median',
  'd1',
  'd2',
  'd3',
  'd4',
  'd5',
  'status',
] as const;

export type CsvStatus = 'released' | 'withheld' | 'open' | 'not_rated';

const BOM = '\ufeff';
const CRLF = '\r\n';

export function statusOf(result: CardResult): CsvStatus {
  if (result.released) return 'released';
  if (result.reason === 'below_threshold') return 'withheld';
  return result.reason === 'open' ? 'open' : 'not_rated';
}

/** At most two decimals, '.' as the decimal point, no trailing zeros. */
export function csvNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** A text cell: formula-like starts neutralised, quoted when RFC 4180 needs it. */
export function csvText(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function summaryCsv(input: ViewInput): string {
  const lang = langOf(input);
  const { deck, state, counts } = input;
  const rows = roundCards(deck, state).map((card) => {
    const result = cardResult(
      state.cards[card.id] ?? 'pending',
      counts.tallies[cardBox(card.id)],
      state.settings.k,
    );
    const numbers = result.released
      ? [result.n, result.abstentions, result.mean, result.median, ...result.distribution].map(
          csvNumber,
        )
      : Array.from({ length: 9 }, () => '');
    return [
      csvText(card.area.title[lang]),
      csvText(card.mission.title[lang]),
      csvText(card.title[lang]),
      card.custom ? 'true' : 'false',
      ...numbers,
      statusOf(result),
    ].join(',');
  });
  return `${BOM}${[CSV_HEADER.join(','), ...rows].join(CRLF)}${CRLF}`;
}
