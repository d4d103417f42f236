/**
 * Issue 8, item 12: property-based tests (fast-check, fixed seed) of every
 * inbound parser. Whatever arrives (forged card data, a button value that is
 * not ours, a modal's state.values, a web body, a chat line): the parser never
 * throws, answers only with what it knows, keeps ids bounded, never reads an
 * identity from the payload, and reads user words as plain words (no
 * `constructor` or `__proto__` picked up from Object.prototype).
 */
import type { Activity } from '@microsoft/agents-activity';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CardIntent,
  commandOf,
  MAX_ID_LENGTH,
  MAX_KEY_LENGTH,
  parseCardAction,
} from '../../src/channels/cards/actions.ts';
import { decodeActionValue, encodeActionValue } from '../../src/channels/slack/blocks/buttons.ts';
import { mentionText } from '../../src/channels/slack/commands.ts';
import {
  deliveryId,
  fromAction,
  fromCommand,
  fromEvent,
} from '../../src/channels/slack/envelope.ts';
import {
  decodeMetadata,
  FORM_COMMANDS,
  FORM_FIELDS,
  FORM_KINDS,
} from '../../src/channels/slack/modals/forms.ts';
import { formData } from '../../src/channels/slack/modals/submit.ts';
import { commandText, identityOf } from '../../src/channels/teams/commands.ts';
import { activityKey } from '../../src/channels/teams/index.ts';
import { parseCommand, parseStartArgs } from '../../src/channels/text-commands.ts';
import {
  commandSchema,
  createRoundSchema,
  customCardSchema,
  noteSchema,
  planActionSchema,
  prioritiesSchema,
  toServiceCommand,
  voteSchema,
} from '../../src/channels/web/schemas.ts';
import { STEPS } from '../../src/core/model.ts';
import { parseRating } from '../../src/core/round/ballots.ts';

/** Fixed seed: a failure reproduces; 200 runs per property keep the file at a few seconds. */
const RUN = { seed: 20_260_808, numRuns: 200 } as const;

/** Words that name Object.prototype members: a lookup table must not answer them. */
const PROTOTYPE_WORDS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];

