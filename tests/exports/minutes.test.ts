import { beforeAll, describe, expect, it } from 'vitest';
import { minutesMarkdown } from '../../src/channels/web/exports/index.ts';
import { md, mdItem } from '../../src/channels/web/exports/markdown.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { round, writeArtifact } from './round.ts';

let input: ViewInput;
let minutes: string;

beforeAll(async () => {
  input = await round();
  minutes = minutesMarkdown(input);
  writeArtifact('minutes.md', minutes);
});

/** Splits a table row at the pipes that are not escaped. */
const cells = (row: string) => row.split(/(?<!\\)\|/);

describe('minutesMarkdown', () => {
  it('has the facts of the round first', () => {
    const lines = minutes.split('\n');
    expect(lines[0]).toBe('# Referat af dialogrunde 23. november 2026');
    expect(minutes).toContain('- **Dialogværktøj:** Bæredygtigt arbejdsmiljø');
    expect(minutes).toContain('- **Form:** Møde, mødelederen styrer');
    expect(minutes).toContain('- **Omfang:** Alle tre områder');
    expect(minutes).toContain('- **Deltagere:** 5 deltagere');
    expect(minutes).toMatch(/- \*\*Anonymitet:\*\* .*mindst 3 har vurderet/);
  });

  it('has the sections in order', () => {
    const headings = [
      '# Referat',
      '## Statusopsummering',
      '### Udvikling',
      '### Generelt',
      '## Opsamling',
      '### Områder, laveste først',
      '### Målsætninger, laveste først',
      '### Indsatser med lavest score',
      '### Det lykkes vi med (4–5)',
      '### Her er vi uenige',
      '### Det prioriterer vi',
      '*1 kort har færre end 3 vurderinger',
      '## Egne initiativer',
      '## Opfølgningsplan',
      '| Hvad vil vi prioritere? | Hvad vil vi gerne opnå? | Hvad kan vi gøre? | Hvem står for det? | Hvornår? | Status |',
    ];
    const positions = headings.map((h) => minutes.indexOf(h));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('lists the lowest first and the priority ranking', () => {
    expect(minutes).toMatch(/### Indsatser med lavest score\n\n1\. .* – 1,4 \(Fungerer dårligt\)/);
    expect(minutes).toContain('1. Undgå stress – 4 valg');
    expect(minutes).toContain('2. Mentorordninger – 3 valg');
  });

  it('escapes what people typed', () => {
    expect(minutes).not.toContain('<script>');
    expect(minutes).not.toContain('<b>');
    expect(minutes).not.toMatch(/(?<!\\)\[link(?<!\\)\]\(/);
    expect(minutes).toContain(
      '- \\<script\\>alert(1)\\</script\\> \\& "citat" \\[link\\](http://evil.example)',
    );
    expect(minutes).toContain('- a \\| b, c; d \\# e \\*f\\* \\_g\\_');
    expect(minutes).toContain('mere ro\\\\pause');
  });

  it('writes the plan as a table that stays a table', () => {
    const table = minutes
      .slice(minutes.indexOf('## Opfølgningsplan'))
      .split('\n')
      .filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(2 + 3);
    for (const row of table) expect(cells(row)).toHaveLength(8);
    const stress = table[2] ?? '';
    expect(cells(stress).map((c) => c.trim())).toEqual([
      '',
      'Stress \\| \\<b\\>fet\\</b\\> \\[link\\](http://x) \\*x\\* \\_y\\_ \\# h \\`kode\\` (Knyttet til: Mental sundhed)',
      'Færre sygedage, mindre stress; mere ro\\\\pause',
      '=HYPERLINK("http://x") og faste møder',
      'Åse Ørsted',
      '1. april 2027',
      'Åben',
      '',
    ]);
    expect(table[3]).toContain('| Udført |');
    expect(table[4]).toContain('| Blokeret |');
  });

  it('lists own initiatives with their results', () => {
    expect(minutes).toContain(
      '- **=SUM(1) \\<script\\>alert("x")\\</script\\>** (Organisation, Udvikling): Gennemsnit 4,2 · median 4 · 5 har vurderet',
    );
  });

  it('is written in the round’s language', () => {
    const en = minutesMarkdown({
      ...input,
      state: { ...input.state, settings: { ...input.state.settings, lang: 'en' } },
    });
    writeArtifact('minutes.en.md', en);
    expect(en.split('\n')[0]).toBe('# Minutes of the dialogue round, 23 November 2026');
    expect(en).toContain('## Follow-up plan');
    expect(en).toContain('### Areas, lowest first');
  });

  it('escapes Markdown at the start of a list item, and nowhere needlessly', () => {
    expect(mdItem('- not a list')).toBe('\\- not a list');
    expect(mdItem('1. not a list')).toBe('1\\. not a list');
    expect(md('1. fine inline')).toBe('1. fine inline');
    expect(md('a\nb\r\nc')).toBe('a b c');
    expect(md('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert(1)\\>');
  });
});
