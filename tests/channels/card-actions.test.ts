/**
 * Card buttons → intents (src/channels/cards/actions.ts), platform-free.
 *
 * The first part reads every button of every card the templates produce for
 * realistic view models (tests/cards/samples.ts), fills the card's inputs the
 * way a host submits them (Action.Execute and Action.Submit send the action's
 * data merged with the card's input values), and checks what each one means.
 * A template change that breaks the mapping (a renamed input id, a button
 * whose command nobody handles, a value that no longer carries the id) fails here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CardIntent,
  commandOf,
  MAX_ID_LENGTH,
  parseCardAction,
  splitChoices,
} from '../../src/channels/cards/actions.ts';
import { type CardJson, cardFor, GENERAL_AREA_VALUE } from '../../src/channels/cards/bind.ts';
import { teamsCard } from '../../src/channels/teams/cards.ts';
import { STEPS } from '../../src/core/model.ts';
import type { ViewModel } from '../../src/core/views/types.ts';
import { buildSamples, type Sample } from '../cards/samples.ts';

type Json = Record<string, unknown>;

interface Pressed {
  sample: string;
  view: ViewModel;
  type: string;
  /** What the host sends: the card's inputs, then the action's data over them. */
  data: Json;
  actionData: Json;
}

const PICKED_USER = '6f1c2a9e-0b7d-4c55-9a8e-2d3f4b5c6d7e';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(node: unknown, visit: (node: Json) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (!isObject(node)) return;
  visit(node);
  for (const value of Object.values(node)) walk(value, visit);
}

/** The value a user would submit for an input. */
function inputValue(input: Json): string {
  const choices = Array.isArray(input.choices)
    ? input.choices.filter(isObject).map((c) => String(c.value))
    : [];
  switch (input.type) {
    case 'Input.ChoiceSet':
      if (isObject(input['choices.data'])) return PICKED_USER; // Teams' people picker
      if (input.isMultiSelect === true) return choices.slice(0, 2).join(',');
      return typeof input.value === 'string' && input.value !== ''
        ? input.value
        : (choices[0] ?? '');
    case 'Input.Date':
      return '2027-01-15';
    default:
      return `tekst til ${String(input.id)}`;
  }
}

function pressesOf(sample: string, view: ViewModel, card: CardJson): Pressed[] {
  const inputs: Json = {};
  walk(card, (node) => {
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) {
      inputs[String(node.id)] = inputValue(node);
    }
  });
  const pressed: Pressed[] = [];
  walk(card, (node) => {
    if (node.type !== 'Action.Execute' && node.type !== 'Action.Submit') return;
    const actionData = isObject(node.data) ? node.data : {};
    pressed.push({
      sample,
      view,
      type: String(node.type),
      data: { ...inputs, ...actionData },
      actionData,
    });
  });
  return pressed;
}