/** Strings people and forgers send: ordinary, ids, near the bounds, prototype names, markup. */
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...PROTOTYPE_WORDS, '', ' ', '1', '3', ' 4 ', '5', '6', '0', '3.5', 'na', 'NA'),
  fc.constantFrom(
    'intro',
    'rating',
    'summary',
    'all',
    '_general',
    'null',
    'mentorordninger',
    'slet',
  ),
  fc.constantFrom('<at>Boss</at>', '<!channel>', '[x](javascript:)', 'a,b,,c'),
  fc.string({ minLength: MAX_ID_LENGTH - 2, maxLength: MAX_KEY_LENGTH + 5 }),
);
/** Any JSON-ish value a field may hold. */
const value = fc.oneof(
  { weight: 4, arbitrary: text },
  fc.integer({ min: -2, max: 8 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 4 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
);

const CARD_COMMANDS = [
  'vote',
  'prioritize',
  'addNote',
  'addCustomCard',
  'planDone',
  'planPostpone',
  'planBlocked',
  'planOpen',
  'addPlanItem',
  'refresh',
  'start',
  'facilitator',
  'next',
  'back',
  'openNextCard',
  'openCard',
  'closeCard',
  'removeCustomCard',
  'openMission',
  'closeMission',
  'removeStatusNote',
  'removePlanItem',
  'setScope',
  'pause',
  'resume',
  'end',
];
const FIELDS = [
  'value',
  'cardId',
  'cardIds',
  'areaId',
  'text',
  'missionId',
  'title',
  'description',
  'itemId',
  'noteId',
  'scope',
  'key',
  'owner',
  'ownerUser',
  'what',
  'goal',
  'actions',
  'due',
  'roundId',
] as const;

/** Card data as our templates send it, and as a forger might: known fields with any values. */
const cardData = fc.record(
  {
    command: fc.oneof(fc.constantFrom(...CARD_COMMANDS), text),
    ...Object.fromEntries(FIELDS.map((f) => [f, value])),
  },
  { requiredKeys: [] },
);
const anyData = fc.oneof({ weight: 4, arbitrary: cardData }, fc.anything());
/** What a forger adds to say who they are. */
const forgedIdentity = fc.record({
  userId: text,
  aadObjectId: text,
  from: fc.record({ id: text, aadObjectId: text }),
  user: fc.record({ id: text }),
  tenant: text,
  team: text,
});

const INTENT_KINDS = new Set<CardIntent['kind']>([
  'vote',
  'prioritize',
  'addNote',
  'addCustomCard',
  'planStatus',
  'addPlanItem',
  'refresh',
  'start',
  'facilitatorControls',
  'command',
  'invalid',
  'unknown',
]);
const CARD_COMMAND_TYPES = new Set([
  'next',
  'back',
  'openNextCard',
  'openCard',
  'closeCard',
  'openMission',
  'closeMission',
  'setScope',
  'pause',
  'resume',
  'end',
  'removeStatusNote',
  'removeCustomCard',
  'removePlanItem',
]);
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9:._@-]*$/;

/** Every id an intent carries on to a lookup. */
function idsOf(intent: CardIntent): string[] {
  switch (intent.kind) {
    case 'vote':
      return [intent.cardId];
    case 'prioritize':
      return intent.cardIds;
    case 'addNote':
      return intent.areaId === null ? [] : [intent.areaId];
    case 'addCustomCard':
      return [intent.missionId];
    case 'planStatus':
      return [intent.itemId];
    case 'addPlanItem':
      return intent.ownerUser === undefined ? [] : [intent.ownerUser];
    case 'command': {
      const { command } = intent;
      const ids = Object.values(command).filter((v): v is string => typeof v === 'string');
      if (command.type === 'setScope' && command.scope.kind === 'area')
        ids.push(command.scope.areaId);
      return ids;
    }
    default:
      return [];
  }
}

/** The shared translation, as Teams (Action.Execute verb + data) and Slack (decoded value) call it. */
const parse = (data: unknown, verb?: string) => parseCardAction(commandOf(data, verb), data);

describe('card actions (Teams card data, Slack button values): parseCardAction', () => {
  it('never throws, answers a known intent, keeps every id and key bounded', () => {
    fc.assert(
      fc.property(anyData, fc.option(text, { nil: undefined }), (data, verb) => {
        const intent = parse(data, verb);
        expect(INTENT_KINDS.has(intent.kind)).toBe(true);
        for (const id of idsOf(intent)) expect(id.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
        if (intent.kind === 'refresh')
          expect(intent.key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
        if (intent.kind === 'unknown' || intent.kind === 'invalid') {
          expect(intent.command.length).toBeLessThanOrEqual(MAX_ID_LENGTH);
        }
      }),
      RUN,
    );
  });

  it('ignores every identity in the data: forged ids change nothing', () => {
    fc.assert(
      fc.property(cardData, forgedIdentity, (data, forged) => {
        expect(parse({ ...data, ...forged })).toEqual(parse(data));
      }),
      RUN,
    );
  });

  it('hands on only facilitator commands a card may carry, with a known step as `from`', () => {
    fc.assert(
      fc.property(cardData, (data) => {
        const intent = parse(data);
        if (intent.kind !== 'command') return;
        expect(CARD_COMMAND_TYPES.has(intent.command.type)).toBe(true);
        const { command } = intent;
        if ((command.type === 'next' || command.type === 'back') && command.from !== undefined) {
          expect(STEPS).toContain(command.from);
        }
      }),
      RUN,
    );
  });

  it('turns only "1"…"5" into numbers; every other vote value reaches the core as sent', () => {
    fc.assert(
      fc.property(text, value, (cardId, raw) => {
        const intent = parse({ command: 'vote', cardId, value: raw });
        if (intent.kind !== 'vote') return;
        const digit = typeof raw === 'string' && /^[1-5]$/.test(raw.trim());
        expect(intent.value).toEqual(digit ? Number(raw) : raw);
        // The core then accepts exactly 1–5 (whole numbers) and 'na'.
        const accepted = parseRating(intent.value) !== undefined;
        const isRating =
          digit || raw === 'na' || (typeof raw === 'number' && [1, 2, 3, 4, 5].includes(raw));
        expect(accepted).toBe(isRating);
      }),
      RUN,
    );
  });

  it('names a picked owner only by a plain platform id', () => {
    fc.assert(
      fc.property(cardData, (data) => {
        const intent = parse({ ...data, command: 'addPlanItem' });
        if (intent.kind === 'addPlanItem' && intent.ownerUser !== undefined) {
          expect(intent.ownerUser).toMatch(USER_ID);
        }
      }),
      RUN,
    );
  });
});

describe('Teams envelopes', () => {
  const member = fc.record({ aad: fc.string({ minLength: 1, maxLength: 40 }), tenant: text });

  it('identity comes from from/conversation only, whatever the card data holds', () => {
    fc.assert(
      fc.property(member, anyData, forgedIdentity, ({ aad, tenant }, data, forged) => {
        const activity = {
          type: 'invoke',
          from: { id: `29:${aad}`, aadObjectId: aad },
          conversation: { id: '19:c@thread.tacv2', tenantId: tenant },
          channelData: { tenant: { id: tenant } },
          value: { action: { type: 'Action.Execute', verb: 'vote', data: { ...forged, data } } },
        } as unknown as Activity;
        const who = identityOf(activity);
        if (tenant === '') expect(who).toBeUndefined();
        else expect(who).toEqual({ platform: 'teams', tenant, userId: aad });
      }),
      RUN,
    );
  });

  it('activity keys never throw and keep (conversation, id) pairs apart', () => {
    fc.assert(
      // Bodies reach it after requireBody: objects, with anything in their fields.
      fc.property(
        fc.oneof(fc.object(), fc.record({ id: fc.anything(), conversation: fc.anything() })),
        (body) => {
          const key = activityKey(body);
          if (key !== undefined) expect(key.startsWith('teams:activity:')).toBe(true);
        },
      ),
      RUN,
    );
    fc.assert(
      fc.property(text, text, text, text, (c1, id1, c2, id2) => {
        fc.pre(id1 !== '' && id2 !== '' && (c1 !== c2 || id1 !== id2));
        const key = (c: string, id: string) => activityKey({ id, conversation: { id: c } });
        expect(key(c1, id1)).not.toBe(key(c2, id2));
      }),
      RUN,
    );
  });

  it('the command text of a message has no tags left and no doubled spaces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(text, fc.constant('<at>dialogrunde</at>')), { maxLength: 6 }),
        (parts) => {
          const said = commandText({
            text: parts.join(' '),
            entities: [],
            recipient: { id: '28:b' },
          } as never);
          expect(said).not.toMatch(/<at>|\s{2}|^\s|\s$/i);
        },
      ),
      RUN,
    );
  });
});

