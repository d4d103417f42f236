import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAND_FILL, contrast, safeColor, textOn } from '../../src/channels/web/exports/colors.ts';
import { maaloversigtSvg, svgToPng } from '../../src/channels/web/exports/index.ts';
import { textWidth } from '../../src/channels/web/exports/text.ts';
import type { Band } from '../../src/core/aggregate.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { maaloversigtView } from '../../src/core/views/summary.ts';
import type { MaaloversigtView } from '../../src/core/views/types.ts';
import { countPixels, decodePng, PNG_SIGNATURE } from './png-decode.ts';
import { CUSTOM, round, writeArtifact } from './round.ts';
import { xmlProblems } from './xml.ts';

const escaped = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');

/** A fixed måloversigt: English, one area out of scope, long and hostile titles, an empty mission. */
const FIXED: MaaloversigtView = {
  title: 'Goal overview (måloversigt) & <friends>',
  areas: [
    {
      id: 'a',
      title: 'Development',
      color: '#1f7a5c',
      inScope: true,
      score: '2.1',
      band: 'weak',
      missions: [
        {
          id: 'm1',
          title: 'Managers',
          score: '2.1',
          band: 'weak',
          cards: [
            { id: 'c1', title: 'Mentoring schemes', band: 'weak', score: '1.8', custom: false },
            { id: 'c2', title: 'Internal forums', band: 'none', score: null, custom: false },
            {
              id: 'c3',
              title: "O'Brien's <script>alert('x')</script> & co",
              band: 'moderate',
              score: '3.5',
              custom: true,
            },
          ],
        },
        { id: 'm2', title: 'Employees', score: null, band: 'none', cards: [] },
      ],
    },
    {
      id: 'b',
      title: 'Inclusion with a very long area title that needs wrapping onto more lines than fit',
      color: 'url(javascript:alert(1))',
      inScope: false,
      score: null,
      band: 'none',
      missions: [
        {
          id: 'm3',
          title:
            'Room for more people on the labour market, with a mission title that goes on and on and on',
          score: null,
          band: 'none',
          cards: [],
        },
      ],
    },
    {
      id: 'c',
      title: 'Retention',
      color: '#b5441b',
      inScope: true,
      score: '4.5',
      band: 'strong',
      missions: [
        {
          id: 'm4',
          title: 'Mental health',
          score: '4.5',
          band: 'strong',
          cards: [
            {
              id: 'c4',
              title:
                'Supercalifragilisticexpialidociousnessandthensomemorelettersthatneverend initiative',
              band: 'strong',
              score: '4.5',
              custom: false,
            },
          ],
        },
      ],
    },
  ],
  legend: [
    { band: 'weak', label: 'Works poorly' },
    { band: 'moderate', label: 'Works partly' },
    { band: 'strong', label: 'Works well' },
    { band: 'none', label: 'No rating' },
  ],
};

const decodeXml = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&apos;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');

/** Left-aligned texts of the three columns that run past their column's right edge. */
function overflowing(markup: string): string[] {
  const columnWidth = (1200 - 2 * 24 - 2 * 18) / 3;
  const out: string[] = [];
  const texts = markup.matchAll(
    /<text x="([\d.]+)" y="[\d.]+" fill="[^"]+" font-size="(\d+)"( font-weight="bold")?[^>]*>([^<]*)</g,
  );
  for (const [, x, size, bold, content] of texts) {
    if (size === '26' || size === '14') continue; // the title and the legend span the page
    const column = Math.floor((Number(x) - 24) / (columnWidth + 18));
    const right = 24 + column * (columnWidth + 18) + columnWidth;
    const text = decodeXml(content ?? '');
    if (Number(x) + textWidth(text, { size: Number(size), bold: bold !== undefined }) > right)
      out.push(text);
  }
  return out;
}

let input: ViewInput;
let view: MaaloversigtView;
let svg: string;

beforeAll(async () => {
  input = await round();
  view = maaloversigtView(input);
  svg = maaloversigtSvg(view);
  writeArtifact('maaloversigt.svg', svg);
  writeArtifact('maaloversigt-fixed.svg', maaloversigtSvg(FIXED));
  writeArtifact('maaloversigt-fixed.png', svgToPng(maaloversigtSvg(FIXED)));
});

