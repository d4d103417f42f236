import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bindCard,
  CARDS_DIR,
  type CardJson,
  cardFor,
  GENERAL_AREA_VALUE,
  TEMPLATE_NAMES,
  templateName,
  templatePath,
  VIEW_KINDS,
} from '../../src/channels/cards/bind.ts';
import type { StatusView, ViewKind, ViewModel } from '../../src/core/views/types.ts';
import { isObject, type Json, type JsonObject, roundTripLosses } from './round-trip.ts';
import { buildSamples, HOSTILE_NOTE, type Sample } from './samples.ts';

/*
 * adaptivecards 3.0.6: `lib/` is ES modules with extensionless imports (written for
 * bundlers), which Node cannot load ("Cannot find module .../lib/strings"). The UMD
 * bundle in `dist/` loads in Node through require and needs no DOM to parse, validate
 * and serialise a card (only rendering does), so no happy-dom/jsdom. Types come from lib/.
 */
const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof AdaptiveCards;

/*
 * No npm package reachable here ships the official Adaptive Cards 1.5 JSON schema
 * (checked: adaptivecards, adaptivecards-templating, adaptivecards-designer — an old
 * draft-06 schema without Action.Execute —, @microsoft/adaptivecards-tools,
 * @microsoft/app-manifest, @microsoft/teams-manifest, @microsoft/teamsfx-api,
 * @microsoft/teamsfx-core, @microsoft/teams.cards, @microsoft/m365agentstoolkit-cli).
 * So the schema check is the library's own 1.5 parser, made strict: zero parse and
 * validation events, and a round trip (parse, then serialise) that keeps every property
 * we wrote — the parser silently drops unknown properties and values of the wrong type.
 */