describe('Slack payloads', () => {
  it('a button value that is not ours decodes to nothing or to our four string fields', () => {
    const values = fc.oneof(
      fc.anything(),
      fc.json(),
      fc
        .record({ command: text, value, cardId: value, roundId: value, userId: text })
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(values, (raw) => {
        const data = decodeActionValue(raw);
        if (data === undefined) return;
        expect(
          Object.keys(data).every((k) => ['command', 'value', 'cardId', 'roundId'].includes(k)),
        ).toBe(true);
        expect(Object.values(data).every((v) => typeof v === 'string')).toBe(true);
        expect(data.command).not.toBe('');
        expect((data.roundId ?? '').length).toBeLessThanOrEqual(100);
      }),
      RUN,
    );
  });

  it('our own button values decode to exactly what was encoded', () => {
    const ours = fc.record(
      {
        command: fc.string({ minLength: 1, maxLength: 30 }),
        value: fc.string({ maxLength: 100 }),
        cardId: fc.string({ maxLength: 100 }),
        roundId: fc.string({ minLength: 1, maxLength: 100 }),
      },
      { requiredKeys: ['command'] },
    );
    fc.assert(
      fc.property(ours, (data) => {
        expect(decodeActionValue(encodeActionValue(data))).toEqual(data);
      }),
      RUN,
    );
  });

  it('who acted comes from the signed envelope only, never from an action value', () => {
    const envelope = fc.record({
      team: fc.record({ id: text }),
      user: fc.record({ id: text }),
      channel: fc.record({ id: text }),
    });
    fc.assert(
      fc.property(envelope, fc.array(fc.record({ value: fc.anything() })), (env, actions) => {
        const where = fromAction({ ...env, actions } as never);
        expect(where).toEqual(fromAction(env));
        if (where) {
          expect(where.who).toEqual({
            platform: 'slack',
            tenant: env.team.id,
            userId: env.user.id,
          });
        }
      }),
      RUN,
    );
    fc.assert(
      fc.property(fc.anything(), (body) => {
        // Never throws on whatever arrives, and names a delivery only by Slack's own ids.
        for (const read of [fromAction, fromCommand, fromEvent]) read((body ?? {}) as never);
        const id = deliveryId(body);
        if (id !== undefined) expect(id).toMatch(/^(event|trigger):./);
      }),
      RUN,
    );
  });

  it('a submitted modal yields its form’s command and fields only, as text or lists of text', () => {
    const stateValue = fc.record(
      {
        type: fc.constantFrom(
          'plain_text_input',
          'static_select',
          'radio_buttons',
          'multi_static_select',
          'users_select',
          'datepicker',
          'checkboxes',
        ),
        value,
        selected_option: fc.option(fc.record({ value }), { nil: null }),
        selected_options: fc.option(fc.array(fc.record({ value })), { nil: null }),
        selected_user: value,
        selected_date: value,
      },
      { requiredKeys: [] },
    );
    const names = [...new Set(Object.values(FORM_FIELDS).flat()), 'command', 'userId'];
    const values = fc.oneof(
      fc.anything(),
      fc.dictionary(
        fc.constantFrom(...names),
        fc.dictionary(fc.constantFrom(...names), stateValue),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...FORM_KINDS), values, (form, submitted) => {
        const data = formData(form, submitted);
        expect(data.command).toBe(FORM_COMMANDS[form]);
        for (const [key, v] of Object.entries(data)) {
          if (key === 'command') continue;
          expect(FORM_FIELDS[form]).toContain(key);
          expect(
            typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
          ).toBe(true);
        }
      }),
      RUN,
    );
  });

  it('private_metadata names one of our forms and a bounded round id, or nothing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.json(),
          fc.record({ roundId: value, form: text }).map((o) => JSON.stringify(o)),
        ),
        (raw) => {
          const meta = decodeMetadata(raw);
          if (meta === undefined) return;
          expect(FORM_KINDS).toContain(meta.form);
          expect(meta.roundId.length).toBeGreaterThan(0);
          expect(meta.roundId.length).toBeLessThanOrEqual(100);
        },
      ),
      RUN,
    );
  });

  it('the text of a mention has no user mentions left', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(text, fc.constant('<@U0BOT>')), { maxLength: 6 }), (parts) => {
        expect(mentionText(parts.join(' '))).not.toMatch(/<@[^>]*>|\s{2}/);
      }),
      RUN,
    );
  });
});

