import { oneLine } from './text.ts';

/**
 * Inline Markdown text that renders as exactly what was typed: no links,
 * no HTML, no emphasis, no headings, and no broken table rows.
 */
export function md(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>#|~&!]/g, '\\$&');
}

/** Like `md`, for text that starts a list item: "- x", "+ x" or "1. x" there would open a nested list. */
export function mdItem(text: string): string {
  return md(text)
    .replace(/^([-+])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A GFM table; cells are escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const row = (cells: readonly string[]) => `| ${cells.map(md).join(' | ')} |`;
  return [row(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(row)].join('\n');
}
