/**
 * Every view kind as Teams gets it (`teamsCard`), for the default deck, with
 * the Teams-only parts at their largest (60 members in `refresh.userIds`, a
 * mentioned owner, the people picker, the summary's export links):
 * - well under Teams' 80 KB (DESIGN §6): below 40 KB;
 * - still valid Adaptive Cards 1.5 for the adaptivecards library's strict
 *   parser (as tests/cards checks the shared templates).
 *
 * Honest about host extensions: `refresh` is Adaptive Cards (1.4+) and stays
 * in the strict parse. `msteams` (width, mention entities) is a Teams
 * extension the library does not know: it is taken off before the parse and
 * its shape checked on its own. The people picker is an `Input.ChoiceSet` with
 * `choices: []` filled by Teams from `choices.data` (Data.Query, which the
 * library knows only from 1.6 on and whose empty `choices` it reports): it is
 * taken out of the 1.5 parse and parsed alone as 1.6, where the only event
 * allowed is the empty-choices one.
 */
import { createRequire } from 'node:module';
import type * as AdaptiveCards from 'adaptivecards';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CardJson, cardFor, VIEW_KINDS } from '../../src/channels/cards/bind.ts';
import {
  PEOPLE_PICKER_DATASET,
  REFRESH_USER_LIMIT,
  teamsCard,
  USER_SPECIFIC_KINDS,
} from '../../src/channels/teams/cards.ts';
import type { PlanView, ReminderView, ViewModel } from '../../src/core/views/types.ts';
import { isObject, type Json, type JsonObject, roundTripLosses } from '../cards/round-trip.ts';
import { buildSamples, type Sample } from '../cards/samples.ts';

const AC = createRequire(import.meta.url)(
  'adaptivecards/dist/adaptivecards.js',
) as typeof AdaptiveCards;

const KB = 1024;

function* walk(node: Json, path = '$'): Generator<[JsonObject, string]> {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* walk(item, `${path}[${i}]`);
  } else if (isObject(node)) {
    yield [node, path];
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${path}.${key}`);
  }
}

/** Teams user ids (MRIs) as long as real ones. */
const MEMBERS = Array.from(
  { length: REFRESH_USER_LIMIT },
  (_, n) => `29:1${Buffer.from(`member-${n}-`.padEnd(64, 'x')).toString('base64url')}`,
);

/** Realistic signed links (the summary's extra), as long as real ones. */
const LINK = (file: string) =>
  `https://dialogrunde.example.dk/x/r-0123456789abcdef/${file}?e=1767225600&s=${'a'.repeat(43)}`;
const EXPORT_LINKS = {
  png: LINK('maaloversigt.png'),
  csv: LINK('summary.csv'),
  md: LINK('minutes.md'),
  ics: LINK('plan.ics'),
};

/** A sample as Teams gets it, with every extra that applies. */
function teams(view: ViewModel): CardJson {
  return teamsCard(view, { refresh: { userIds: MEMBERS }, exportLinks: EXPORT_LINKS });
}

/** Values the library's serialiser leaves out because they are the default. */

/** Parse events, validation events and round-trip losses of the library's strict parse. */
function strictProblems(card: Json, version: AdaptiveCards.Version = AC.Versions.v1_5): string[] {
  const context = new AC.SerializationContext(version);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card as object, context);
  const found = Array.from({ length: context.eventCount }, (_, i) => {
    const e = context.getEventAt(i);
    return `${AC.ValidationEvent[e.event]}: ${e.message}`;
  });
  const validation = parsed
    .validateProperties()
    .validationEvents.map((e) => `${AC.ValidationEvent[e.event]}: ${e.message}`);
  const losses: string[] = [];
  const serialised = parsed.toJSON(new AC.SerializationContext(version)) as Json;
  roundTripLosses(card, serialised, '$', losses);
  return [...found, ...validation, ...losses];
}

const isPeoplePicker = (node: JsonObject) =>
  node.type === 'Input.ChoiceSet' && 'choices.data' in node;

/** The card without its Teams extensions, and what was taken out. */
function withoutTeamsExtensions(card: CardJson): {
  plain: JsonObject;
  msteams: Json | undefined;
  pickers: JsonObject[];
} {
  const copy = structuredClone(card) as JsonObject;
  const msteams = copy.msteams;
  delete copy.msteams;
  const pickers: JsonObject[] = [];
  const strip = (node: Json): Json => {
    if (Array.isArray(node)) {
      return node
        .filter((item) => {
          if (isObject(item) && isPeoplePicker(item)) {
            pickers.push(item);
            return false;
          }
          return true;
        })
        .map(strip);
    }
    if (!isObject(node)) return node;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strip(v)]));
  };
  return { plain: strip(copy) as JsonObject, msteams, pickers };
}

/** Text of every TextBlock in a card. */
const texts = (card: Json) =>
  [...walk(card)].filter(([n]) => n.type === 'TextBlock').map(([n]) => String(n.text));

