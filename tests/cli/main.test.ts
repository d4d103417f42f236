import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DECK_USAGE, SIMULATE_USAGE, USAGE } from '../../src/cli/usage.ts';
import type { Deck } from '../../src/core/deck/schema.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_DECK_FILE = join(ROOT, 'decks', 'baeredygtigt-arbejdsmiljoe.json');
const TINY_DECK_FILE = join(ROOT, 'tests', 'fixtures', 'tiny-deck.json');

const tmp = mkdtempSync(join(tmpdir(), 'dialogrunde-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function tempFile(name: string, content: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** Runs the command line in-process and collects what it writes. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function readDeck(path: string): Deck {
  return JSON.parse(readFileSync(path, 'utf8')) as Deck;
}

const cardsOf = (deck: Deck) => deck.areas.flatMap((a) => a.missions.flatMap((m) => m.cards));

describe('help and version', () => {
  it.each([[], ['help'], ['--help'], ['-h']])(
    '%j prints the usage and exits 0',
    async (...argv) => {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.out).toBe(USAGE);
      expect(r.err).toBe('');
    },
  );

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.out).toBe(pkg.version);
  });

  it('simulate --help and deck --help print their own usage', async () => {
    expect(await run('simulate', '--help')).toMatchObject({ code: 0, out: SIMULATE_USAGE });
    expect(await run('deck', '--help')).toMatchObject({ code: 0, out: DECK_USAGE });
    expect(await run('deck')).toMatchObject({ code: 0, out: DECK_USAGE });
  });

  it('an unknown command exits 2 and names it', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('unknown command "frobnicate"');
    expect(r.err).toContain('Usage:');
  });
});

describe('simulate: bad options exit 2 with a clear message', () => {
  it.each([
    [['--participants', 'x'], '--participants must be a whole number from 2 to 500 (got "x")'],
    [['--participants', '1'], '--participants must be a whole number from 2 to 500 (got "1")'],
    [['--participants', '2.5'], '--participants must be a whole number from 2 to 500 (got "2.5")'],
    [['--seed=-1'], '--seed must be a whole number from 0 to 2147483648 (got "-1")'],
    [['--lang', 'fr'], '--lang must be one of da, en (got "fr")'],
    [['--mode', 'later'], '--mode must be one of sync, async (got "later")'],
    [['--k', '2'], '--k must be a whole number from 3 to 50 (got "2")'],
    [['--foo'], "Unknown option '--foo'"],
    [['stray'], 'unexpected argument "stray"'],
    [['--participants'], "Option '--participants <value>' argument missing"],
  ])('%j', async (args, message) => {
    const r = await run('simulate', ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('unexpected failure');
  });

  it('a missing --votes file is named', async () => {
    const missing = join(tmp, 'no-such-votes.json');
    const r = await run('simulate', '--votes', missing);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${missing}: cannot be read as JSON`);
  });

  it('a --votes file that is not JSON is named', async () => {
    const file = tempFile('broken-votes.json', '{"ratings": ');
    const r = await run('simulate', '--votes', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: cannot be read as JSON`);
  });

  it('a rating of 7 is refused with the file and the path of the entry', async () => {
    const file = tempFile('votes-7.json', { ratings: { mentorordninger: [4, 7] } });
    const r = await run('simulate', '--votes', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: ratings.mentorordninger[1]:`);
    expect(r.err).not.toContain('[0]');
  });

  it('unknown fields and card ids in a --votes file are refused before the round runs', async () => {
    const extra = tempFile('votes-extra.json', { ratings: {}, prioritis: [] });
    const r1 = await run('simulate', '--votes', extra);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain(extra);

    const file = tempFile('votes-ids.json', {
      ratings: { mentorordningr: [1, 2, 3] },
      priorities: [['mentorordninger'], ['nope', 'a', 'b', 'c']],
    });
    const r2 = await run('simulate', '--votes', file);
    expect(r2.code).toBe(2);
    expect(r2.err.split('\n')).toEqual([
      `${file}: ratings.mentorordningr: no card "mentorordningr" in deck "baeredygtigt-arbejdsmiljoe"`,
      `${file}: priorities[1]: at most 3 cards`,
      `${file}: priorities[1][0]: no card "nope" in deck "baeredygtigt-arbejdsmiljoe"`,
      `${file}: priorities[1][1]: no card "a" in deck "baeredygtigt-arbejdsmiljoe"`,
      `${file}: priorities[1][2]: no card "b" in deck "baeredygtigt-arbejdsmiljoe"`,
      `${file}: priorities[1][3]: no card "c" in deck "baeredygtigt-arbejdsmiljoe"`,
    ]);
  });

  it('a valid small run exits 0', async () => {
    const r = await run('simulate', '--participants', '3', '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.split('\n')[0]).toContain('· 3 participants · seed 1 · sync');
  });
});

describe('deck validate', () => {
  it('without FILE exits 2 and says what is missing', async () => {
    const r = await run('deck', 'validate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('deck validate needs a FILE');
  });

  it('a missing file exits 2 naming it', async () => {
    const missing = join(tmp, 'no-such-deck.json');
    const r = await run('deck', 'validate', missing);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`no such file: ${missing}`);
  });

  it('a file that is not JSON is one problem at the root', async () => {
    const file = tempFile('not-json.json', 'nope {');
    const r = await run('deck', 'validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: 1 problem\n`);
    expect(r.err).toContain(`${file}: (root): not valid JSON`);
  });

  it('lists every problem of a broken deck with its path', async () => {
    const deck = readDeck(TINY_DECK_FILE);
    const broken = structuredClone(deck) as unknown as {
      areas: { color: string; missions: { cards: { title: { en: string } }[] }[] }[];
    };
    (broken.areas[0] as { color: string }).color = 'green';
    const card = broken.areas[1]?.missions[0]?.cards[0];
    if (!card) throw new Error('fixture changed');
    card.title.en = '   ';
    const file = tempFile('broken-deck.json', broken);
    const r = await run('deck', 'validate', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')).toEqual([
      `${file}: 2 problems`,
      `${file}: areas[0].color: must be a colour like #1f7a5c`,
      `${file}: areas[1].missions[0].cards[0].title.en: must not be empty`,
    ]);
  });

  it('reports a duplicate id together with a shape problem', async () => {
    const deck = structuredClone(readDeck(TINY_DECK_FILE)) as unknown as Record<string, unknown>;
    const areas = deck.areas as { id: string; missions: { id: string }[] }[];
    (areas[1]?.missions[0] as { id: string }).id = 'ledere';
    deck.version = 0;
    const file = tempFile('dup-deck.json', deck);
    const r = await run('deck', 'validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}: 2 problems`);
    expect(r.err).toContain(`${file}: version:`);
    expect(r.err).toContain(
      `${file}: areas[1].missions[0].id: id "ledere" is already used at areas[0].missions[0].id`,
    );
  });

  it('the default deck is valid: 3 areas, 9 missions, 30 cards', async () => {
    const r = await run('deck', 'validate', DEFAULT_DECK_FILE);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      `${DEFAULT_DECK_FILE}: valid deck "baeredygtigt-arbejdsmiljoe" – 3 areas, 9 missions, 30 cards`,
    );
  });

  it('an extra argument or an unknown subcommand exits 2', async () => {
    expect(await run('deck', 'validate', 'a.json', 'b.json')).toMatchObject({ code: 2 });
    const r = await run('deck', 'frob');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown deck command "frob"');
  });
});

