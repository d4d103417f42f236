import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CardJson, cardFor, templatePath, VIEW_KINDS } from '../../src/channels/cards/bind.ts';
import { buildSamples, type Sample } from './samples.ts';

/*
 * Validation against a JSON Schema of Adaptive Cards 1.5. No npm package reachable here
 * ships the official schema file, and we do not copy it from anywhere: the schema in
 * tests/schemas/ is our own, written from the public Adaptive Cards 1.5 specification,
 * for exactly the elements, inputs, actions and properties our templates use, strictly
 * (no unknown properties, enums for enumerated values). templates.test.ts checks the
 * same cards with the adaptivecards library's parser; the two complement each other.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMA_FILE = new URL('../schemas/adaptive-card-1.5-subset.schema.json', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as JsonObject;

/** A template expression such as `${title}` or `${if(x, 'Good', 'Accent')}`. */
const EXPRESSION: JsonObject = { type: 'string', pattern: '\\$\\{' };

/**
 * The schema for raw templates (before binding): every constrained value (an enum, a
 * constant, a pattern, a boolean or number) may instead be a template expression, and
 * every object may carry the templating keys `$data` and `$when`. Element and action
 * `type`s stay literal, so a template is still checked element by element.
 */
function forTemplates(node: Json, map = false): Json {
  if (Array.isArray(node)) return node.map((n) => forTemplates(n));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (map) out[key] = key === 'type' ? value : forTemplates(value);
    else if (key === 'if') out[key] = value;
    else out[key] = forTemplates(value, key === 'properties' || key === '$defs');
  }
  if (map) return out;
  if (out.additionalProperties === false && isObject(out.properties))
    out.properties = { ...out.properties, $data: EXPRESSION, $when: EXPRESSION };
  const leaf =
    'enum' in out ||
    'const' in out ||
    'pattern' in out ||
    ['boolean', 'integer', 'number'].includes(String(out.type));
  return leaf ? { anyOf: [out, EXPRESSION] } : out;
}

function compile(schema: JsonObject): ValidateFunction {
  // strict: the schema itself must be clean (no unknown keywords, typed applicators).
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}

const validateCard = compile(SCHEMA);
const validateTemplate = compile({
  ...(forTemplates(SCHEMA) as JsonObject),
  $id: `${String(SCHEMA.$id)}:template`,
});