describe('Teams cards (teamsCard) for every view kind of the default deck', () => {
  let samples: Sample[] = [];
  const cards = new Map<Sample, CardJson>();
  beforeAll(async () => {
    samples = await buildSamples();
    for (const sample of samples) cards.set(sample, teams(sample.view));
  });
  const card = (s: Sample) => cards.get(s) as CardJson;
  const ofKind = (kind: ViewModel['kind']) => samples.filter((s) => s.view.kind === kind);

  it('covers every view kind, including a reminder to a Teams user', () => {
    expect([...new Set(samples.map((s) => s.view.kind))].sort()).toEqual([...VIEW_KINDS].sort());
    expect(
      ofKind('reminder').some((s) => (s.view as ReminderView).ownerUser?.platform === 'teams'),
    ).toBe(true);
  });

  it('every card stays below 40 KB with 60 members in refresh.userIds', () => {
    const sizes = samples.map((s) => ({
      name: s.name,
      bytes: Buffer.byteLength(JSON.stringify(card(s))),
    }));
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    expect(largest.bytes, largest.name).toBeLessThan(40 * KB);
    // The user-specific cards really carry the 60 ids being measured.
    for (const s of samples.filter((x) => USER_SPECIFIC_KINDS.has(x.view.kind))) {
      expect((card(s).refresh as { userIds?: string[] }).userIds).toHaveLength(60);
    }
  });

  it('without the Teams extensions, every card passes the strict Adaptive Cards 1.5 parse (refresh included)', () => {
    const problems = samples.flatMap((s) => {
      const { plain } = withoutTeamsExtensions(card(s));
      return strictProblems(plain).map((p) => `${s.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it('msteams: full width; mentions only on reminders to a Teams user, each tag in the text', () => {
    for (const s of samples) {
      const { msteams } = withoutTeamsExtensions(card(s));
      const owner = s.view.kind === 'reminder' ? s.view.ownerUser : undefined;
      if (owner?.platform !== 'teams') {
        expect(msteams, s.name).toEqual({ width: 'Full' });
        expect(JSON.stringify(card(s)), s.name).not.toContain('<at>');
        continue;
      }
      const view = s.view as ReminderView;
      const tag = `<at>${view.item.owner}</at>`;
      expect(msteams, s.name).toEqual({
        width: 'Full',
        entities: [
          { type: 'mention', text: tag, mentioned: { id: owner.userId, name: view.item.owner } },
        ],
      });
      expect(texts(card(s) as Json).filter((t) => t.includes(tag))).toHaveLength(1);
    }
  });

  it('refresh only on user-specific cards: Action.Execute "refresh" with the view key', () => {
    for (const s of samples) {
      const refresh = card(s).refresh;
      if (!USER_SPECIFIC_KINDS.has(s.view.kind)) {
        expect(refresh, s.name).toBeUndefined();
        continue;
      }
      expect(refresh, s.name).toEqual({
        action: {
          type: 'Action.Execute',
          title: s.view.lang === 'da' ? 'Opdater' : 'Refresh',
          verb: 'refresh',
          data: { command: 'refresh', key: s.view.key },
        },
        userIds: MEMBERS,
      });
    }
  });

  it('the people picker is only in the plan form, and valid Teams 1.6 Data.Query JSON', () => {
    for (const s of samples) {
      const { pickers } = withoutTeamsExtensions(card(s));
      expect(pickers.length, s.name).toBe(s.view.kind === 'plan' ? 1 : 0);
      for (const picker of pickers) {
        const view = s.view as PlanView;
        expect(picker).toEqual({
          type: 'Input.ChoiceSet',
          id: 'ownerUser',
          label: view.labels.ownerUser,
          isMultiSelect: false,
          choices: [],
          'choices.data': { type: 'Data.Query', dataset: PEOPLE_PICKER_DATASET },
        });
        const alone = { type: 'AdaptiveCard', version: '1.6', body: [picker] };
        expect(strictProblems(alone, AC.Versions.v1_6)).toEqual([
          // Teams fills the choices from choices.data; the library only sees an empty list.
          'CollectionCantBeEmpty: An Input.ChoiceSet must have at least one choice defined.',
          // Default values the serialiser leaves out (Teams' own example writes them).
          '$.body[0].isMultiSelect = false is unknown or invalid (dropped)',
          '$.body[0].choices = [] is unknown or invalid (dropped)',
        ]);
      }
    }
  });
});

describe('teamsCard extras', () => {
  let plan: PlanView;
  let vote: ViewModel;
  beforeAll(async () => {
    const samples = await buildSamples();
    const found = samples.find((s) => s.view.kind === 'plan')?.view;
    const cardVote = samples.find((s) => s.view.kind === 'cardVote')?.view;
    if (found?.kind !== 'plan' || !cardVote) throw new Error('samples missing');
    plan = found;
    vote = cardVote;
  });

  it('never more than 60 userIds: with 61 members there are none rather than an arbitrary 60', () => {
    const many = [...MEMBERS, '29:1one-more'];
    const refresh = teamsCard(vote, { refresh: { userIds: many } }).refresh as object;
    expect(refresh).toHaveProperty('action');
    expect(refresh).not.toHaveProperty('userIds');
    expect(teamsCard(vote, { refresh: {} }).refresh).not.toHaveProperty('userIds');
    expect(teamsCard(vote).refresh).toBeUndefined();
  });

  it('in Teams the typed owner is optional (a picked person fills it), with a hint', () => {
    const teamsForm = teamsCard(plan);
    const [owner] = [...walk(teamsForm as Json)].filter(([n]) => n.id === 'owner');
    expect(owner?.[0]).toMatchObject({ type: 'Input.Text', placeholder: plan.labels.ownerHint });
    expect(owner?.[0]).not.toHaveProperty('isRequired');
    expect(owner?.[0]).not.toHaveProperty('errorMessage');
    // The shared template (the web form) keeps the typed owner required.
    const [shared] = [...walk(cardFor(plan) as Json)].filter(([n]) => n.id === 'owner');
    expect(shared?.[0]).toMatchObject({ isRequired: true, errorMessage: plan.labels.required });
    // Right after the typed owner, in the same form.
    const body = [...walk(teamsForm as Json)].find(([n]) =>
      (n.body as Json[] | undefined)?.some?.((e) => isObject(e) && e.id === 'owner'),
    )?.[0].body as JsonObject[];
    const ids = body.map((e) => e.id);
    expect(ids.indexOf('ownerUser')).toBe(ids.indexOf('owner') + 1);
  });
});
