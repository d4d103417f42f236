/**
 * Text helpers for the picture exports: XML escaping and a width estimate
 * good enough to wrap and truncate labels without a layout engine.
 */

/** Characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/FFFF). */
const XML_INVALID =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes text for XML content and attribute values (`& < > " '`); drops characters XML cannot carry. */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** One line of text: every run of whitespace (newlines included) becomes one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Advance widths of DejaVu Sans (regular and bold) in 1/1000 em, read from the
 * font files. DejaVu is wider than Segoe UI, Helvetica and Arial, so a label
 * that fits in DejaVu fits in the other fonts of the list too.
 */
const MEASURED =
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~ÆØÅæøåÄÖÜäöüéèÉ–—…·•“”‘’«»';
// biome-ignore format: a table
const REGULAR = [318,401,460,838,636,950,780,275,390,390,500,838,318,361,318,337,636,636,636,636,636,636,636,636,636,636,337,337,838,838,838,531,1000,684,686,698,770,632,575,775,752,295,295,656,557,863,748,787,603,787,695,635,611,732,684,989,685,611,685,390,337,390,838,500,500,613,635,550,635,615,352,635,634,278,278,579,278,974,634,612,635,635,411,521,392,634,592,818,592,592,525,636,337,636,838,974,787,684,982,612,613,684,787,732,613,612,634,615,615,632,500,1000,1000,318,590,518,518,318,318,612,612];
// biome-ignore format: a table
const BOLD = [348,456,521,838,696,1002,872,306,457,457,523,838,380,415,380,365,696,696,696,696,696,696,696,696,696,696,400,400,838,838,838,580,1000,774,762,734,830,683,683,821,837,372,372,775,637,995,837,850,733,850,770,720,682,812,774,1103,771,724,725,457,365,457,838,500,500,675,716,593,716,678,435,716,712,343,343,665,343,1042,712,687,716,716,493,595,478,712,652,924,645,652,582,712,365,712,838,1085,850,774,1048,687,675,774,850,812,675,687,712,678,678,683,500,1000,1000,380,639,657,657,380,380,646,646];

const widthTable = (widths: number[]) =>
  new Map([...MEASURED].map((ch, i) => [ch, widths[i] ?? 700] as const));
const TABLES = { regular: widthTable(REGULAR), bold: widthTable(BOLD) };

/** Width of one character not in the table: wide for East Asian scripts, generous otherwise. */
function fallbackWidth(ch: string, bold: boolean): number {
  const code = ch.codePointAt(0) ?? 0;
  if (code >= 0x1100 && (code <= 0x115f || (code >= 0x2e80 && code <= 0xffdc) || code >= 0x1f000))
    return 1000;
  return bold ? 780 : 720;
}

export interface Font {
  size: number;
  bold?: boolean;
}

/** Estimated width in px of `text` set in `font`. */
export function textWidth(text: string, font: Font): number {
  const bold = font.bold === true;
  const table = bold ? TABLES.bold : TABLES.regular;
  let units = 0;
  for (const ch of text) units += table.get(ch) ?? fallbackWidth(ch, bold);
  return (units / 1000) * font.size;
}

const ELLIPSIS = '…';

/** The longest prefix of `text` that fits in `width` with an ellipsis after it. */
export function truncate(text: string, width: number, font: Font): string {
  if (textWidth(text, font) <= width) return text;
  const chars = [...text];
  let keep = chars.length;
  while (
    keep > 0 &&
    textWidth(`${chars.slice(0, keep).join('').trimEnd()}${ELLIPSIS}`, font) > width
  )
    keep--;
  return `${chars.slice(0, keep).join('').trimEnd()}${ELLIPSIS}`;
}

/**
 * Breaks `text` into at most `maxLines` lines of at most `width` px, at spaces
 * where possible; a word longer than a line is cut; text that does not fit
 * ends in an ellipsis.
 */
export function wrap(text: string, width: number, font: Font, maxLines: number): string[] {
  const words = oneLine(text).split(' ').filter(Boolean);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (textWidth(candidate, font) <= width) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    // A word wider than a line: cut it into pieces that fit.
    while (textWidth(current, font) > width && [...current].length > 1) {
      const chars = [...current];
      let take = chars.length - 1;
      while (take > 1 && textWidth(chars.slice(0, take).join(''), font) > width) take--;
      lines.push(chars.slice(0, take).join(''));
      current = chars.slice(take).join('');
    }
  }
  if (current) lines.push(current);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept.length - 1;
  // Ends in an ellipsis either way: the line plus "…" fits, or a shorter prefix gets one.
  kept[last] = truncate(`${kept[last] ?? ''}${ELLIPSIS}`, width, font);
  return kept;
}
