/*
 * Teams reads every TextBlock (and FactSet fact) of an Adaptive Card as
 * Markdown, so a status note saying `[Mødereferat](https://evil.example)`
 * would show as a disguised link, `**x**` as bold, `- x` as a list, `&lt;` as
 * `<`, and `<at>Name</at>` could become a mention. The shared templates put
 * people's text into those blocks as it is (the web page renders it without
 * Markdown), so the Teams card escapes it: a backslash before every ASCII
 * character Markdown acts on (CommonMark's escapes), and before what would
 * start a list or heading at the beginning of a line. Teams then shows the
 * text exactly as typed. Our own texts hold no Markdown either, so the whole
 * card is escaped and no text can slip through unescaped.
 */

/** Characters with a Markdown meaning anywhere in a line (the backslash itself first). */
const INLINE = /[\\`*_[\]<>&~]/g;
/** At a line's start: a bullet, a heading, or the number of an ordered list item. */
const LINE_START = /^(\s*)(?:([-+#])|(\d+)([.)]))/gm;

export function escapeMarkdown(text: string): string {
  return text
    .replace(INLINE, (c) => `\\${c}`)
    .replace(LINE_START, (_m, indent: string, mark?: string, digits?: string, dot?: string) =>
      mark ? `${indent}\\${mark}` : `${indent}${digits}\\${dot}`,
    );
}

/** Escapes the Markdown texts of a card in place: TextBlock texts and FactSet facts. */
export function escapeCardMarkdown(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) escapeCardMarkdown(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const element = node as Record<string, unknown>;
  if (element.type === 'TextBlock' && typeof element.text === 'string') {
    element.text = escapeMarkdown(element.text);
  }
  if (element.type === 'FactSet' && Array.isArray(element.facts)) {
    for (const fact of element.facts as Record<string, unknown>[]) {
      if (typeof fact.title === 'string') fact.title = escapeMarkdown(fact.title);
      if (typeof fact.value === 'string') fact.value = escapeMarkdown(fact.value);
    }
  }
  for (const value of Object.values(element)) escapeCardMarkdown(value);
}
