import type { Lang, Mode, Scope } from '../core/model.ts';

/*
 * The text commands every chat channel understands, platform-free:
 * `start [words…]`, `status`, `stop`, `slet`/`delete` (asks first), `help` (also
 * `hjælp`/`hjaelp`, or nothing).
 * Each channel finds the command text in its own envelope (mentions removed)
 * and answers in its own format.
 */

export type TextCommand =
  | { kind: 'start'; args: string[] }
  | { kind: 'status' }
  | { kind: 'stop' }
  /** Delete the newest round here: answered with a question, deleted only on the second press. */
  | { kind: 'delete' }
  | { kind: 'help' }
  | { kind: 'unknown'; word: string };

export interface StartOptions {
  deckId?: string;
  mode?: Mode;
  scope?: Scope;
  lang?: Lang;
}

/** Mode words of `start`. */
export const MODE_WORDS: Readonly<Record<string, Mode>> = {
  sync: 'sync',
  synkron: 'sync',
  møde: 'sync',
  async: 'async',
  asynkron: 'async',
};

/** Language words of `start`, for channels whose envelope carries no locale. */
export const LANG_WORDS: Readonly<Record<string, Lang>> = {
  da: 'da',
  dansk: 'da',
  en: 'en',
  english: 'en',
  engelsk: 'en',
};

/** A command from whitespace-collapsed text; the first word decides, case-insensitively. */
export function parseCommand(text: string): TextCommand {
  const [first = '', ...args] = text.split(' ').filter((w) => w !== '');
  const word = first.toLowerCase();
  switch (word) {
    case 'start':
      return { kind: 'start', args };
    case 'status':
      return { kind: 'status' };
    case 'stop':
      return { kind: 'stop' };
    case 'slet':
    case 'delete':
      return { kind: 'delete' };
    case 'help':
    case 'hjælp':
    case 'hjaelp':
    case '':
      return { kind: 'help' };
    default:
      return { kind: 'unknown', word };
  }
}

/** A table's entry for a word people typed: own keys only ("constructor" is no mode). */
function ownWord<T>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}

/**
 * `start` words in any order: a mode word, a language word (only with
 * `langs`), `all`/`alle`, a known deck id, and any other word an area id
 * (the core refuses unknown areas).
 */
export function parseStartArgs(
  args: readonly string[],
  isDeck: (id: string) => boolean,
  langs?: Readonly<Record<string, Lang>>,
): StartOptions {
  const options: StartOptions = {};
  for (const raw of args) {
    const word = raw.toLowerCase();
    const mode = ownWord(MODE_WORDS, word);
    const lang = langs && ownWord(langs, word);
    if (mode) options.mode = mode;
    else if (lang) options.lang = lang;
    else if (word === 'all' || word === 'alle') options.scope = { kind: 'all' };
    else if (isDeck(raw)) options.deckId = raw;
    else options.scope = { kind: 'area', areaId: word };
  }
  return options;
}