/** What each button must mean, given the view it is on. */
function expectMeaning(p: Pressed, intent: CardIntent): void {
  const { view, data } = p;
  const where = `${p.sample}: ${JSON.stringify(p.actionData)}`;
  switch (intent.kind) {
    case 'vote':
      expect(view.kind, where).toBe('cardVote');
      if (view.kind !== 'cardVote') return;
      expect(intent.cardId, where).toBe(view.cardId);
      expect([1, 2, 3, 4, 5, 'na'], where).toContain(intent.value);
      return;
    case 'prioritize':
      expect(view.kind, where).toBe('priority');
      if (view.kind !== 'priority') return;
      expect(intent.cardIds, where).toEqual(view.options.slice(0, 2).map((o) => o.value));
      return;
    case 'addNote':
      expect(view.kind, where).toBe('status');
      // The preselected choice is the "general" one: no area.
      expect(data.areaId, where).toBe(GENERAL_AREA_VALUE);
      expect(intent, where).toEqual({ kind: 'addNote', areaId: null, text: 'tekst til text' });
      return;
    case 'addCustomCard':
      expect(view.kind, where).toBe('custom');
      if (view.kind !== 'custom') return;
      expect(intent, where).toEqual({
        kind: 'addCustomCard',
        missionId: view.missionChoices[0]?.value,
        title: 'tekst til title',
        description: 'tekst til description',
      });
      return;
    case 'planStatus': {
      expect(['plan', 'reminder'], where).toContain(view.kind);
      const items = view.kind === 'plan' ? view.items : view.kind === 'reminder' ? [view.item] : [];
      expect(
        items.map((i) => i.id),
        where,
      ).toContain(intent.itemId);
      expect(['done', 'postpone', 'blocked'], where).toContain(intent.action);
      return;
    }
    case 'addPlanItem':
      expect(view.kind, where).toBe('plan');
      expect(intent, where).toMatchObject({
        what: 'tekst til what',
        goal: 'tekst til goal',
        actions: 'tekst til actions',
        ownerName: 'tekst til owner',
        due: '2027-01-15',
      });
      return;
    case 'start':
    case 'facilitatorControls':
      expect(view.kind, where).toBe('help');
      return;
    case 'deleteRound':
    case 'keepRound':
      // The question's two buttons name the round they are about.
      expect(view.kind, where).toBe('deleteRound');
      if (view.kind !== 'deleteRound') return;
      expect(intent.roundId, where).toBe(view.roundId);
      return;
    case 'command': {
      const { command } = intent;
      if (command.type === 'setScope') {
        expect(view.kind, where).toBe('scope');
        if (view.kind !== 'scope') return;
        expect(command.scope, where).toEqual(
          view.value === 'all' ? { kind: 'all' } : { kind: 'area', areaId: view.value },
        );
        return;
      }
      expect(view.kind, where).toBe('facilitator');
      if (view.kind !== 'facilitator') return;
      if (command.type === 'next' || command.type === 'back') {
        expect(command.from, where).toBe(view.step);
      } else if (command.type === 'openNextCard') {
        expect(typeof command.from, where).toBe('string');
      } else if (command.type === 'closeCard') {
        expect(command.cardId, where).toBe(p.actionData.value);
      } else {
        expect(['pause', 'resume', 'end'], where).toContain(command.type);
      }
      return;
    }
    default:
      throw new Error(`${where} means ${JSON.stringify(intent)}`);
  }
}

describe('every button of every template means something', () => {
  let samples: Sample[];
  let presses: Pressed[];
  beforeAll(async () => {
    samples = await buildSamples();
    presses = samples.flatMap((s) => [
      ...pressesOf(s.name, s.view, cardFor(s.view)),
      // Teams' own additions (the people picker in the plan form) are submitted too.
      ...(s.view.kind === 'plan' ? pressesOf(`${s.name} (teams)`, s.view, teamsCard(s.view)) : []),
    ]);
  }, 60_000);

  it('finds the buttons of every form and control', () => {
    const commands = new Set(presses.map((p) => String(p.actionData.command)));
    for (const command of [
      'vote',
      'prioritize',
      'addNote',
      'addCustomCard',
      'planDone',
      'planPostpone',
      'planBlocked',
      'addPlanItem',
      'setScope',
      'next',
      'back',
      'openNextCard',
      'closeCard',
      'pause',
      'resume',
      'end',
      'start',
      'facilitator',
    ]) {
      expect(commands, command).toContain(command);
    }
  });

  it('maps each one (Execute and its Submit fallback alike) to the intended intent', () => {
    for (const pressed of presses) {
      const intent = parseCardAction(commandOf(pressed.data), pressed.data);
      expectMeaning(pressed, intent);
    }
  });

  it('the Execute verb and the data agree, and each fallback sends the same data', () => {
    for (const sample of samples) {
      walk(cardFor(sample.view), (node) => {
        if (node.type !== 'Action.Execute') return;
        const data = node.data as Json;
        expect(node.verb, sample.name).toBe(data.command);
        expect((node.fallback as Json | undefined)?.data, sample.name).toEqual(data);
      });
    }
  });

  it("the Teams plan form's people picker arrives as ownerUser", () => {
    const picked = presses.find(
      (p) => p.sample.endsWith('(teams)') && p.actionData.command === 'addPlanItem',
    );
    expect(picked).toBeDefined();
    const intent = parseCardAction('addPlanItem', picked?.data);
    expect(intent).toMatchObject({ kind: 'addPlanItem', ownerUser: PICKED_USER });
  });
});

