import { escapeXml } from './text.ts';

/** A tiny SVG writer: every attribute value and every text is escaped here, once. */

export type Attrs = Record<string, string | number | undefined>;

/** Coordinates with at most one decimal, so the output is stable and short. */
export function num(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

function attrs(a: Attrs): string {
  let out = '';
  for (const [name, value] of Object.entries(a)) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;
  }
  return out;
}

/** An element with child markup (already built with these helpers). */
export function el(name: string, a: Attrs, children: readonly string[] = []): string {
  return children.length === 0
    ? `<${name}${attrs(a)}/>`
    : `<${name}${attrs(a)}>${children.join('')}</${name}>`;
}

/** An element whose content is text, escaped. */
export function textEl(name: string, a: Attrs, text: string): string {
  return `<${name}${attrs(a)}>${escapeXml(text)}</${name}>`;
}
