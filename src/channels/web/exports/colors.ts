import type { Band } from '../../../core/aggregate.ts';

/**
 * Colours of the måloversigt. The score bands differ in lightness as well as
 * hue (dark red, amber, light green, grey), so they stay apart for people
 * who do not see red and green; every chip also prints its score.
 */
export const BAND_FILL: Record<Band, string> = {
  weak: '#a4161a',
  moderate: '#f3c845',
  strong: '#6cc070',
  none: '#e5e7eb',
};

/** The outline of a chip, so a light fill still stands off the white box. */
export const BAND_STROKE: Record<Band, string> = {
  weak: '#7a1013',
  moderate: '#b58a12',
  strong: '#2f7d33',
  none: '#9ca3af',
};

export const INK = '#111827';
export const PAPER = '#ffffff';
const NEUTRAL = '#6b7280';

const HEX = /^#([0-9a-f]{6})$/i;

/** A deck colour as given, or neutral grey when it is not `#rrggbb`. */
export function safeColor(color: string): string {
  return HEX.test(color) ? color.toLowerCase() : NEUTRAL;
}

function channels(color: string): [number, number, number] {
  const hex = HEX.exec(safeColor(color))?.[1] ?? '6b7280';
  return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG relative luminance. */
export function luminance(color: string): number {
  const [r, g, b] = channels(color).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours (1–21). */
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Dark or white text, whichever reads better on `background`. */
export function textOn(background: string): string {
  return contrast(INK, background) >= contrast(PAPER, background) ? INK : PAPER;
}

/** `color` mixed with white; `amount` 0 keeps the colour, 1 gives white. */
export function tint(color: string, amount: number): string {
  const hex = channels(color)
    .map((c) => Math.round(c + (255 - c) * amount))
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('');
  return `#${hex}`;
}