describe('deck show', () => {
  const deck = readDeck(DEFAULT_DECK_FILE);
  const cards = cardsOf(deck);

  it('prints every card title of the default deck in Danish', async () => {
    expect(cards).toHaveLength(30);
    const r = await run('deck', 'show');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      `${deck.title.da} (baeredygtigt-arbejdsmiljoe, version ${deck.version})`,
    );
    for (const card of cards) expect(r.out).toContain(`    - ${card.title.da} [${card.id}]`);
    for (const area of deck.areas) expect(r.out).toContain(`${area.title.da} [${area.id}]`);
  });

  it('prints English titles with --lang en', async () => {
    const r = await run('deck', 'show', '--lang', 'en');
    expect(r.code).toBe(0);
    for (const card of cards) {
      expect(r.out).toContain(`    - ${card.title.en} [${card.id}]`);
      if (card.title.en !== card.title.da) {
        expect(r.out).not.toContain(`    - ${card.title.da} [${card.id}]`);
      }
    }
  });

  it('shows the built-in deck by id and a deck file by path', async () => {
    expect((await run('deck', 'show', 'baeredygtigt-arbejdsmiljoe')).code).toBe(0);
    const r = await run('deck', 'show', TINY_DECK_FILE, '--lang', 'en');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Test deck (test-deck, version 1)');
    expect(r.out).toContain('    - Presence factors [naervaer]');
  });

  it('an unknown deck id exits 2 and lists the built-in decks', async () => {
    const r = await run('deck', 'show', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toBe('no deck "nope". Built-in decks: baeredygtigt-arbejdsmiljoe');
  });

  it('--lang fr exits 2', async () => {
    const r = await run('deck', 'show', '--lang', 'fr');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--lang must be one of da, en (got "fr")');
  });
});

describe('secret', () => {
  it('prints a long URL-safe random string, different each time', async () => {
    const a = await run('secret');
    const b = await run('secret');
    expect(a.code).toBe(0);
    expect(a.out).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(b.out).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(a.out).not.toBe(b.out);
  });
});

describe('bin/dialogrunde.js', () => {
  it('runs on the current Node', () => {
    const out = execFileSync(process.execPath, ['bin/dialogrunde.js', '--version'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('explains itself and exits non-zero on a Node older than 22.13', () => {
    const old = '/usr/bin/node';
    if (!existsSync(old)) return;
    const version = execFileSync(old, ['--version'], { encoding: 'utf8' }).trim();
    const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
    if (major > 22 || (major === 22 && minor >= 13)) return;
    const r = spawnSync(old, ['bin/dialogrunde.js', 'simulate'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('needs Node.js 22.13');
    expect(r.stderr).toContain(version);
    expect(r.stdout).toBe('');
  });
});