describe('parseCardAction', () => {
  const long = 'x'.repeat(MAX_ID_LENGTH + 1);
  const cases: [string, string, unknown, CardIntent][] = [
    ['vote 1–5 become numbers', 'vote', { cardId: 'c1', value: '4' }, v('c1', 4)],
    ['vote na', 'vote', { cardId: 'c1', value: 'na' }, v('c1', 'na')],
    ['vote out of range goes to the core', 'vote', { cardId: 'c1', value: '7' }, v('c1', '7')],
    ['vote without a card', 'vote', { value: '3' }, bad('vote', 'card_not_found')],
    ['vote with a long id', 'vote', { cardId: long, value: '3' }, bad('vote', 'card_not_found')],
    [
      'priorities: a comma string, trimmed, no empties',
      'prioritize',
      { cardIds: ' a, b,,c ' },
      { kind: 'prioritize', cardIds: ['a', 'b', 'c'] },
    ],
    [
      'priorities: an array (other hosts)',
      'prioritize',
      { cardIds: ['a', 3, 'b'] },
      { kind: 'prioritize', cardIds: ['a', 'b'] },
    ],
    ['priorities: none', 'prioritize', {}, { kind: 'prioritize', cardIds: [] }],
    [
      'priorities: a long id',
      'prioritize',
      { cardIds: `a,${long}` },
      bad('prioritize', 'card_not_found'),
    ],
    ['note: _general', 'addNote', { areaId: '_general', text: 'x' }, note(null, 'x')],
    ['note: empty area', 'addNote', { areaId: '', text: 'x' }, note(null, 'x')],
    ['note: "null"', 'addNote', { areaId: 'null', text: 'x' }, note(null, 'x')],
    ['note: no area', 'addNote', { text: 'x' }, note(null, 'x')],
    ['note: an area', 'addNote', { areaId: ' udvikling ', text: ' x ' }, note('udvikling', ' x ')],
    ['note: no text goes to the core', 'addNote', { areaId: 'a' }, note('a', '')],
    ['note: long area', 'addNote', { areaId: long, text: 'x' }, bad('addNote', 'area_not_found')],
    [
      'own initiative',
      'addCustomCard',
      { missionId: 'ledere', title: 'T', description: 'D' },
      { kind: 'addCustomCard', missionId: 'ledere', title: 'T', description: 'D' },
    ],
    [
      'own initiative without description',
      'addCustomCard',
      { missionId: 'ledere', title: 'T' },
      { kind: 'addCustomCard', missionId: 'ledere', title: 'T', description: '' },
    ],
    ['plan done', 'planDone', { value: 'p1' }, plan('p1', 'done')],
    ['plan postpone', 'planPostpone', { value: 'p1' }, plan('p1', 'postpone')],
    ['plan blocked', 'planBlocked', { value: 'p1' }, plan('p1', 'blocked')],
    ['plan reopen', 'planOpen', { itemId: 'p1' }, plan('p1', 'open')],
    ['plan without item', 'planDone', {}, bad('planDone', 'plan_item_not_found')],
    [
      'plan item, typed owner',
      'addPlanItem',
      { what: 'W', goal: 'G', actions: 'A', owner: 'Kim', due: ' 2027-01-15 ' },
      {
        kind: 'addPlanItem',
        what: 'W',
        goal: 'G',
        actions: 'A',
        ownerName: 'Kim',
        due: '2027-01-15',
      },
    ],
    [
      'plan item, picked owner, no typed name',
      'addPlanItem',
      { what: 'W', owner: '', ownerUser: PICKED_USER, due: '2027-01-15' },
      {
        kind: 'addPlanItem',
        what: 'W',
        goal: '',
        actions: '',
        ownerName: '',
        ownerUser: PICKED_USER,
        due: '2027-01-15',
      },
    ],
    [
      'plan item, a picked id that could bend a URL',
      'addPlanItem',
      { what: 'W', owner: 'Kim', ownerUser: '../../v3/conversations', due: '2027-01-15' },
      bad('addPlanItem', 'member_not_found'),
    ],
    ['refresh', 'refresh', { key: 'r1:card:c1' }, { kind: 'refresh', key: 'r1:card:c1' }],
    ['refresh, huge key', 'refresh', { key: 'k'.repeat(5000) }, { kind: 'refresh', key: '' }],
    ['start', 'start', {}, { kind: 'start' }],
    ['controls', 'facilitator', {}, { kind: 'facilitatorControls' }],
    ['next from a step', 'next', { value: 'rating' }, cmd({ type: 'next', from: 'rating' })],
    ['back from a step', 'back', { value: 'custom' }, cmd({ type: 'back', from: 'custom' })],
    ['next, no step', 'next', {}, cmd({ type: 'next' })],
    ['next from nowhere', 'next', { value: 'nowhere' }, bad('next', 'wrong_step')],
    [
      'open next, none open',
      'openNextCard',
      { value: '' },
      cmd({ type: 'openNextCard', from: '' }),
    ],
    [
      'open next after c1',
      'openNextCard',
      { value: 'c1' },
      cmd({ type: 'openNextCard', from: 'c1' }),
    ],
    ['open next, no from', 'openNextCard', {}, cmd({ type: 'openNextCard' })],
    ['close card', 'closeCard', { value: 'c1' }, cmd({ type: 'closeCard', cardId: 'c1' })],
    ['open card', 'openCard', { cardId: 'c1' }, cmd({ type: 'openCard', cardId: 'c1' })],
    ['close card, none', 'closeCard', {}, bad('closeCard', 'card_not_found')],
    ['open mission', 'openMission', { value: 'm' }, cmd({ type: 'openMission', missionId: 'm' })],
    [
      'close mission',
      'closeMission',
      { missionId: 'm' },
      cmd({ type: 'closeMission', missionId: 'm' }),
    ],
    ['scope: all', 'setScope', { scope: 'all' }, cmd({ type: 'setScope', scope: { kind: 'all' } })],
    [
      'scope: an area',
      'setScope',
      { scope: 'udvikling' },
      cmd({ type: 'setScope', scope: { kind: 'area', areaId: 'udvikling' } }),
    ],
    ['scope: nothing chosen', 'setScope', {}, cmd({ type: 'setScope', scope: { kind: 'all' } })],
    [
      'remove note',
      'removeStatusNote',
      { value: 'n1' },
      cmd({ type: 'removeStatusNote', noteId: 'n1' }),
    ],
    [
      'remove card',
      'removeCustomCard',
      { cardId: 'c9' },
      cmd({ type: 'removeCustomCard', cardId: 'c9' }),
    ],
    [
      'remove item',
      'removePlanItem',
      { value: 'p1' },
      cmd({ type: 'removePlanItem', itemId: 'p1' }),
    ],
    ['pause', 'pause', {}, cmd({ type: 'pause' })],
    ['resume', 'resume', {}, cmd({ type: 'resume' })],
    ['end', 'end', {}, cmd({ type: 'end' })],
    ['no such button', 'hack', { value: 'x' }, { kind: 'unknown', command: 'hack' }],
    ['not even data', 'vote', 'vote', bad('vote', 'card_not_found')],
  ];

  it.each(cases)('%s', (_name, command, data, expected) => {
    expect(parseCardAction(command, data)).toEqual(expected);
  });

  it('never reads who acted from the card: a forged userId changes nothing', () => {
    const forged = { userId: 'someone-else', aadObjectId: 'x', from: { id: 'y' }, tenant: 't' };
    for (const [, command, data] of cases) {
      const clean = parseCardAction(command, data);
      const withForgery = parseCardAction(command, { ...(data as object), ...forged });
      expect(withForgery).toEqual(clean);
      expect(JSON.stringify(withForgery)).not.toContain('someone-else');
    }
  });

  it('takes the command from the data, else from the verb', () => {
    expect(commandOf({ command: 'vote' }, 'refresh')).toBe('vote');
    expect(commandOf({}, 'refresh')).toBe('refresh');
    expect(commandOf('text', undefined)).toBe('');
    expect(commandOf({ command: 'c'.repeat(500) })).toHaveLength(MAX_ID_LENGTH);
  });

  it('splits multi-select values', () => {
    expect(splitChoices('a,b')).toEqual(['a', 'b']);
    expect(splitChoices(undefined)).toEqual([]);
    expect(splitChoices(' , ')).toEqual([]);
  });

  it('knows every step as a `from`', () => {
    for (const step of STEPS) {
      expect(parseCardAction('next', { value: step })).toEqual(cmd({ type: 'next', from: step }));
    }
  });
});

function v(cardId: string, value: unknown): CardIntent {
  return { kind: 'vote', cardId, value };
}
function note(areaId: string | null, text: string): CardIntent {
  return { kind: 'addNote', areaId, text };
}
function plan(itemId: string, action: 'done' | 'postpone' | 'blocked' | 'open'): CardIntent {
  return { kind: 'planStatus', itemId, action };
}
function cmd(command: Extract<CardIntent, { kind: 'command' }>['command']): CardIntent {
  return { kind: 'command', command };
}
function bad(command: string, code: Extract<CardIntent, { kind: 'invalid' }>['error']['code']) {
  return { kind: 'invalid', command, error: { code } } satisfies CardIntent;
}
