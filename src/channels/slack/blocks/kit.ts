/**
 * The small part of Block Kit the Slack channel uses, as plain JSON types, and
 * the builders that keep every text inside Slack's limits and escaped.
 *
 * Every text that reaches Slack goes through `escapeText`: view models carry plain
 * text (deck texts, and user-written notes, card titles and plan items), and
 * Slack reads `&`, `<` and `>` as control characters in text objects. Without
 * escaping, a note saying `<!channel>` would notify everybody and
 * `<https://evil.example|Mødereferat>` would show as a disguised link.
 */

/** Block Kit limits (docs.slack.dev, Block Kit reference: blocks, elements, composition objects). */
export const BLOCK_KIT_LIMITS = {
  /** Blocks in one message. */
  blocksPerMessage: 50,
  /** `text` of a section block, and any mrkdwn/plain_text object outside a header or button. */
  sectionText: 3000,
  /** Fields of a section block, and the length of each. */
  sectionFields: 10,
  fieldText: 2000,
  /** A header block's plain_text. */
  headerText: 150,
  /**
   * A button's plain_text label. Slack documents 75 characters (the brief
   * mentioned 150; 75 is the documented limit, so we use it).
   */
  buttonText: 75,
  /** Elements in one actions block. */
  actionsElements: 25,
  /** Elements in one context block. */
  contextElements: 10,
  /** A button's `value`. */
  actionValue: 2000,
  /** `action_id` and `block_id`. */
  actionId: 255,
  blockId: 255,
} as const;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  /**
   * True on every text we send: Slack then leaves plain text alone (a typed
   * URL or #channel is not turned into a link) and still honours the
   * formatting and the `<…>` links we write ourselves.
   */
  verbatim?: boolean;
}

/** An mrkdwn text object whose parts were escaped by the caller; see `Mrkdwn.verbatim`. */
export function mrkdwnText(text: string): Mrkdwn {
  return { type: 'mrkdwn', text, verbatim: true };
}

export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  text?: Mrkdwn;
  fields?: Mrkdwn[];
}

export interface ContextBlock {
  type: 'context';
  elements: Mrkdwn[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: ButtonElement[];
}

export interface DividerBlock {
  type: 'divider';
}

export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** A rendered message: the notification/fallback text and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** Escapes the three characters Slack parses in text objects. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Bold in mrkdwn; the text is escaped, and newlines would end the bold span, so they become spaces. */
export function bold(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat === '' ? '' : `*${escapeText(flat)}*`;
}

/**
 * Where an escaped text may be cut: never inside an entity (`&amp;`), never
 * between the halves of a surrogate pair. Returns a position ≤ `at`.
 */
function safeCut(text: string, at: number): number {
  let cut = at;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp >= cut - 5) {
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi >= cut) cut = amp;
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return Math.max(1, cut);
}

/**
 * Cuts an already escaped text to `max` characters, ending with "…" when
 * something was cut (the rule for headers, buttons and context lines).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, safeCut(text, max - 1))}…`;
}

/**
 * Splits an already escaped mrkdwn text into pieces of at most `max`
 * characters: at the last line break that fits, else at the last space, else
 * hard (never inside an entity or a surrogate pair). Nothing is lost.
 */
export function splitText(text: string, max: number = BLOCK_KIT_LIMITS.sectionText): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const newline = rest.lastIndexOf('\n', max);
    const space = rest.lastIndexOf(' ', max);
    const cut = newline > 0 ? newline : space > 0 ? space : safeCut(rest, max);
    pieces.push(rest.slice(0, cut));
    // Drop the separator we cut at; a hard cut keeps every character.
    rest = rest.slice(cut === newline || cut === space ? cut + 1 : cut);
  }
  if (rest.trim() !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

export function header(text: string): HeaderBlock {
  const flat = escapeText(text.replace(/\s+/g, ' ').trim()) || '…';
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(flat, BLOCK_KIT_LIMITS.headerText), emoji: true },
  };
}

/**
 * Section blocks for an mrkdwn text whose parts were escaped by the caller
 * (use `escapeText`/`bold` for every piece). Longer than 3000 characters: several
 * sections, split by `splitText`. Empty text: no block.
 */
export function sections(mrkdwn: string): SectionBlock[] {
  if (mrkdwn.trim() === '') return [];
  return splitText(mrkdwn).map((text) => ({ type: 'section', text: mrkdwnText(text) }));
}

/** A section of plain text (escaped here). */
export function paragraph(text: string): SectionBlock[] {
  return sections(escapeText(text));
}

/** A section with up to 10 two-column fields (each escaped mrkdwn, cut to 2000 characters). */
export function fields(items: string[]): SectionBlock[] {
  const blocks: SectionBlock[] = [];
  for (let i = 0; i < items.length; i += BLOCK_KIT_LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: items
        .slice(i, i + BLOCK_KIT_LIMITS.sectionFields)
        .map((text) => mrkdwnText(truncate(text, BLOCK_KIT_LIMITS.fieldText))),
    });
  }
  return blocks;
}

/** A small grey line (context block) of escaped mrkdwn, cut to 3000 characters. */
export function context(mrkdwn: string): ContextBlock[] {
  if (mrkdwn.trim() === '') return [];
  return [
    {
      type: 'context',
      elements: [mrkdwnText(truncate(mrkdwn, BLOCK_KIT_LIMITS.sectionText))],
    },
  ];
}

/** A small grey line of plain text (escaped here). */
export function note(text: string | undefined): ContextBlock[] {
  return text === undefined ? [] : context(escapeText(text));
}

/** A bulleted list, each item escaped. */
export function bullets(items: readonly string[]): string {
  return items.map((item) => `• ${escapeText(item)}`).join('\n');
}

export const divider = (): DividerBlock => ({ type: 'divider' });
