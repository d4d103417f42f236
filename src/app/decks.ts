import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deck } from '../core/deck/schema.ts';
import { type DeckProblem, formatProblems, validateDeck } from '../core/deck/validate.ts';

/** The decks shipped with the product. */
export const BUILTIN_DECKS_DIR = resolve(fileURLToPath(new URL('../../decks', import.meta.url)));
export const DEFAULT_DECK_ID = 'baeredygtigt-arbejdsmiljoe';

export class DeckError extends Error {
  readonly problems: DeckProblem[];
  constructor(problems: DeckProblem[], options?: { cause?: unknown }) {
    super(`invalid deck:\n${formatProblems(problems)}`, options);
    this.name = 'DeckError';
    this.problems = problems;
  }
}

/** Reads and validates one deck file; a broken file throws a DeckError listing every problem. */
export function loadDeckFile(path: string): Deck {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    const problem =
      cause instanceof SyntaxError ? `not valid JSON: ${cause.message}` : 'cannot be read';
    throw new DeckError([{ file: path, path: '(root)', problem }], { cause });
  }
  const result = validateDeck(data, path);
  if (!result.ok) throw new DeckError(result.problems);
  return result.deck;
}

/** The decks a deployment offers, by id. */
export class DeckCatalog {
  readonly #decks = new Map<string, Deck>();

  add(deck: Deck): void {
    this.#decks.set(deck.id, deck);
  }

  get(id: string): Deck | undefined {
    return this.#decks.get(id);
  }

  list(): Deck[] {
    return [...this.#decks.values()];
  }

  /** Built-in decks plus every `*.json` in the given directories. */
  static load(dirs: readonly string[] = [BUILTIN_DECKS_DIR]): DeckCatalog {
    const catalog = new DeckCatalog();
    for (const dir of dirs) {
      for (const name of readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()) {
        catalog.add(loadDeckFile(join(dir, name)));
      }
    }
    return catalog;
  }
}