const describeError = (e: ErrorObject) =>
  `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;

/** The schema's errors, most specific first (ajv also reports the enclosing if/anyOf). */
function errors(validate: ValidateFunction, card: unknown): ErrorObject[] {
  return validate(card) ? [] : [...(validate.errors ?? [])];
}

function problems(validate: ValidateFunction, card: unknown): string[] {
  return errors(validate, card)
    .filter((e) => e.keyword !== 'if')
    .map(describeError);
}

describe('the Adaptive Cards 1.5 subset schema', () => {
  it('is our own draft 2020-12 schema and says so', () => {
    expect(SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(String(SCHEMA.$comment)).toMatch(/public Adaptive Cards 1\.5 specification/);
    expect(String(SCHEMA.$comment)).toMatch(/NOT the official/);
  });

  it('closes every object type and selects element and action definitions by type', () => {
    const defs = SCHEMA.$defs as JsonObject;
    for (const [name, def] of Object.entries(defs)) {
      if (!isObject(def) || def.type !== 'object' || !isObject(def.properties)) continue;
      if ('allOf' in def) continue; // Element, Action, SelectAction: selectors by `type`
      expect(def.additionalProperties, name).toBe(false);
    }
    for (const selector of ['Element', 'Action', 'SelectAction']) {
      const def = defs[selector] as JsonObject;
      const types = ((def.properties as JsonObject).type as JsonObject).enum as string[];
      expect((def.allOf as Json[]).length, selector).toBe(types.length);
    }
  });
});

describe('bound cards against the schema', () => {
  let samples: Sample[] = [];
  const bound = new Map<Sample, CardJson>();
  beforeAll(async () => {
    samples = await buildSamples();
    for (const sample of samples) bound.set(sample, cardFor(sample.view));
  });

  it('has samples of every view kind', () => {
    expect(new Set(samples.map((s) => s.view.kind)).size).toBe(VIEW_KINDS.length);
  });

  it.each(VIEW_KINDS)('%s: every bound sample is valid', (kind) => {
    const ofKind = samples.filter((s) => s.view.kind === kind);
    expect(ofKind.length).toBeGreaterThan(0);
    const found = ofKind.flatMap((s) =>
      problems(validateCard, bound.get(s)).map((p) => `${s.name}: ${p}`),
    );
    expect(found.slice(0, 20)).toEqual([]);
  });
});

describe('raw templates against the schema (expressions allowed as values)', () => {
  it.each(VIEW_KINDS)('%s: the template is valid', (kind) => {
    const template = JSON.parse(readFileSync(templatePath(kind), 'utf8')) as unknown;
    expect(problems(validateTemplate, template)).toEqual([]);
  });

  it('still rejects unknown properties, wrong types and wrong literal values', () => {
    /** `${name}`, written without a template-looking string literal. */
    const expr = (name: string) => ['$', '{', name, '}'].join('');
    const check = (element: JsonObject) =>
      problems(validateTemplate, {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ $when: expr('ok'), ...element }],
      });
    expect(check({ type: 'TextBlock', text: expr('t'), size: expr('s'), wrap: expr('w') })).toEqual(
      [],
    );
    expect(check({ type: 'TextBlock', text: 'x', colour: expr('c') })).not.toEqual([]);
    expect(check({ type: 'TextBlock', text: 'x', size: 'huge' })).not.toEqual([]);
    expect(check({ type: 'TextBlock', text: 'x', wrap: 'yes' })).not.toEqual([]);
    expect(check({ type: expr('kind'), text: 'x' })).not.toEqual([]);
    expect(check({ type: 'TextBlock', $where: expr('x'), text: 'x' })).not.toEqual([]);
  });
});

/** A valid card with an element, an input and a button of each kind the mutations below touch. */
function baseCard(): JsonObject {
  const submit = { type: 'Action.Submit', title: 'Go', data: { command: 'go' } };
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: 'Go',
    refresh: {
      action: { type: 'Action.Execute', verb: 'refresh', fallback: 'drop' },
      userIds: ['29:1'],
    },
    body: [
      { type: 'TextBlock', text: 'Hello', size: 'Large', weight: 'bolder', wrap: true },
      { type: 'Input.Text', id: 'note', label: 'Note', isMultiline: true, maxLength: 500 },
      {
        type: 'ColumnSet',
        columns: [
          { type: 'Column', width: '20px', items: [] },
          { type: 'Column', width: 2, items: [] },
          { type: 'Column', width: 'stretch' },
        ],
      },
    ],
    actions: [
      {
        type: 'Action.Execute',
        title: 'Go',
        verb: 'go',
        data: { command: 'go' },
        fallback: submit,
      },
      {
        type: 'Action.ShowCard',
        title: 'More',
        card: { type: 'AdaptiveCard', body: [{ type: 'Input.Date', id: 'due', label: 'When' }] },
      },
    ],
  };
}

interface Case {
  name: string;
  change: (card: JsonObject) => void;
  path: string;
  keyword: string;
  params?: Record<string, unknown>;
}

const at = (card: JsonObject, ...path: (string | number)[]): JsonObject =>
  path.reduce<Json>(
    (node, key) => (node as Record<string | number, Json>)[key] as Json,
    card,
  ) as JsonObject;

const CASES: Case[] = [
  {
    name: 'an unknown property (colour)',
    change: (c) => {
      at(c, 'body', 0).colour = 'good';
    },
    path: '/body/0',
    keyword: 'additionalProperties',
    params: { additionalProperty: 'colour' },
  },
  {
    name: 'a value outside the enum (size "huge")',
    change: (c) => {
      at(c, 'body', 0).size = 'huge';
    },
    path: '/body/0/size',
    keyword: 'enum',
  },
  {
    name: 'an enum value in neither spelling of the spec ("BOLDER")',
    change: (c) => {
      at(c, 'body', 0).weight = 'BOLDER';
    },
    path: '/body/0/weight',
    keyword: 'enum',
  },
  {
    name: 'a TextBlock without text',
    change: (c) => {
      delete at(c, 'body', 0).text;
    },
    path: '/body/0',
    keyword: 'required',
    params: { missingProperty: 'text' },
  },
  {
    name: 'an input without id',
    change: (c) => {
      delete at(c, 'body', 1).id;
    },
    path: '/body/1',
    keyword: 'required',
    params: { missingProperty: 'id' },
  },
  {
    name: 'an input without id inside a ShowCard',
    change: (c) => {
      delete at(c, 'actions', 1, 'card', 'body', 0).id;
    },
    path: '/actions/1/card/body/0',
    keyword: 'required',
    params: { missingProperty: 'id' },
  },
  {
    name: 'version "1.6"',
    change: (c) => {
      c.version = '1.6';
    },
    path: '/version',
    keyword: 'const',
  },
  {
    name: 'no version on the top-level card',
    change: (c) => {
      delete c.version;
    },
    path: '/',
    keyword: 'required',
    params: { missingProperty: 'version' },
  },
  {
    name: 'an Action.Execute fallback string other than "drop"',
    change: (c) => {
      at(c, 'actions', 0).fallback = 'hide';
    },
    path: '/actions/0/fallback',
    keyword: 'anyOf',
  },
  {
    name: 'an Action.Execute fallback that is not an Action.Submit',
    change: (c) => {
      at(c, 'actions', 0).fallback = { type: 'Action.OpenUrl', url: 'https://example.org' };
    },
    path: '/actions/0/fallback/type',
    keyword: 'const',
  },
  {
    name: 'refresh.userIds with 61 entries',
    change: (c) => {
      at(c, 'refresh').userIds = Array.from({ length: 61 }, (_, i) => `29:${i}`);
    },
    path: '/refresh/userIds',
    keyword: 'maxItems',
  },
  {
    name: 'a wrong element type ("Textblock")',
    change: (c) => {
      at(c, 'body', 0).type = 'Textblock';
    },
    path: '/body/0/type',
    keyword: 'enum',
  },
  {
    name: 'a wrong action type ("Action.Http")',
    change: (c) => {
      at(c, 'actions', 0).type = 'Action.Http';
    },
    path: '/actions/0/type',
    keyword: 'enum',
  },
  {
    name: 'a column width that is neither keyword, weight nor pixels',
    change: (c) => {
      at(c, 'body', 2, 'columns', 0).width = 'wide';
    },
    path: '/body/2/columns/0/width',
    keyword: 'anyOf',
  },
  {
    name: 'a string where a boolean belongs (wrap "yes")',
    change: (c) => {
      at(c, 'body', 0).wrap = 'yes';
    },
    path: '/body/0/wrap',
    keyword: 'type',
  },
  {
    name: 'an Action.ShowCard without card',
    change: (c) => {
      delete at(c, 'actions', 1).card;
    },
    path: '/actions/1',
    keyword: 'required',
    params: { missingProperty: 'card' },
  },
];

describe('the schema bites', () => {
  it('accepts the base card (ShowCard card without version, PascalCase and camelCase enums)', () => {
    expect(problems(validateCard, baseCard())).toEqual([]);
  });

  it('accepts refresh.userIds with exactly 60 entries', () => {
    const card = baseCard();
    at(card, 'refresh').userIds = Array.from({ length: 60 }, (_, i) => `29:${i}`);
    expect(problems(validateCard, card)).toEqual([]);
  });

  it.each(CASES)('rejects $name at $path', ({ change, path, keyword, params }) => {
    const card = baseCard();
    change(card);
    const found = errors(validateCard, card);
    expect(found.length).toBeGreaterThan(0);
    const match = found.find(
      (e) =>
        (e.instancePath || '/') === path &&
        e.keyword === keyword &&
        Object.entries(params ?? {}).every(
          ([k, v]) => (e.params as Record<string, unknown>)[k] === v,
        ),
    );
    expect(match, found.map(describeError).join('\n')).toBeDefined();
    // Nothing off the changed node's path is blamed (only it, its parents and its children).
    const segments = (p: string) => p.split('/').filter(Boolean);
    const changed = segments(path);
    for (const e of found) {
      const blamed = segments(e.instancePath);
      const shared = Math.min(blamed.length, changed.length);
      expect(blamed.slice(0, shared), describeError(e)).toEqual(changed.slice(0, shared));
    }
  });
});
