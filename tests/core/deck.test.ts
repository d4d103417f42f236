import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import deck from '../../decks/baeredygtigt-arbejdsmiljoe.json' with { type: 'json' };
import type { Deck } from '../../src/core/deck/schema.ts';
import { type DeckProblem, formatProblems, validateDeck } from '../../src/core/deck/validate.ts';
import { STEPS } from '../../src/core/model.ts';

const GUIDE_PATH = '/work/shared/seeds/001_4aa8e082d17b363a.txt';
const FILE = 'decks/broken.json';

/** The structure of DESIGN.md §3: area → mission → card titles (da), in order. */
const EXPECTED: [string, [string, string[]][]][] = [
  [
    'Udvikling',
    [
      [
        'Ledere',
        [
          'Mentorordninger',
          'Kompetenceudvikling for ledere',
          'Interne lederfora',
          'Eksterne ledernetværk',
        ],
      ],
      [
        'Medarbejdere',
        [
          'Supervision og sparring',
          'Kompetenceudvikling for medarbejdere',
          'Fokus på fysisk arbejdsevne',
          'Fokus på mental arbejdsevne',
        ],
      ],
      [
        'Organisation',
        [
          'Fokus på kerneopgaven',
          'Høj social kapital og arbejdsfællesskab',
          'Rammer for videndeling',
        ],
      ],
    ],
  ],
  [
    'Rummelighed',
    [
      [
        'Mangfoldighed',
        [
          'Ansættelsespolitik i forhold til etnicitet',
          'Ansættelsespolitik i forhold til alder',
          'Ansættelsespolitik i forhold til køn',
        ],
      ],
      ['Indslusning på arbejdsmarkedet', ['Personer under uddannelse', 'Elever og voksenelever']],
      [
        'Plads til flere på arbejdsmarkedet',
        [
          'Jobordninger',
          'Jobs for personer med nedsat funktionsevne',
          'Jobs og opgaver for personer i virksomhedspraktik',
        ],
      ],
    ],
  ],
  [
    'Fastholdelse',
    [
      [
        'Trivsel på arbejdspladsen',
        ['Omsorgssamtaler', 'Nærværsfaktorer', 'Åben og retfærdig organisering af arbejdet'],
      ],
      [
        'Fysisk sundhed',
        ['Håndtering af fysisk belastning', 'Sundhedsfremmende tiltag', 'Tilgang til teknologien'],
      ],
      [
        'Mental sundhed',
        [
          'Stop konflikter på arbejdspladsen',
          'Forebyggelse af vold',
          'Undgå stress',
          'Godt tilbage på job',
          'Livsfasepolitik og seniorpolitik',
        ],
      ],
    ],
  ],
];

const EXPECTED_STEP_TITLES = {
  intro: 'Introduktion',
  scope: 'Mødets omfang',
  status: 'Statusopsummering',
  rating: 'Placér dialogkortene',
  custom: 'Hvad har vi mere gjort?',
  priority: 'Bæredygtighed',
  summary: 'Opsamling og afrunding',
} as const;

function validDeck(): Deck {
  const result = validateDeck(deck, 'decks/baeredygtigt-arbejdsmiljoe.json');
  if (!result.ok) throw new Error(`default deck is invalid:\n${formatProblems(result.problems)}`);
  return result.deck;
}

const allCards = (d: Deck) => d.areas.flatMap((a) => a.missions.flatMap((m) => m.cards));

// --- breaking copies of the deck -------------------------------------------------------------

type Path = readonly (string | number)[];
const REMOVE = Symbol('remove');
type Edit = readonly [Path, unknown];

