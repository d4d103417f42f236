import type { Band } from '../../../core/aggregate.ts';
import type { MaaloversigtView } from '../../../core/views/types.ts';
import { BAND_FILL, BAND_STROKE, INK, PAPER, safeColor, textOn, tint } from './colors.ts';
import { el, textEl } from './svg.ts';
import { type Font, oneLine, textWidth, truncate, wrap } from './text.ts';

/**
 * The måloversigt as a picture: one column per area (header in the area's
 * colour with its score), the area's missions as boxes below it, and inside
 * each mission the cards that have been discussed, as chips coloured by
 * score band. Areas outside the round's scope are dimmed.
 *
 * Pure and deterministic: the same view gives the same bytes. No scripts, no
 * external references; fonts are named, never embedded.
 */

type Area = MaaloversigtView['areas'][number];
type Mission = Area['missions'][number];
type Chip = Mission['cards'][number];

export const SVG_WIDTH = 1200;
const MARGIN = 24;
const COLUMN_GAP = 18;
const MISSION_GAP = 12;
const PAD = 12;

/** Common sans-serif fonts first; DejaVu Sans is what a bare Linux server has; the generic last. */
export const FONT_FAMILY =
  "'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

const F = {
  title: { size: 26, bold: true },
  area: { size: 20, bold: true },
  areaBand: { size: 13 },
  badge: { size: 16, bold: true },
  mission: { size: 15, bold: true },
  missionBand: { size: 12 },
  chip: { size: 13 },
  chipScore: { size: 13, bold: true },
  legend: { size: 14 },
} satisfies Record<string, Font>;

const MUTED = '#374151';
const NO_SCORE = '–';

const fontAttrs = (font: Font) => ({
  'font-size': font.size,
  'font-weight': font.bold ? 'bold' : undefined,
});

/** Lines of text from a top edge: baseline of line i at top + ascent + i × lineHeight. */
function lines(
  texts: readonly string[],
  x: number,
  top: number,
  font: Font,
  lineHeight: number,
  fill: string,
  extra: Record<string, string> = {},
): string[] {
  return texts.map((t, i) =>
    textEl(
      'text',
      { x, y: top + font.size * 0.95 + i * lineHeight, fill, ...fontAttrs(font), ...extra },
      t,
    ),
  );
}

/** A rounded score badge, its text centred. */
function badge(x: number, y: number, w: number, h: number, band: Band, score: string | null) {
  const fill = BAND_FILL[band];
  return [
    el('rect', {
      x,
      y,
      width: w,
      height: h,
      rx: h / 2,
      fill,
      stroke: PAPER,
      'stroke-width': 1.5,
    }),
    textEl(
      'text',
      {
        x: x + w / 2,
        y: y + h / 2 + F.badge.size * 0.36,
        'text-anchor': 'middle',
        fill: textOn(fill),
        ...fontAttrs(F.badge),
      },
      truncate(score ?? NO_SCORE, w - 8, F.badge),
    ),
  ];
}

interface Laid {
  height: number;
  markup: string[];
}

const CHIP_PAD = 8;
const CHIP_GAP = 6;
const CHIP_LINE = 16;

function chip(
  card: Chip,
  maxWidth: number,
): { width: number; height: number; draw: (x: number, y: number) => string[] } {
  const score = card.score ?? NO_SCORE;
  const scoreWidth = textWidth(score, F.chipScore);
  const room = maxWidth - 2 * CHIP_PAD - CHIP_GAP - scoreWidth;
  const title = oneLine(card.title);
  const titleLines = wrap(title, room, F.chip, 2);
  const titleWidth = Math.max(...titleLines.map((l) => textWidth(l, F.chip)), 0);
  const width = Math.min(maxWidth, 2 * CHIP_PAD + titleWidth + CHIP_GAP + scoreWidth);
  const height = titleLines.length > 1 ? 8 + titleLines.length * CHIP_LINE : 24;
  const fill = BAND_FILL[card.band];
  const ink = textOn(fill);
  const draw = (x: number, y: number) => [
    el('rect', {
      x,
      y,
      width,
      height,
      rx: 6,
      fill,
      stroke: BAND_STROKE[card.band],
      'stroke-width': 1,
      'stroke-dasharray': card.custom ? '4 3' : undefined,
    }),
    ...lines(
      titleLines,
      x + CHIP_PAD,
      y + (height - titleLines.length * CHIP_LINE) / 2 + 1,
      F.chip,
      CHIP_LINE,
      ink,
      card.custom ? { 'font-style': 'italic' } : {},
    ),
    textEl(
      'text',
      {
        x: x + width - CHIP_PAD,
        y: y + height / 2 + F.chipScore.size * 0.36,
        'text-anchor': 'end',
        fill: ink,
        ...fontAttrs(F.chipScore),
      },
      score,
    ),
  ];
  return { width, height, draw };
}

/** Chips left to right, wrapping into rows. */
function chips(cards: readonly Chip[], x: number, top: number, width: number): Laid {
  const markup: string[] = [];
  let cx = x;
  let rowTop = top;
  let rowHeight = 0;
  for (const card of cards) {
    const c = chip(card, width);
    if (cx > x && cx + c.width > x + width) {
      rowTop += rowHeight + CHIP_GAP;
      cx = x;
      rowHeight = 0;
    }
    markup.push(...c.draw(cx, rowTop));
    cx += c.width + CHIP_GAP;
    rowHeight = Math.max(rowHeight, c.height);
  }
  return { height: cards.length === 0 ? 0 : rowTop - top + rowHeight, markup };
}

