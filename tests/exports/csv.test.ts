import { beforeAll, describe, expect, it } from 'vitest';
import { csvText } from '../../src/channels/web/exports/csv.ts';
import { summaryCsv } from '../../src/channels/web/exports/index.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { CUSTOM, round, writeArtifact } from './round.ts';

const HEADER = 'area,mission,card,custom,n,abstentions,mean,median,d1,d2,d3,d4,d5,status';

/** RFC 4180 records (CRLF, double-quoted fields with "" for a quote). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') throw new Error(`bare line break at ${i}`);
    else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('last record without CRLF');
  return records;
}

let input: ViewInput;
let csv: string;
let rows: Map<string, Record<string, string>>;

function byCard(text: string) {
  const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ''));
  return new Map(
    records.map((r) => [
      r[2] ?? '',
      Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])),
    ]),
  );
}

beforeAll(async () => {
  input = await round();
  csv = summaryCsv(input);
  writeArtifact('summary.csv', csv);
  rows = byCard(csv);
});

describe('summaryCsv', () => {
  it('is UTF-8 CSV with a BOM, CRLF and the fixed header', () => {
    expect(csv.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const records = parseCsv(csv.slice(1));
    for (const record of records) expect(record).toHaveLength(14);
  });

  it('has one row per card of the round: 30 printed cards in deck order, then own initiatives', () => {
    const records = parseCsv(csv.slice(1)).slice(1);
    expect(records).toHaveLength(30 + 2);
    expect(records[0]?.slice(0, 4)).toEqual(['Udvikling', 'Ledere', 'Mentorordninger', 'false']);
    expect(records.slice(30).map((r) => r[3])).toEqual(['true', 'true']);
    expect(records.slice(0, 30).every((r) => r[3] === 'false')).toBe(true);
  });

  it('gives the numbers of a released card (hand-computed)', () => {
    // Ratings 1, 2, 4, 5, 5.
    expect(rows.get('Mentorordninger')).toMatchObject({
      n: '5',
      abstentions: '0',
      mean: '3.4',
      median: '4',
      d1: '1',
      d2: '1',
      d3: '0',
      d4: '1',
      d5: '2',
      status: 'released',
    });
    // Ratings 3, 3, 4, 4 and one "don't know".
    expect(rows.get('Kompetenceudvikling for ledere')).toMatchObject({
      n: '4',
      abstentions: '1',
      mean: '3.5',
      median: '3.5',
      d3: '2',
      d4: '2',
      status: 'released',
    });
  });

  it('leaves every number empty for a card rated by fewer than k', () => {
    const row = rows.get('Interne lederfora');
    expect(row?.status).toBe('withheld');
    for (const column of ['n', 'abstentions', 'mean', 'median', 'd1', 'd2', 'd3', 'd4', 'd5'])
      expect(row?.[column], column).toBe('');
  });

  it('shows nothing for a card still open or not rated yet', () => {
    const state = {
      ...input.state,
      cards: {
        ...input.state.cards,
        mentorordninger: 'open' as const,
        jobordninger: 'pending' as const,
      },
    };
    const other = byCard(summaryCsv({ ...input, state }));
    expect(other.get('Mentorordninger')).toMatchObject({ n: '', mean: '', d5: '', status: 'open' });
    expect(other.get('Jobordninger')).toMatchObject({ n: '', mean: '', status: 'not_rated' });
  });

  it('quotes per RFC 4180 and neutralises formulas', () => {
    expect(csv).toContain(`,"'=SUM(1) <script>alert(""x"")</script>",true,5,`);
    expect(rows.get(`'${CUSTOM.formula.title}`)?.status).toBe('released');
    expect(rows.get(CUSTOM.lunch.title)?.mission).toBe('Mental sundhed');
    for (const cell of ['=1+1', '+45 1234', '-2', '@SUM(A1)', '\tx'])
      expect(csvText(cell).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('line\nbreak')).toBe('"line\nbreak"');
    expect(csvText('Æ "ø"')).toBe('"Æ ""ø"""');
    expect(csvText('plain')).toBe('plain');
  });
});
