import { existsSync } from 'node:fs';
import { DEFAULT_DECK_ID, DeckCatalog, DeckError, loadDeckFile } from '../app/decks.ts';
import type { Deck } from '../core/deck/schema.ts';
import type { Lang } from '../core/model.ts';
import { CliError } from './errors.ts';

export function validateCommand(file: string | undefined): string {
  if (!file)
    throw new CliError('deck validate needs a FILE, e.g. dialogrunde deck validate my-deck.json');
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  try {
    const deck = loadDeckFile(file);
    const cards = deck.areas.flatMap((a) => a.missions.flatMap((m) => m.cards)).length;
    const missions = deck.areas.flatMap((a) => a.missions).length;
    return `${file}: valid deck "${deck.id}" – ${deck.areas.length} areas, ${missions} missions, ${cards} cards`;
  } catch (error) {
    if (error instanceof DeckError) {
      const count = error.problems.length;
      throw new CliError(
        `${file}: ${count} problem${count === 1 ? '' : 's'}\n${error.message.split('\n').slice(1).join('\n')}`,
      );
    }
    throw error;
  }
}

export function showCommand(idOrFile: string | undefined, lang: Lang): string {
  const deck = findDeck(idOrFile ?? DEFAULT_DECK_ID);
  return formatDeck(deck, lang);
}

function findDeck(idOrFile: string): Deck {
  if (idOrFile.endsWith('.json') || existsSync(idOrFile)) {
    try {
      return loadDeckFile(idOrFile);
    } catch (error) {
      if (error instanceof DeckError) throw new CliError(error.message);
      throw error;
    }
  }
  const catalog = DeckCatalog.load();
  const deck = catalog.get(idOrFile);
  if (!deck) {
    const known = catalog
      .list()
      .map((d) => d.id)
      .join(', ');
    throw new CliError(`no deck "${idOrFile}". Built-in decks: ${known}`);
  }
  return deck;
}

export function formatDeck(deck: Deck, lang: Lang): string {
  const lines = [
    `${deck.title[lang]} (${deck.id}, version ${deck.version})`,
    deck.description[lang],
    '',
  ];
  for (const area of deck.areas) {
    lines.push(`${area.title[lang]} [${area.id}]`);
    for (const mission of area.missions) {
      lines.push(`  ${mission.title[lang]} [${mission.id}]`);
      for (const card of mission.cards) {
        lines.push(`    - ${card.title[lang]} [${card.id}]`, `      ${card.description[lang]}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