describe('web request bodies (zod schemas)', () => {
  /** Each command's fields (all required but `from`, `link`), as the pages send them. */
  const COMMAND_FIELDS: Record<string, string[]> = {
    next: ['from'],
    back: ['from'],
    pause: [],
    resume: [],
    end: [],
    openNextCard: ['from'],
    openCard: ['cardId'],
    closeCard: ['cardId'],
    openMission: ['missionId'],
    closeMission: ['missionId'],
    setScope: ['scope'],
    removeStatusNote: ['noteId'],
    removeCustomCard: ['cardId'],
    addPlanItem: ['what', 'goal', 'actions', 'owner', 'due', 'link'],
    editPlanItem: ['itemId', 'what', 'goal', 'actions', 'owner', 'due', 'link'],
    removePlanItem: ['itemId'],
  };
  const COMMAND_TYPES = Object.keys(COMMAND_FIELDS);
  const OPTIONAL = ['from', 'link'];
  const fieldValue = (name: string) => {
    if (name === 'owner') return fc.oneof(fc.record({ name: text }), value);
    if (name === 'link') {
      return fc.oneof(
        fc.constant(null),
        fc.record({ kind: fc.constantFrom('mission', 'card'), id: text }),
        value,
      );
    }
    if (name === 'from') return fc.oneof(fc.constantFrom(...STEPS), text);
    return fc.oneof({ weight: 5, arbitrary: text }, value);
  };
  /** A command of a known type (or a type no page sends) with its own fields, any values. */
  const commandBody = fc
    .constantFrom(...COMMAND_TYPES, 'start', 'handOver', 'deadlineReached', 'constructor')
    .chain((type) => {
      const fields = Object.hasOwn(COMMAND_FIELDS, type)
        ? (COMMAND_FIELDS[type] ?? [])
        : ['cardId'];
      return fc
        .record(Object.fromEntries(fields.map((f) => [f, fieldValue(f)])), {
          requiredKeys: fields.filter((f) => !OPTIONAL.includes(f)),
        })
        .map((rest) => ({ type, ...rest }));
    });
  const bodies = {
    createRoundSchema: fc.record(
      {
        deckId: text,
        lang: fc.oneof(fc.constantFrom('da', 'en'), text),
        mode: fc.oneof(fc.constantFrom('sync', 'async'), text),
        scope: text,
        k: value,
        maxPriorities: value,
        timeZone: text,
      },
      { requiredKeys: [] },
    ),
    voteSchema: fc.record({ cardId: fieldValue('cardId'), value }, { requiredKeys: [] }),
    prioritiesSchema: fc.record({ cardIds: value }, { requiredKeys: [] }),
    noteSchema: fc.record(
      { areaId: fc.oneof(fc.constant(null), text), text },
      { requiredKeys: ['text'] },
    ),
    customCardSchema: fc.record(
      { missionId: text, title: text, description: text },
      { requiredKeys: ['missionId', 'title'] },
    ),
    planActionSchema: fc.record({
      action: fc.oneof(fc.constantFrom('done', 'postpone', 'blocked', 'open'), text),
    }),
    commandSchema: commandBody,
  };
  const schemas = {
    createRoundSchema,
    voteSchema,
    prioritiesSchema,
    noteSchema,
    customCardSchema,
    planActionSchema,
    commandSchema,
  };
  /** Keys a forger adds: identities, a second command, prototype names. */
  const extraKey = fc.oneof(
    fc.constantFrom('userId', 'voterKey', 'secret', 'participantId', 'command', ...PROTOTYPE_WORDS),
    fc.string({ minLength: 1, maxLength: 12 }),
  );

  it('no schema throws on anything; a body it accepts gets refused once a field it does not know is added', () => {
    let accepted = 0;
    for (const [name, schema] of Object.entries(schemas)) {
      const shaped = bodies[name as keyof typeof bodies] as fc.Arbitrary<Record<string, unknown>>;
      fc.assert(
        fc.property(fc.oneof(shaped, fc.anything()), extraKey, (body, extra) => {
          const parsed = schema.safeParse(body);
          if (!parsed.success || typeof body !== 'object' || body === null) return;
          accepted += 1;
          fc.pre(!Object.hasOwn(body, extra));
          const forged = { ...body };
          Object.defineProperty(forged, extra, { value: 1, enumerable: true });
          expect(schema.safeParse(forged).success, `${name} + ${extra}`).toBe(false);
        }),
        RUN,
      );
    }
    // The shapes are close enough to the real ones for most bodies to be accepted.
    expect(accepted).toBeGreaterThan(RUN.numRuns);
  });

  it('an accepted command is a known one, with bounded ids, and becomes a service command of its type', () => {
    let accepted = 0;
    fc.assert(
      fc.property(commandBody, (body) => {
        const parsed = commandSchema.safeParse(body);
        if (!parsed.success) return;
        accepted += 1;
        expect(COMMAND_TYPES).toContain(parsed.data.type);
        for (const [name, v] of Object.entries(parsed.data)) {
          if (typeof v === 'string' && name !== 'what' && name !== 'goal' && name !== 'actions') {
            expect(v.length, name).toBeLessThanOrEqual(100);
          }
        }
        expect(toServiceCommand(parsed.data).type).toBe(parsed.data.type);
      }),
      RUN,
    );
    expect(accepted).toBeGreaterThan(RUN.numRuns / 4);
  });

  it('a vote body is a bounded card id and a value, nothing else', () => {
    fc.assert(
      fc.property(
        fc.record({ cardId: value, value, userId: text }, { requiredKeys: [] }),
        (body) => {
          const parsed = voteSchema.safeParse(body);
          if (!parsed.success) return;
          expect('userId' in body).toBe(false);
          expect(typeof parsed.data.cardId).toBe('string');
          expect(parsed.data.cardId.length).toBeGreaterThan(0);
          expect(parsed.data.cardId.length).toBeLessThanOrEqual(100);
        },
      ),
      RUN,
    );
  });
});