describe('maaloversigtSvg', () => {
  it('is well-formed, self-contained SVG that resvg reads', () => {
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="1200"')).toBe(true);
    expect(svg).toMatch(/viewBox="0 0 1200 \d+"/);
    expect(svg).toMatch(/font-family="[^"]*, sans-serif"/);
    expect(svg).not.toMatch(/<script|href|<image|<foreignObject|@import|url\(/i);
    expect(svg.match(/https?:\/\/[^"\s<]*/g)).toEqual(['http://www.w3.org/2000/svg']);
    const resvg = new Resvg(svg, { font: { loadSystemFonts: false } });
    expect(resvg.width).toBe(1200);
  });

  it('shows every area and mission, and the cards that were discussed', () => {
    for (const area of input.deck.areas) {
      expect(svg).toContain(`>${escaped(area.title.da)}<`);
      // Long mission titles wrap onto several lines; every word is there.
      for (const mission of area.missions)
        for (const word of mission.title.da.split(' ')) expect(svg).toContain(escaped(word));
    }
    expect(svg).toContain('>Mentorordninger<');
    expect(svg).toContain('>3,4<');
  });

  it('escapes what people typed', () => {
    expect(svg).toContain(escaped(CUSTOM.formula.title));
    expect(svg).toContain(escaped(CUSTOM.lunch.title));
    expect(svg).not.toContain('<script>');
    const fixed = maaloversigtSvg(FIXED);
    expect(xmlProblems(fixed)).toEqual([]);
    expect(fixed).toContain(
      'O&apos;Brien&apos;s &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;',
    );
    expect(fixed).toContain('&amp; &lt;friends&gt;');
    expect(fixed).not.toContain('javascript');
  });

  it('shows a withheld card without a score, in the no-rating colour', () => {
    const chip =
      /<rect[^>]*fill="([^"]+)"[^>]*\/><text[^>]*>Interne lederfora<\/text><text[^>]*>([^<]*)<\/text>/.exec(
        svg,
      );
    expect(chip?.[1]).toBe(BAND_FILL.none);
    expect(chip?.[2]).toBe('–');
  });

  it('dims areas out of scope, wraps and truncates long titles', () => {
    const fixed = maaloversigtSvg(FIXED);
    expect(fixed.match(/<g opacity="0.35"/g)).toHaveLength(1);
    expect(fixed).toContain('…');
    expect(overflowing(fixed)).toEqual([]);
    expect(overflowing(svg)).toEqual([]);
  });

  it('is deterministic', async () => {
    expect(maaloversigtSvg(maaloversigtView(input))).toBe(svg);
    await expect(maaloversigtSvg(FIXED)).toMatchFileSnapshot(
      '__snapshots__/maaloversigt-fixed.svg',
    );
  });

  it('chooses text colours with enough contrast', () => {
    for (const band of Object.keys(BAND_FILL) as Band[]) {
      const fill = BAND_FILL[band];
      expect(contrast(textOn(fill), fill), band).toBeGreaterThanOrEqual(4.5);
    }
    for (const area of input.deck.areas) {
      const color = safeColor(area.color);
      expect(contrast(textOn(color), color), area.id).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('estimates text no narrower than DejaVu Sans draws it', () => {
    const samples = [
      'Ansættelsespolitik i forhold til etnicitet',
      'Jobs og opgaver for personer i virksomhedspraktik',
      'WWW MMM æøå ÆØÅ 0123456789',
      'iiiii lllll ,,,,, .....',
    ];
    for (const bold of [false, true]) {
      for (const text of samples) {
        const probe = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="60"><text x="0" y="40" font-family="DejaVu Sans" font-size="20"${bold ? ' font-weight="bold"' : ''}>${escaped(text)}</text></svg>`;
        const box = new Resvg(probe, { font: { loadSystemFonts: true } }).innerBBox();
        expect(box, 'a font is installed').toBeDefined();
        expect(textWidth(text, { size: 20, bold }), text).toBeGreaterThanOrEqual(
          (box?.width ?? 0) - 1,
        );
        expect(textWidth(text, { size: 20, bold }), text).toBeLessThan(
          (box?.width ?? 0) * 1.15 + 4,
        );
      }
    }
  });
});

describe('svgToPng', () => {
  it('renders a 1600 px wide PNG with visible text', () => {
    const png = svgToPng(svg);
    writeArtifact('maaloversigt.png', png);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const image = decodePng(png);
    expect(image.width).toBe(1600);
    const svgHeight = Number(/height="(\d+)"/.exec(svg)?.[1]);
    expect(image.height).toBe(Math.round((svgHeight * 1600) / 1200));
    const scale = 1600 / 1200;
    const px = (r: { x: number; y: number; width: number; height: number }) => ({
      x: Math.round(r.x * scale),
      y: Math.round(r.y * scale),
      width: Math.round(r.width * scale),
      height: Math.round(r.height * scale),
    });
    // The title "Måloversigt" (dark on white) at the top left.
    const titleBox = px({ x: 24, y: 24, width: 200, height: 34 });
    const dark = countPixels(image, titleBox, (r, g, b) => r < 100 && g < 100 && b < 100);
    expect(dark).toBeGreaterThan(500);
    // Right of the title: nothing drawn.
    const empty = px({ x: 700, y: 24, width: 400, height: 34 });
    expect(countPixels(image, empty, (r, g, b) => r < 250 || g < 250 || b < 250)).toBe(0);
    // "Udvikling" in white on the green header.
    const header = px({ x: 36, y: 86, width: 110, height: 24 });
    const white = countPixels(image, header, (r, g, b) => r > 230 && g > 230 && b > 230);
    const green = countPixels(image, header, (r, g, b) => r < 60 && g > 100 && b < 120);
    expect(white).toBeGreaterThan(300);
    expect(green).toBeGreaterThan(white);
  });
});