const KB = 1024;
/** A template expression that the binding left as it was. */
const UNBOUND = /\$\{/;

const kebab = (kind: string) => kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every object in a card, with its JSON path. */
function* walk(node: Json, path = '$'): Generator<[JsonObject, string]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, `${path}[${i}]`);
  } else if (isObject(node)) {
    yield [node, path];
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${path}.${key}`);
  }
}

function* strings(node: Json): Generator<string> {
  if (typeof node === 'string') yield node;
  else if (Array.isArray(node)) for (const item of node) yield* strings(item);
  else if (isObject(node)) for (const value of Object.values(node)) yield* strings(value);
}

/** The card a client without Universal Actions sees: every Action.Execute replaced by its fallback. */
function withFallbacks(node: Json): Json {
  if (Array.isArray(node)) return node.map(withFallbacks);
  if (!isObject(node)) return node;
  if (node.type === 'Action.Execute' && node.fallback !== undefined)
    return withFallbacks(node.fallback);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withFallbacks(v)]));
}

interface Check {
  /** Parse and validation events reported by the library. */
  events: string[];
  /** Properties the library dropped or changed. */
  losses: string[];
}

function events(context: AdaptiveCards.SerializationContext): string[] {
  return Array.from({ length: context.eventCount }, (_, i) => {
    const e = context.getEventAt(i);
    return `${AC.ValidationEvent[e.event]}: ${e.message}`;
  });
}

/** Parses a bound card with the adaptivecards library, strictly, as Adaptive Cards 1.5. */
function checkWithLibrary(card: CardJson, universalActions = true): Check {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  if (!universalActions) {
    const actions = new AC.CardObjectRegistry<AdaptiveCards.Action>();
    AC.GlobalRegistry.populateWithDefaultActions(actions);
    actions.unregister('Action.Execute');
    context.setActionRegistry(actions);
  }
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const found = events(context);
  // Without Action.Execute each one is reported as unknown, then replaced by its fallback.
  const expected = universalActions ? [] : found.filter((e) => e.startsWith('UnknownActionType'));
  const validation = parsed
    .validateProperties()
    .validationEvents.map((e) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
  const serialised = parsed.toJSON(new AC.SerializationContext(AC.Versions.v1_5)) as Json;
  const losses: string[] = [];
  const source = (universalActions ? card : withFallbacks(card as Json)) as Json;
  roundTripLosses(source, serialised, '$', losses);
  return { events: [...found.filter((e) => !expected.includes(e)), ...validation], losses };
}

/** Our own rules for every card: actions, inputs, leftovers, size. */
function checkConventions(card: CardJson, view: ViewModel): string[] {
  const problems: string[] = [];
  const text = JSON.stringify(card);
  // User-written text may itself contain "${": that is data, shown as typed.
  const typed = [...strings(view as unknown as Json)].filter((s) => UNBOUND.test(s));
  const rest = typed.reduce((t, s) => t.replaceAll(JSON.stringify(s).slice(1, -1), ''), text);
  if (UNBOUND.test(rest)) problems.push('unbound template expression left in the card');
  if (Buffer.byteLength(text) >= 40 * KB) problems.push(`${Buffer.byteLength(text)} bytes`);
  const ids = new Set<string>();
  for (const [node, path] of walk(card as Json)) {
    const type = typeof node.type === 'string' ? node.type : '';
    if (type === 'Action.Submit' && !path.endsWith('.fallback'))
      problems.push(`${path}: Action.Submit without Action.Execute`);
    if (type === 'Action.Execute') {
      const fallback = node.fallback;
      if (!isObject(fallback) || fallback.type !== 'Action.Submit') {
        problems.push(`${path}: Action.Execute without an Action.Submit fallback`);
        continue;
      }
      const data = node.data;
      if (!isObject(data) || typeof data.command !== 'string' || data.command === '')
        problems.push(`${path}: data.command missing`);
      else if (node.verb !== data.command) problems.push(`${path}: verb is not the command`);
      if (JSON.stringify(fallback.data) !== JSON.stringify(data))
        problems.push(`${path}: fallback data differs`);
      if (fallback.title !== node.title || fallback.style !== node.style)
        problems.push(`${path}: fallback title or style differs`);
      if (typeof node.title !== 'string' || node.title.trim() === '')
        problems.push(`${path}: button without a title`);
    }
    if (type.startsWith('Input.')) {
      const id = String(node.id);
      if (ids.has(id)) problems.push(`${path}: duplicate input id ${id}`);
      ids.add(id);
      if (typeof node.label !== 'string' || node.label.trim() === '')
        problems.push(`${path}: input ${id} without a label`);
      if (node.isRequired === true && (typeof node.errorMessage !== 'string' || !node.errorMessage))
        problems.push(`${path}: required input ${id} without an error message`);
    }
    if (type === 'TextBlock' && (typeof node.text !== 'string' || node.text.trim() === ''))
      problems.push(`${path}: empty TextBlock`);
  }
  return problems;
}

function readTemplate(kind: ViewKind): JsonObject {
  return JSON.parse(readFileSync(templatePath(kind), 'utf8')) as JsonObject;
}

describe('card templates', () => {
  it('keeps one template name per view kind, in kebab case', () => {
    // `TEMPLATE_NAMES` is a Record<ViewKind, string>: a view kind without a template fails tsc.
    const kinds: ViewKind[] = VIEW_KINDS;
    expect(kinds.length).toBe(16);
    for (const kind of kinds) expect(templateName(kind)).toBe(kebab(kind));
  });

  it('has a file for every view kind and no stray templates', () => {
    const files = readdirSync(CARDS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const expected = Object.values(TEMPLATE_NAMES)
      .map((n) => `${n}.json`)
      .sort();
    expect(files).toEqual(expected);
  });

  it.each(VIEW_KINDS)('%s: valid JSON, Adaptive Cards 1.5, at most 25 KB', (kind) => {
    expect(statSync(templatePath(kind)).size).toBeLessThanOrEqual(25 * KB);
    const json = readTemplate(kind);
    expect(json.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(json.type).toBe('AdaptiveCard');
    expect(json.version).toBe('1.5');
  });

  it.each(VIEW_KINDS)('%s: every button is Action.Execute with a Submit fallback', (kind) => {
    // Checked on the template too, so a button hidden by `$when` in every sample is covered.
    for (const [node, path] of walk(readTemplate(kind))) {
      if (node.type === 'Action.Submit') expect(path).toMatch(/\.fallback$/);
      if (node.type !== 'Action.Execute') continue;
      expect(isObject(node.fallback) && node.fallback.type, path).toBe('Action.Submit');
      const fallback = node.fallback as JsonObject;
      expect(fallback.data, path).toEqual(node.data);
      expect(fallback.title, path).toBe(node.title);
    }
  });

  it('refuses a view of another kind', () => {
    const help = { kind: 'help', key: 'h', lang: 'da', title: 't', intro: 'i', commands: [] };
    // @ts-expect-error: the view must be of the template's kind
    expect(() => bindCard('error', { ...help, anonymity: 'a' })).toThrow(/help view/);
  });
});

describe('bound cards', () => {
  let samples: Sample[] = [];
  const bound = new Map<Sample, CardJson>();
  beforeAll(async () => {
    samples = await buildSamples();
    for (const sample of samples) bound.set(sample, cardFor(sample.view));
  });
  const card = (sample: Sample) => bound.get(sample) as CardJson;
  const ofKind = <K extends ViewKind>(kind: K) =>
    samples.filter((s) => s.view.kind === kind) as (Sample & {
      view: Extract<Sample['view'], { kind: K }>;
    })[];

  it('has realistic samples of every view kind', () => {
    const kinds = new Set(samples.map((s) => s.view.kind));
    expect([...kinds].sort()).toEqual([...VIEW_KINDS].sort());
    expect(samples.length).toBeGreaterThan(100);
  });

  it('binds every sample: nothing unbound, buttons with fallbacks, inputs labelled, < 40 KB', () => {
    const problems = samples.flatMap((s) =>
      checkConventions(card(s), s.view).map((p) => `${s.name}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it('parses every bound card with the adaptivecards library: no events, nothing dropped', () => {
    const problems = samples.flatMap((s) => {
      const { events, losses } = checkWithLibrary(card(s));
      return [...events, ...losses].map((p) => `${s.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it('still parses cleanly for clients without Universal Actions (Action.Submit fallback)', () => {
    const problems = samples.flatMap((s) => {
      const { events, losses } = checkWithLibrary(card(s), false);
      return [...events, ...losses].map((p) => `${s.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it('the strict check catches what the parser would silently drop', () => {
    const card = (...body: object[]) => ({ type: 'AdaptiveCard', version: '1.5', body });
    const unknown = checkWithLibrary(card({ type: 'Chart.Pie', id: 'p' }));
    expect(unknown.events.join('\n')).toMatch(/UnknownElementType/);
    const unlabelled = checkWithLibrary(card({ type: 'Input.Text', id: 'a', isRequired: true }));
    expect(unlabelled.events.join('\n')).toMatch(/RequiredInputsShouldHaveLabel/);
    const badEnum = checkWithLibrary(card({ type: 'TextBlock', text: 'x', color: 'purple' }));
    expect(badEnum.events.join('\n')).toMatch(/InvalidPropertyValue/);
    // Silently dropped by the parser: caught by the round trip.
    const { events, losses } = checkWithLibrary(
      card({ type: 'TextBlock', text: 'x', colour: 'Good', size: 5, wrap: 'yes' }),
    );
    expect(events).toEqual([]);
    expect(losses.join('\n')).toMatch(/colour/);
    expect(losses.join('\n')).toMatch(/size = 5/);
    expect(losses.join('\n')).toMatch(/wrap = "yes"/);
  });

  it('binding is repeatable (the cached template is not mutated)', () => {
    for (const sample of samples.slice(0, 20)) expect(cardFor(sample.view)).toEqual(card(sample));
  });

  it('vote buttons carry the card id and the rating as a string, only while the card is open', () => {
    for (const sample of ofKind('cardVote')) {
      const data = [...walk(card(sample) as Json)]
        .filter(([node]) => node.type === 'Action.Execute')
        .map(([node]) => node.data);
      const expected =
        sample.view.phase === 'open'
          ? ['1', '2', '3', '4', '5', 'na'].map((value) => ({
              command: 'vote',
              cardId: sample.view.cardId,
              value,
            }))
          : [];
      expect(data, sample.name).toEqual(expected);
    }
  });

  it('facilitator buttons: one per action, in order, value only when the action has one', () => {
    const styles = { primary: 'positive', danger: 'destructive' } as const;
    for (const sample of ofKind('facilitator')) {
      const actions = [...walk(card(sample) as Json)]
        .filter(([node]) => node.type === 'Action.Execute')
        .map(([node]) => ({ title: node.title, style: node.style, data: node.data }));
      expect(actions, sample.name).toEqual(
        sample.view.actions.map((a) => ({
          title: a.label,
          style: a.style ? styles[a.style] : 'default',
          data:
            a.value === undefined ? { command: a.command } : { command: a.command, value: a.value },
        })),
      );
    }
  });

  it('a withheld result shows only why, no distribution or band', () => {
    const withheld = ofKind('cardResult').filter((s) => !s.view.released);
    expect(withheld.length).toBeGreaterThan(0);
    for (const sample of withheld) {
      const text = JSON.stringify(card(sample));
      expect(text).toContain(JSON.stringify(sample.view.text));
      expect(text).not.toContain('█');
      expect(text).not.toContain(JSON.stringify(sample.view.bandLabel));
    }
    const released = ofKind('cardResult').filter((s) => s.view.released);
    expect(released.length).toBeGreaterThan(0);
    for (const sample of released) expect(JSON.stringify(card(sample))).toContain('█');
  });

  it('shows user-written text verbatim, never as template syntax', () => {
    const sample = samples.find((s) => s.name === 'status with hostile note');
    if (!sample) throw new Error('sample missing');
    const texts = [...walk(card(sample) as Json)].map(([node]) => node.text);
    expect(texts).toContain(`• ${HOSTILE_NOTE}`);
  });

  it('forms show only while their step takes input; afterwards a note says they are closed', () => {
    const formIds = { status: 'text', custom: 'title', priority: 'cardIds' } as const;
    for (const kind of ['status', 'custom', 'priority'] as const) {
      const samplesOfKind = ofKind(kind);
      expect(samplesOfKind.some((s) => s.view.open)).toBe(true);
      expect(samplesOfKind.some((s) => !s.view.open)).toBe(true);
      for (const sample of samplesOfKind) {
        const nodes = [...walk(card(sample) as Json)].map(([n]) => n);
        const inputs = nodes.filter((n) => n.id === formIds[kind]);
        const actions = nodes.filter((n) => n.type === 'Action.Execute');
        const note = nodes.filter((n) => n.text === sample.view.closedNote);
        if (sample.view.open) {
          expect(inputs, sample.name).toHaveLength(1);
          expect(note, sample.name).toHaveLength(0);
        } else {
          expect(inputs, sample.name).toHaveLength(0);
          expect(actions, sample.name).toHaveLength(0);
          expect(note, sample.name).toHaveLength(1);
        }
      }
    }
  });

  it('the status form offers every area and "general" (preselected)', () => {
    for (const sample of ofKind('status').filter((s) => s.view.open)) {
      const view: StatusView = sample.view;
      const [select] = [...walk(card(sample) as Json)].filter(([n]) => n.id === 'areaId');
      const general = view.groups.find((g) => g.areaId === null)?.title;
      expect(select?.[0].value).toBe(GENERAL_AREA_VALUE);
      expect(select?.[0].choices).toEqual([
        ...view.areaChoices.map((c) => ({ title: c.label, value: c.value })),
        { title: general, value: GENERAL_AREA_VALUE },
      ]);
    }
  });

  it('every text shown comes from the view model', () => {
    // Strings in a bound card that are not layout keywords must appear in the view model.
    const layout = new Set([
      'AdaptiveCard',
      '1.5',
      'http://adaptivecards.io/schemas/adaptive-card.json',
      GENERAL_AREA_VALUE,
    ]);
    const problems: string[] = [];
    for (const sample of samples) {
      const model = JSON.stringify(sample.view);
      for (const [node, path] of walk(card(sample) as Json)) {
        for (const key of ['text', 'title', 'label', 'errorMessage', 'value', 'fallbackText']) {
          const value = node[key];
          if (typeof value !== 'string' || layout.has(value)) continue;
          // Composed texts ("area · mission", "• note", "1. step", bars) are checked by part.
          const parts = value
            .replace(/^(•|☑|☐|\d+\.)\s/, '')
            .split(/ · | – |: /)
            .filter((p) => !/^[█▏]+$/.test(p));
          for (const part of parts)
            if (!model.includes(JSON.stringify(part).slice(1, -1)))
              problems.push(`${sample.name} ${path}.${key}: ${JSON.stringify(part)}`);
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });
});
