import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_DECKS_DIR,
  DEFAULT_DECK_ID,
  DeckCatalog,
  DeckError,
  loadDeckFile,
} from '../../src/app/decks.ts';

const DEFAULT_FILE = join(BUILTIN_DECKS_DIR, `${DEFAULT_DECK_ID}.json`);

function deckError(path: string): DeckError {
  try {
    loadDeckFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(DeckError);
    return error as DeckError;
  }
  throw new Error('expected loadDeckFile to throw');
}

describe('DeckCatalog', () => {
  it('loads the default deck: 3 areas, 9 missions, 30 cards', () => {
    const catalog = DeckCatalog.load();
    const deck = catalog.get(DEFAULT_DECK_ID);
    expect(deck).toBeDefined();
    if (!deck) return;
    expect(catalog.list().map((d) => d.id)).toContain(DEFAULT_DECK_ID);
    expect(deck.areas).toHaveLength(3);
    const missions = deck.areas.flatMap((a) => a.missions);
    expect(missions).toHaveLength(9);
    expect(missions.flatMap((m) => m.cards)).toHaveLength(30);
    expect(catalog.get('constructor')).toBeUndefined();
  });

  describe('with deck files in a directory', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'dialogrunde-decks-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('adds extra decks and ignores non-JSON files', () => {
      const deck = JSON.parse(readFileSync(DEFAULT_FILE, 'utf8'));
      deck.id = 'extra-deck';
      writeFileSync(join(dir, 'extra.json'), JSON.stringify(deck));
      writeFileSync(join(dir, 'README.md'), 'not a deck');
      const catalog = DeckCatalog.load([BUILTIN_DECKS_DIR, dir]);
      expect(catalog.get('extra-deck')).toBeDefined();
      expect(catalog.get(DEFAULT_DECK_ID)).toBeDefined();
    });

    it('reports a file that is not JSON', () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{ "id": "broken", ');
      const error = deckError(file);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatchObject({ file, path: '(root)' });
      expect(error.problems[0]?.problem).toMatch(/not valid JSON/);
      expect(error.message).toContain(file);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it('reports a missing file as unreadable', () => {
      const file = join(dir, 'missing.json');
      const error = deckError(file);
      expect(error.problems[0]).toMatchObject({ file, path: '(root)', problem: 'cannot be read' });
    });

    it('names the file and the JSON path of a missing field', () => {
      const deck = JSON.parse(readFileSync(DEFAULT_FILE, 'utf8'));
      delete deck.areas[0].missions[1].cards[2].title;
      delete deck.areas[2].color;
      const file = join(dir, 'missing-field.json');
      writeFileSync(file, JSON.stringify(deck));
      const error = deckError(file);
      const paths = error.problems.map((p) => p.path);
      expect(paths).toContain('areas[0].missions[1].cards[2].title');
      expect(paths).toContain('areas[2].color');
      for (const p of error.problems) expect(p.file).toBe(file);
      expect(error.message).toContain(`${file}: areas[0].missions[1].cards[2].title`);
    });

    it('fails DeckCatalog.load on a broken file in a directory', () => {
      writeFileSync(join(dir, 'bad.json'), '[]');
      expect(() => DeckCatalog.load([dir])).toThrow(DeckError);
    });
  });
});