function missionBox(
  mission: Mission,
  x: number,
  top: number,
  width: number,
  color: string,
  bandLabel: (band: Band) => string,
): Laid {
  const badgeW = 56;
  const badgeH = 26;
  const titleLines = wrap(mission.title, width - 2 * PAD - badgeW - 8, F.mission, 3);
  const titleHeight = Math.max(titleLines.length * 19 + 4, badgeH);
  const bandTop = top + PAD + titleHeight + 2;
  const chipsTop = bandTop + 22;
  const laid = chips(mission.cards, x + PAD, chipsTop, width - 2 * PAD);
  const height = chipsTop - top + laid.height + (laid.height > 0 ? PAD : 0);
  const markup = [
    el('rect', {
      x,
      y: top,
      width,
      height,
      rx: 8,
      fill: tint(color, 0.9),
      stroke: color,
      'stroke-width': 1.5,
    }),
    ...lines(titleLines, x + PAD, top + PAD, F.mission, 19, INK),
    ...badge(x + width - PAD - badgeW, top + PAD - 2, badgeW, badgeH, mission.band, mission.score),
    ...lines(
      [truncate(bandLabel(mission.band), width - 2 * PAD, F.missionBand)],
      x + PAD,
      bandTop,
      F.missionBand,
      16,
      MUTED,
    ),
    ...laid.markup,
  ];
  return { height, markup };
}

function areaColumn(
  area: Area,
  x: number,
  top: number,
  width: number,
  bandLabel: (band: Band) => string,
): Laid {
  const color = safeColor(area.color);
  const ink = textOn(color);
  const badgeW = 64;
  const badgeH = 34;
  const titleLines = wrap(area.title, width - 2 * PAD - badgeW - 8, F.area, 2);
  const bandTop = top + 14 + titleLines.length * 24 + 2;
  const headerHeight = Math.max(bandTop + 18 + 12 - top, 14 + badgeH + 14);
  const markup = [
    el('rect', { x, y: top, width, height: headerHeight, rx: 10, fill: color }),
    ...lines(titleLines, x + PAD, top + 14, F.area, 24, ink),
    ...lines(
      [truncate(bandLabel(area.band), width - 2 * PAD - badgeW - 8, F.areaBand)],
      x + PAD,
      bandTop,
      F.areaBand,
      16,
      ink,
    ),
    ...badge(x + width - PAD - badgeW, top + 14, badgeW, badgeH, area.band, area.score),
  ];
  let y = top + headerHeight + MISSION_GAP;
  for (const mission of area.missions) {
    const box = missionBox(mission, x, y, width, color, bandLabel);
    markup.push(...box.markup);
    y += box.height + MISSION_GAP;
  }
  const height = y - MISSION_GAP - top;
  const group = area.inScope ? el('g', {}, markup) : el('g', { opacity: '0.35' }, markup);
  return { height, markup: [group] };
}

function legend(view: MaaloversigtView, top: number): Laid {
  const markup: string[] = [];
  let x = MARGIN;
  let y = top;
  const swatch = 18;
  for (const item of view.legend) {
    const label = truncate(oneLine(item.label), SVG_WIDTH - 2 * MARGIN - swatch - 8, F.legend);
    const w = swatch + 8 + textWidth(label, F.legend) + 28;
    if (x > MARGIN && x + w > SVG_WIDTH - MARGIN) {
      x = MARGIN;
      y += 28;
    }
    markup.push(
      el('rect', {
        x,
        y,
        width: swatch,
        height: swatch,
        rx: 4,
        fill: BAND_FILL[item.band],
        stroke: BAND_STROKE[item.band],
      }),
      textEl(
        'text',
        {
          x: x + swatch + 8,
          y: y + swatch / 2 + F.legend.size * 0.36,
          fill: INK,
          ...fontAttrs(F.legend),
        },
        label,
      ),
    );
    x += w;
  }
  return { height: view.legend.length === 0 ? 0 : y - top + swatch, markup };
}

export function maaloversigtSvg(view: MaaloversigtView): string {
  const columns = Math.max(1, view.areas.length);
  const columnWidth = (SVG_WIDTH - 2 * MARGIN - (columns - 1) * COLUMN_GAP) / columns;
  const bandLabels = new Map(view.legend.map((l) => [l.band, oneLine(l.label)]));
  const bandLabel = (band: Band) => bandLabels.get(band) ?? '';
  const title = oneLine(view.title);
  const top = MARGIN + 48;
  const laid = view.areas.map((area, i) =>
    areaColumn(area, MARGIN + i * (columnWidth + COLUMN_GAP), top, columnWidth, bandLabel),
  );
  const legendTop = top + Math.max(0, ...laid.map((l) => l.height)) + 28;
  const key = legend(view, legendTop);
  const height = Math.ceil(legendTop + key.height + MARGIN);
  const body = [
    textEl('title', { id: 'maaloversigt-title' }, title),
    el('rect', { x: 0, y: 0, width: SVG_WIDTH, height, fill: PAPER }),
    textEl(
      'text',
      { x: MARGIN, y: MARGIN + F.title.size, fill: INK, ...fontAttrs(F.title) },
      truncate(title, SVG_WIDTH - 2 * MARGIN, F.title),
    ),
    ...laid.flatMap((l) => l.markup),
    ...key.markup,
  ];
  return `${el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: SVG_WIDTH,
      height,
      viewBox: `0 0 ${SVG_WIDTH} ${height}`,
      role: 'img',
      'aria-labelledby': 'maaloversigt-title',
      'font-family': FONT_FAMILY,
    },
    body,
  )}\n`;
}