describe('chat commands (text-commands.ts)', () => {
  const words = fc.array(text, { maxLength: 6 });

  it('every line is one of the known commands; the first word decides', () => {
    fc.assert(
      fc.property(words, (parts) => {
        const line = parts.join(' ');
        const command = parseCommand(line);
        expect(['start', 'status', 'stop', 'delete', 'help', 'unknown']).toContain(command.kind);
        const first = line.split(' ').find((w) => w !== '') ?? '';
        if (command.kind === 'unknown') expect(command.word).toBe(first.toLowerCase());
      }),
      RUN,
    );
  });

  it('start words give a known mode and language, a scope and a deck only when it is one', () => {
    const decks = new Set(['baeredygtigt-arbejdsmiljoe']);
    const LANGS = { da: 'da', en: 'en' } as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            text,
            fc.constantFrom(...PROTOTYPE_WORDS, 'baeredygtigt-arbejdsmiljoe', 'async', 'en'),
          ),
          { maxLength: 6 },
        ),
        (args) => {
          const options = parseStartArgs(args, (id) => decks.has(id), LANGS);
          expect([undefined, 'sync', 'async']).toContain(options.mode);
          expect([undefined, 'da', 'en']).toContain(options.lang);
          if (options.deckId !== undefined) expect(decks.has(options.deckId)).toBe(true);
          if (options.scope?.kind === 'area') expect(typeof options.scope.areaId).toBe('string');
          // Without a language table, no word is a language.
          expect(parseStartArgs(args, () => false).lang).toBeUndefined();
        },
      ),
      RUN,
    );
  });

  it('a word naming an Object.prototype member is an area, not a mode or a language', () => {
    for (const word of PROTOTYPE_WORDS) {
      const options = parseStartArgs([word], () => false, { da: 'da', en: 'en' });
      expect(options, word).toEqual({ scope: { kind: 'area', areaId: word.toLowerCase() } });
    }
  });
});