function isRecord(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A structuredClone of the default deck with each edit applied (REMOVE deletes the key). */
function broken(...edits: Edit[]): unknown {
  const copy: unknown = structuredClone(deck);
  for (const [path, value] of edits) {
    const key = path.at(-1);
    const parent = path.slice(0, -1).reduce<unknown>((node, part) => {
      if (!isRecord(node)) throw new Error(`no object at ${path.join('.')}`);
      return node[part];
    }, copy);
    if (key === undefined || !isRecord(parent)) throw new Error(`no parent for ${path.join('.')}`);
    if (value === REMOVE) delete parent[key];
    else parent[key] = value;
  }
  return copy;
}

function problemsOf(data: unknown): DeckProblem[] {
  const result = validateDeck(data, FILE);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

const CARD0: Path = ['areas', 0, 'missions', 0, 'cards', 0];

// --- copy check ------------------------------------------------------------------------------

let guideCache: string[] | undefined;

/** The guide, normalised; also a variant with words re-joined across hyphenated line breaks. */
function guideTexts(): string[] {
  if (!guideCache) {
    if (!existsSync(GUIDE_PATH)) {
      throw new Error(
        `The source guide is missing at ${GUIDE_PATH}; the copy check compares the deck's texts with it and cannot run without it.`,
      );
    }
    const raw = readFileSync(GUIDE_PATH, 'utf8');
    guideCache = [raw, raw.replace(/-[ \t]*\r?\n\s*/g, '')].map((t) => ` ${normalise(t)} `);
  }
  return guideCache;
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Every run of `n` consecutive words of `text` that also occurs in the guide. */
function copiedRuns(text: string, n = 8): string[] {
  const words = normalise(text).split(' ');
  const guides = guideTexts();
  const runs: string[] = [];
  for (let i = 0; i + n <= words.length; i++) {
    const run = words.slice(i, i + n).join(' ');
    if (guides.some((g) => g.includes(` ${run} `))) runs.push(run);
  }
  return runs;
}

// --- the default deck ------------------------------------------------------------------------

describe('the default deck', () => {
  it('validates, unchanged by the schema (no stray whitespace)', () => {
    const result = validateDeck(deck, 'decks/baeredygtigt-arbejdsmiljoe.json');
    expect(result.ok ? [] : formatProblems(result.problems)).toEqual([]);
    expect(result.ok && result.deck).toEqual(deck);
    expect(deck.id).toBe('baeredygtigt-arbejdsmiljoe');
    expect(deck.version).toBe(1);
  });

  it('has 3 areas, 9 missions and 30 cards', () => {
    const d = validDeck();
    expect(d.areas).toHaveLength(3);
    expect(d.areas.flatMap((a) => a.missions)).toHaveLength(9);
    expect(allCards(d)).toHaveLength(30);
  });

  it('has exactly the areas, missions and cards of the guide, in order', () => {
    const d = validDeck();
    const actual = d.areas.map((a) => [
      a.title.da,
      a.missions.map((m) => [m.title.da, m.cards.map((c) => c.title.da)]),
    ]);
    expect(actual).toEqual(EXPECTED);
  });

  it('uses unique ids across areas, missions and cards', () => {
    const d = validDeck();
    const ids = d.areas.flatMap((a) => [
      a.id,
      ...a.missions.flatMap((m) => [m.id, ...m.cards.map((c) => c.id)]),
    ]);
    expect(ids).toHaveLength(3 + 9 + 30);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
  });

  it('gives every card a title and a description in Danish and English', () => {
    for (const card of allCards(validDeck())) {
      expect(card.title.da.trim(), card.id).not.toBe('');
      expect(card.title.en.trim(), card.id).not.toBe('');
      expect(card.description.da.trim(), card.id).not.toBe('');
      expect(card.description.en.trim(), card.id).not.toBe('');
      expect(card.description.en, `${card.id}: English is a copy of Danish`).not.toBe(
        card.description.da,
      );
    }
  });

  it('gives the areas distinct colours that are readable with white text', () => {
    const d = validDeck();
    const colors = d.areas.map((a) => a.color.toLowerCase());
    expect(new Set(colors).size).toBe(3);
    for (const color of colors) expect(contrastWithWhite(color), color).toBeGreaterThanOrEqual(4.5);
  });

  it('has four guiding questions', () => {
    expect(validDeck().questions).toHaveLength(4);
  });

  it('has all seven steps, with their titles and a non-empty facilitator script', () => {
    const d = validDeck();
    expect(Object.keys(d.steps)).toEqual([...STEPS]);
    for (const step of STEPS) {
      const s = d.steps[step];
      expect(s.title.da, step).toBe(EXPECTED_STEP_TITLES[step]);
      expect(s.text.da.trim(), step).not.toBe('');
      expect(s.text.en.trim(), step).not.toBe('');
      expect(s.script.length, step).toBeGreaterThan(0);
      for (const line of s.script) {
        expect(line.da.trim(), step).not.toBe('');
        expect(line.en.trim(), step).not.toBe('');
      }
    }
  });
});

function contrastWithWhite(hex: string): number {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

describe('the deck is written in its own words', () => {
  it('the copy check catches a sentence taken from the guide', () => {
    const copied = 'Afsæt mindst 1 ½ time til dialogen, så grupperne har den nødvendige tid!';
    expect(copiedRuns(copied)).not.toEqual([]);
    // across a hyphenated line break in the guide ("rating-\nskemaet")
    expect(
      copiedRuns('Ud over måloversigten, dialogkortene og ratingskemaet kan I bruge opfølgningen'),
    ).not.toEqual([]);
    expect(copiedRuns('Helt egne ord om noget ganske andet end vejledningen skriver')).toEqual([]);
  });

  const d = validDeck();
  const cardTexts = allCards(d).map((c) => [c.id, c.description.da] as const);
  const stepTexts = STEPS.flatMap((step) => [
    [`${step}.text`, d.steps[step].text.da] as const,
    ...d.steps[step].script.map((line, i) => [`${step}.script[${i}]`, line.da] as const),
  ]);

  it.each(cardTexts)('card %s: no 8-word run from the guide', (_id, text) => {
    expect(copiedRuns(text)).toEqual([]);
  });

  it.each(stepTexts)('step %s: no 8-word run from the guide', (_id, text) => {
    expect(copiedRuns(text)).toEqual([]);
  });
});

// --- precise validation errors ---------------------------------------------------------------

describe('validateDeck on a broken deck', () => {
  it('reports a missing English card title at its path', () => {
    const problems = problemsOf(broken([[...CARD0, 'title', 'en'], REMOVE]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].missions[0].cards[0].title.en');
    expect(problems[0]?.problem).toMatch(/expected string/i);
  });

  it.each(['', '   '])('reports an empty Danish description (%j)', (value) => {
    const problems = problemsOf(broken([[...CARD0, 'description', 'da'], value]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].missions[0].cards[0].description.da');
    expect(problems[0]?.problem).toBe('must not be empty');
  });

  it('reports a duplicate card id at the second occurrence, naming the first', () => {
    const problems = problemsOf(
      broken([['areas', 0, 'missions', 1, 'cards', 2, 'id'], 'mentorordninger']),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].missions[1].cards[2].id');
    const message = problems[0]?.problem ?? '';
    expect(message).toContain('"mentorordninger"');
    // the first occurrence, written either as areas[0].… or areas.0.…
    expect(message.replace(/\[(\d+)\]/g, '.$1')).toContain('areas.0.missions.0.cards.0.id');
  });

  it('treats area, mission and card ids as one namespace', () => {
    const problems = problemsOf(broken([['areas', 2, 'missions', 0, 'id'], 'medarbejdere']));
    expect(problems.map((p) => p.path)).toEqual(['areas[2].missions[0].id']);
    expect(problems[0]?.problem).toContain('"medarbejdere"');
  });

  it('reports an id that is not a slug', () => {
    const problems = problemsOf(broken([[...CARD0, 'id'], 'Mentor_ordninger']));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].missions[0].cards[0].id');
    expect(problems[0]?.problem).toMatch(/slug/);
  });

  it('rejects an unknown property', () => {
    const problems = problemsOf(broken([[...CARD0, 'note'], 'x']));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].missions[0].cards[0]');
    expect(problems[0]?.problem).toMatch(/unrecognized key/i);
    expect(problems[0]?.problem).toContain('note');
  });

  it('reports a missing step', () => {
    const problems = problemsOf(broken([['steps', 'summary'], REMOVE]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('steps.summary');
    expect(problems[0]?.problem).toMatch(/expected object/i);
  });

  it('reports a bad area colour', () => {
    const problems = problemsOf(broken([['areas', 0, 'color'], 'green']));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[0].color');
    expect(problems[0]?.problem).toMatch(/colour like #/);
  });

  it('reports a mission with no cards', () => {
    const problems = problemsOf(broken([['areas', 1, 'missions', 2, 'cards'], []]));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.path).toBe('areas[1].missions[2].cards');
    expect(problems[0]?.problem).toBe('a mission needs at least one card');
  });

  it('reports every problem at once, each with the file it came from', () => {
    const problems = problemsOf(
      broken(
        [[...CARD0, 'title', 'en'], REMOVE],
        [['areas', 0, 'color'], 'green'],
        [['steps', 'summary'], REMOVE],
        [['areas', 2, 'missions', 1, 'cards'], []],
        [['areas', 1, 'missions', 0, 'cards', 1, 'note'], 'x'],
        [['areas', 2, 'missions', 2, 'cards', 0, 'description', 'da'], ''],
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'areas[0].missions[0].cards[0].title.en',
        'areas[0].color',
        'steps.summary',
        'areas[2].missions[1].cards',
        'areas[1].missions[0].cards[1]',
        'areas[2].missions[2].cards[0].description.da',
      ].sort(),
    );
    for (const p of problems) expect(p.file).toBe(FILE);
  });

  it('reports a duplicate id together with other problems in the values', () => {
    const problems = problemsOf(
      broken(
        [['areas', 0, 'color'], 'green'],
        [[...CARD0, 'description', 'da'], ''],
        [['areas', 0, 'missions', 1, 'cards', 2, 'id'], 'mentorordninger'],
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        'areas[0].color',
        'areas[0].missions[0].cards[0].description.da',
        'areas[0].missions[1].cards[2].id',
      ].sort(),
    );
    for (const p of problems) expect(p.file).toBe(FILE);
  });

  it('formatProblems prints one "file: path: problem" line per problem', () => {
    const problems = problemsOf(
      broken([['areas', 0, 'color'], 'green'], [['steps', 'summary'], REMOVE]),
    );
    const lines = formatProblems(problems).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toContain('decks/broken.json: areas[0].color: must be a colour like #1f7a5c');
    expect(lines).toEqual(problems.map((p) => `${FILE}: ${p.path}: ${p.problem}`));
  });
});
