/**
 * A whole synchronous round in one Teams channel thread, through OUR route
 * only: five members (one facilitator) install the bot, start a round with
 * `@dialogrunde start`, and press what the cards offer, exactly as Teams
 * sends it (`adaptiveCard/action` invokes carrying the card's own
 * Action.Execute verb and data, with the inputs merged in). Inbound requests
 * carry Bot Framework JWTs that the SDK validates with production settings
 * (tests/teams/auth-fixture.ts); outbound calls go to the local fake Bot
 * Connector, which enforces Teams' per-thread rate limits.
 *
 * The round uses the small test deck (6 cards in 2 areas). What is checked:
 * every group card is posted once and then edited in place; each card's vote
 * card counts "n af m har stemt" and turns into its result; results respect
 * the anonymity threshold (k = 3); invoke answers are personal (your vote,
 * your picks) or the facilitator's controls; a member cannot steer the round;
 * no 429 went unretried; and at the end the connector's latest version of
 * every message is the card the round's final state renders.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeckCatalog } from '../../src/app/decks.ts';
import { teamsCard } from '../../src/channels/teams/cards.ts';
import type { StepId } from '../../src/core/model.ts';
import type { ViewRequest } from '../../src/core/round/effects.ts';
import { errorView } from '../../src/core/views/messages.ts';
import { testDeck } from '../fixtures/test-deck.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  expectEvery429Retried,
  installed,
  invoke,
  type Json,
  type Member,
  mention,
  offered,
  type Place,
  type PressedAction,
  post,
  press,
  refreshOf,
  startTeamsWorld,
  type TeamsWorld,
  textsOf,
  useAuthFixture,
} from './harness.ts';

const TENANT = 'tenant-runde';
/** The team's General channel (its id is the team id). */
const CHANNEL = '19:9e4e7a1b0c5d4f6a8b2c3d4e5f6a7b8c@thread.tacv2';
/** The message "@dialogrunde start" is; it roots the thread the round lives in. */
const START_MESSAGE_ID = '1795424400000';
const THREAD = `${CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_CHANNEL: Place = { conversationId: CHANNEL, type: 'channel', teamId: CHANNEL };
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: CHANNEL };

const FRIDA: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000f001', name: 'Frida Mødeleder' };
const ANDERS: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000a002', name: 'Anders' };
const BENTE: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000b003', name: 'Bente' };
const CARL: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000c004', name: 'Carl' };
const DORTE: Member = { aad: '6f1c2a7e-0000-4000-8000-00000000d005', name: 'Dorte' };
const EVERYONE = [FRIDA, ANDERS, BENTE, CARL, DORTE];

const NOT_FACILITATOR = errorView('da', { code: 'not_facilitator' }).message;
const ERROR_TITLE = errorView('da', { code: 'not_facilitator' }).title;
const FACILITATOR_ONLY = 'Kun mødelederen ser dette.';

/** Votes per card in deck order: member → value ('na' = don't know). */
const VOTES: Record<string, [Member, string][]> = {
  // Five distinct values: mean 3, median 3.
  mentorordninger: [
    [FRIDA, '1'],
    [ANDERS, '2'],
    [BENTE, '3'],
    [CARL, '4'],
    [DORTE, '5'],
  ],
  // Two voters: fewer than k = 3, so no result may be shown.
  lederfora: [
    [ANDERS, '4'],
    [BENTE, '5'],
  ],
  supervision: [
    [FRIDA, '5'],
    [ANDERS, '5'],
    [BENTE, '4'],
    [CARL, '4'],
    [DORTE, 'na'],
  ],
  kompetenceudvikling: [
    [FRIDA, '1'],
    [ANDERS, '1'],
    [BENTE, '2'],
    [CARL, '2'],
    [DORTE, '1'],
  ],
  omsorgssamtaler: [
    [FRIDA, '1'],
    [ANDERS, '5'],
    [BENTE, '1'],
    [CARL, '5'],
    [DORTE, '3'],
  ],
  naervaer: [
    [FRIDA, '3'],
    [ANDERS, '3'],
    [BENTE, '3'],
    [CARL, '3'],
    [DORTE, '3'],
  ],
};

/** Expected results: the card's text line and its distribution (counts of 1…5). */
const RESULTS: Record<string, { text: string; counts: number[] } | 'withheld'> = {
  mentorordninger: { text: 'Gennemsnit 3 · median 3 · 5 har vurderet', counts: [1, 1, 1, 1, 1] },
  lederfora: 'withheld',
  supervision: { text: 'Gennemsnit 4,5 · median 4,5 · 4 har vurderet', counts: [0, 0, 0, 2, 2] },
  kompetenceudvikling: {
    text: 'Gennemsnit 1,4 · median 1 · 5 har vurderet',
    counts: [3, 2, 0, 0, 0],
  },
  omsorgssamtaler: { text: 'Gennemsnit 3 · median 3 · 5 har vurderet', counts: [2, 0, 1, 0, 2] },
  naervaer: { text: 'Gennemsnit 3 · median 3 · 5 har vurderet', counts: [0, 0, 5, 0, 0] },
};

const fixture = useAuthFixture();

/** The view a key (without the round id) stands for. */
function requestOfKey(what: string): ViewRequest {
  if (what.startsWith('step:')) return { kind: 'step', step: what.slice(5) as StepId };
  if (what.startsWith('card:')) return { kind: 'card', cardId: what.slice(5) };
  if (what === 'plan') return { kind: 'plan' };
  if (what === 'status') return { kind: 'roundStatus' };
  throw new Error(`no view for ${what}`);
}

/** Label of a rating value on the vote card's buttons and in "Din stemme: …". */
const shown = (value: string) => (value === 'na' ? 'Ved ikke' : value);

/** The result card's distribution: counts of the ColumnSets labelled 1…5. */
function distributionOf(card: Json): number[] {
  const counts = [0, 0, 0, 0, 0];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Json;
    if (obj.type === 'ColumnSet' && Array.isArray(obj.columns) && obj.columns.length === 3) {
      const [label, , count] = obj.columns.map((c) => textsOf(c)[0]);
      if (label && /^[1-5]$/.test(label)) counts[Number(label) - 1] = Number(count);
      return;
    }
    Object.values(obj).forEach(walk);
  };
  walk(card.body);
  return counts;
}

/** The summary's sections: heading → [label, score] lines. */
function sectionsOf(card: Json): Record<string, string[][]> {
  const sections: Record<string, string[][]> = {};
  for (const block of (card.body ?? []) as Json[]) {
    if (block.type !== 'Container' || !Array.isArray(block.items)) continue;
    const [heading, ...rest] = block.items as Json[];
    if (heading?.type !== 'TextBlock') continue;
    sections[String(heading.text)] = rest
      .filter((r) => r.type === 'ColumnSet')
      .map((r) => textsOf(r));
  }
  return sections;
}

describe('a synchronous round with five members, through the Teams channel', () => {
  let w: TeamsWorld;
  let roundId = '';
  /** The facilitator's latest controls (the card their last press answered with). */
  let controls: Json = {};

  beforeEach(async () => {
    const decks = DeckCatalog.load();
    decks.add(testDeck);
    w = await startTeamsWorld({
      tenant: TENANT,
      auth: fixture(),
      decks,
      defaults: { deckId: testDeck.id },
    });
    for (const m of EVERYONE) {
      w.connector.addMember(CHANNEL, { id: `29:${m.aad}`, name: m.name, aadObjectId: m.aad });
    }
  });
  afterEach(async () => {
    await w.close();
  });

  const key = (what: string) => `${roundId}:${what}`;

  /** The message id of a view in the thread, if the bot posted it. */
  const messageId = (what: string) => w.app.store.channelMemory.message('teams', THREAD, key(what));

  /** The latest version of the group message for a view key, as the connector holds it. */
  async function groupCard(what: string): Promise<{ id: string; card: Json; updates: number }> {
    const id = await messageId(what);
    expect(id, `no message for ${what}`).toBeDefined();
    const stored = w.connector.activity(THREAD, id ?? '');
    expect(stored, `the connector has no message ${what}`).toBeDefined();
    const card = cardOfActivity(stored?.activity);
    expect(card).toBeDefined();
    return { id: id ?? '', card: card ?? {}, updates: stored?.updates ?? 0 };
  }

  /** Every body the connector accepted for one message (post, then each edit). */
  function versionsOf(id: string): Json[] {
    return w.connector
      .callsFor(THREAD)
      .filter(
        (c) =>
          c.status >= 200 &&
          c.status < 300 &&
          ((c.route === 'send' && c.returnedId === id) ||
            (c.route === 'update' && c.activityId === id)),
      )
      .map((c) => cardOfActivity(c.body) ?? {});
  }

  /** Presses an action in the thread as `who`; returns the card Teams shows them. */
  async function act(who: Member, action: PressedAction): Promise<Json> {
    const card = answerCard(await post(w, invoke(w, who, IN_THREAD, action)));
    // People take a few seconds between clicks.
    await w.time.advance(3000);
    return card;
  }

  /** Presses an action without think time (several people at once). */
  async function actNow(who: Member, action: PressedAction): Promise<Json> {
    return answerCard(await post(w, invoke(w, who, IN_THREAD, action)));
  }

  /** The facilitator presses one of their controls; returns the new controls. */
  async function steer(verb: string, where: Json = {}): Promise<Json> {
    const card = await act(FRIDA, press(controls, verb, where));
    expect(errorOf(card), `${verb} was refused`).toBeUndefined();
    expect(textsOf(card), 'the facilitator view').toContain(FACILITATOR_ONLY);
    controls = card;
    return card;
  }

  function errorOf(card: Json): string | undefined {
    const texts = textsOf(card);
    return texts[0] === ERROR_TITLE ? texts[1] : undefined;
  }

  /** The latest connector body of a view equals the card the round's current state renders. */
  async function expectCurrent(what: string, request: ViewRequest): Promise<void> {
    const view = await w.app.service.view(roundId, request);
    expect(view, `no view for ${what}`).toBeDefined();
    if (!view) return;
    const expected = teamsCard(view);
    const { card } = await groupCard(what);
    expect({ body: card.body, actions: card.actions }, what).toEqual({
      body: expected.body,
      actions: expected.actions,
    });
  }

  async function state() {
    const record = await w.app.store.load(roundId);
    if (!record) throw new Error('no round');
    return record;
  }

  it('install, start, seven steps, plan: every card, every count, every answer', async () => {
    // --- Install: the welcome card goes to the channel the bot was added to.
    const install = installed(w, FRIDA, IN_CHANNEL);
    expect((await post(w, install)).status).toBe(200);
    const welcome = w.connector.callsFor(CHANNEL).filter((c) => c.route === 'reply');
    expect(welcome).toHaveLength(1);
    expect(welcome[0]?.activityId).toBe(install.id);
    expect(textsOf(cardOfActivity(welcome[0]?.body))).toContain('Velkommen til Dialogrunde');

    // --- Start: a new channel post that @mentions the bot roots the round's thread.
    const start = mention(w, FRIDA, IN_THREAD, 'start', START_MESSAGE_ID);
    expect((await post(w, start)).status).toBe(200);
    const [round] = await w.app.store.listByConversation(
      { platform: 'teams', tenant: TENANT, conversationId: THREAD },
      1,
    );
    roundId = round?.id ?? '';
    expect(round).toMatchObject({ step: 'intro', status: 'active' });
    expect((await state()).state.settings.deckId).toBe('test-deck');
    // The reply to the command: the hint with the button to the controls.
    const replies = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'reply' && c.activityId === START_MESSAGE_ID);
    expect(replies).toHaveLength(1);
    const hint = cardOfActivity(replies[0]?.body) ?? {};
    expect(textsOf(hint)).toContain('Du er mødeleder');
    await drain(w);
    const intro = await groupCard('step:intro');
    expect(intro.updates).toBe(0);
    expect(textsOf(intro.card)).toContain('Testdæk');
    await expectCurrent('step:intro', { kind: 'step', step: 'intro' });

    // The hint's button: the controls for the facilitator, a refusal for anybody else.
    const refusedControls = await act(ANDERS, press(hint, 'facilitator'));
    expect(errorOf(refusedControls)).toBe(NOT_FACILITATOR);
    controls = await act(FRIDA, press(hint, 'facilitator'));
    expect(textsOf(controls)).toContain('Kun mødelederen ser dette.');

    // A member pressing the facilitator's Next (same data) is refused; nothing changes.
    const before = await state();
    const callsBefore = w.connector.callsFor(THREAD).length;
    const refused = await act(ANDERS, press(controls, 'next', { value: 'intro' }));
    expect(errorOf(refused)).toBe(NOT_FACILITATOR);
    expect(await state()).toEqual(before);
    await drain(w);
    expect(w.connector.callsFor(THREAD)).toHaveLength(callsBefore);

    // --- Scope: the facilitator keeps "all areas" through the scope form.
    await steer('next', { value: 'intro' });
    expect((await state()).state.step).toBe('scope');
    await drain(w);
    const scope = await groupCard('step:scope');
    // A member cannot set the scope either.
    const memberScope = await act(
      ANDERS,
      press(scope.card, 'setScope', {}, { scope: 'fastholdelse' }),
    );
    expect(errorOf(memberScope)).toBe(NOT_FACILITATOR);
    const scoped = await act(FRIDA, press(scope.card, 'setScope', {}, { scope: 'all' }));
    expect(errorOf(scoped)).toBeUndefined();
    expect((await state()).state.scope).toEqual({ kind: 'all' });
    await drain(w);
    await expectCurrent('step:scope', { kind: 'step', step: 'scope' });

    // --- Status: two notes about areas, one general.
    await steer('next', { value: 'scope' });
    await drain(w);
    let status = await groupCard('step:status');
    const notes: [Member, string, string][] = [
      [ANDERS, 'udvikling', 'Mentorordningen kom i gang i foråret.'],
      [BENTE, 'fastholdelse', 'Omsorgssamtalerne virker, men kommer sent.'],
      [CARL, '_general', 'Vi mangler tid til at følge op.'],
    ];
    for (const [who, areaId, text] of notes) {
      const answer = await act(who, press(status.card, 'addNote', {}, { areaId, text }));
      expect(errorOf(answer), `note by ${who.name}`).toBeUndefined();
      await drain(w);
      status = await groupCard('step:status');
    }
    expect((await state()).state.statusNotes.map((n) => [n.areaId, n.text])).toEqual([
      ['udvikling', notes[0]?.[2]],
      ['fastholdelse', notes[1]?.[2]],
      [null, notes[2]?.[2]],
    ]);
    for (const [, , text] of notes) expect(textsOf(status.card).join('\n')).toContain(text);
    expect(status.updates).toBeGreaterThanOrEqual(1);
    await expectCurrent('step:status', { kind: 'step', step: 'status' });

    // --- Rating: every card opened in turn, voted on, closed.
    await steer('next', { value: 'status' });
    expect((await state()).state.step).toBe('rating');
    await drain(w);
    await expectCurrent('step:rating', { kind: 'step', step: 'rating' });
    let open = '';
    for (const [cardId, votes] of Object.entries(VOTES)) {
      await steer('openNextCard', { value: open });
      expect((await state()).state.cards[cardId]).toBe('open');
      open = cardId;
      await drain(w);
      const posted = await groupCard(`card:${cardId}`);
      expect(posted.updates).toBe(0);
      const present = (await w.app.store.counts(roundId)).participants;
      expect(textsOf(posted.card)).toContain(`0 af ${present} har stemt`);
      // In a meeting the votes come within a second: no think time between them.
      if (cardId === 'mentorordninger') {
        // Dorte changes her mind: her first vote is replaced, not added.
        const first = await actNow(DORTE, press(posted.card, 'vote', { value: '1' }));
        expect(textsOf(first).join('\n')).toContain('Din stemme: 1');
      }
      for (const [who, value] of votes) {
        const mine = await actNow(who, press(posted.card, 'vote', { value }));
        expect(textsOf(mine).join('\n')).toContain(`Din stemme: ${shown(value)}`);
        expect(errorOf(mine)).toBeUndefined();
      }
      await drain(w);
      const counted = await groupCard(`card:${cardId}`);
      expect(counted.id).toBe(posted.id);
      // m counts everyone who has joined: the facilitator and every voter so far.
      const joined = (await w.app.store.counts(roundId)).participants;
      expect(textsOf(counted.card)).toContain(`${votes.length} af ${joined} har stemt`);
      // The group's card never carries anybody's own vote.
      expect(JSON.stringify(counted.card)).not.toContain('Din stemme');
      // Each edit moved the count forward; none showed a result while open.
      const counts = versionsOf(posted.id).map((c) =>
        textsOf(c).find((t) => / af \d+ har stemt$/.test(t)),
      );
      expect(counts.every((t) => t !== undefined)).toBe(true);
      const ns = counts.map((t) => Number(t?.split(' ')[0]));
      expect([...ns].sort((a, b) => a - b)).toEqual(ns);
      expect(ns.at(-1)).toBe(votes.length);
      // Coalesced: a burst of votes is fewer edits than votes (one right away, then the rest).
      expect(counted.updates).toBeGreaterThanOrEqual(1);
      expect(counted.updates).toBeLessThanOrEqual(2);
      // Each member's client refreshes the card to their own version. `userIds` lists
      // every member of the team, never just those who voted.
      const refresh = refreshOf(counted.card);
      if (!refresh) throw new Error(`the vote card of ${cardId} has no refresh`);
      expect(refresh.action).toEqual({
        verb: 'refresh',
        data: { command: 'refresh', key: key(`card:${cardId}`) },
      });
      expect([...(refresh.userIds ?? [])].sort()).toEqual(
        EVERYONE.map((m) => `29:${m.aad}`).sort(),
      );
      for (const member of EVERYONE) {
        const own = votes.find(([who]) => who === member)?.[1];
        const asked = invoke(w, member, IN_THREAD, refresh.action, 'automatic');
        const seen = answerCard(await post(w, asked));
        const texts = textsOf(seen).join('\n');
        if (own === undefined) expect(texts).not.toContain('Din stemme');
        else expect(texts).toContain(`Din stemme: ${shown(own)}`);
        expect(texts).toContain(`${votes.length} af ${joined} har stemt`);
      }
    }
    // The last card closes with "next card" when none is left.
    await steer('openNextCard', { value: open });
    await drain(w);
    const tallies = (await w.app.store.counts(roundId)).tallies;
    for (const [cardId, expected] of Object.entries(RESULTS)) {
      expect((await state()).state.cards[cardId]).toBe('closed');
      const result = await groupCard(`card:${cardId}`);
      const texts = textsOf(result.card);
      expect(texts.join('\n')).not.toContain('har stemt');
      if (expected === 'withheld') {
        expect(texts.join('\n')).toContain('færre end 3');
        expect(texts.join('\n')).not.toContain('Gennemsnit');
        expect(distributionOf(result.card)).toEqual([0, 0, 0, 0, 0]);
      } else {
        expect(texts).toContain(expected.text);
        expect(distributionOf(result.card)).toEqual(expected.counts);
      }
      const votes = VOTES[cardId] ?? [];
      expect(tallies[`card:${cardId}`]?.ballots).toBe(votes.length);
      await expectCurrent(`card:${cardId}`, { kind: 'card', cardId });
    }
    expect(
      JSON.stringify(await groupCard('card:supervision')),
      'the abstention is named',
    ).toContain('1 svarede «ved ikke / ikke relevant»');

    // --- Own initiatives: Dorte adds one; it is opened and rated like the others.
    await steer('next', { value: 'rating' });
    expect((await state()).state.step).toBe('custom');
    await drain(w);
    const custom = await groupCard('step:custom');
    const added = await act(
      DORTE,
      press(
        custom.card,
        'addCustomCard',
        {},
        {
          title: 'Fælles frokost om fredagen',
          description: 'En gang om ugen spiser vi sammen.',
          missionId: 'trivsel',
        },
      ),
    );
    expect(errorOf(added)).toBeUndefined();
    const ownCard = (await state()).state.customCards[0];
    expect(ownCard).toMatchObject({ title: 'Fælles frokost om fredagen', missionId: 'trivsel' });
    const ownId = ownCard?.id ?? '';
    await drain(w);
    expect(textsOf((await groupCard('step:custom')).card).join('\n')).toContain(
      'Fælles frokost om fredagen',
    );
    await steer('openNextCard', { value: '' });
    await drain(w);
    const ownVote = await groupCard(`card:${ownId}`);
    for (const who of [FRIDA, ANDERS, CARL]) {
      const mine = await act(who, press(ownVote.card, 'vote', { value: '4' }));
      expect(textsOf(mine).join('\n')).toContain('Din stemme: 4');
    }
    await steer('closeCard', { value: ownId });
    await drain(w);
    expect(textsOf((await groupCard(`card:${ownId}`)).card)).toContain(
      'Gennemsnit 4 · median 4 · 3 har vurderet',
    );
    await expectCurrent('step:custom', { kind: 'step', step: 'custom' });

    // --- Priority: each member picks up to three in the multi-select.
    await steer('next', { value: 'custom' });
    expect((await state()).state.step).toBe('priority');
    await drain(w);
    const priority = await groupCard('step:priority');
    const picks: [Member, string[]][] = [
      [FRIDA, ['kompetenceudvikling', 'omsorgssamtaler']],
      [ANDERS, ['kompetenceudvikling']],
      [BENTE, ['kompetenceudvikling', 'mentorordninger', ownId]],
      [CARL, ['omsorgssamtaler']],
      [DORTE, ['kompetenceudvikling', 'omsorgssamtaler']],
    ];
    for (const [who, cardIds] of picks) {
      const mine = await act(
        who,
        press(priority.card, 'prioritize', {}, { cardIds: cardIds.join(',') }),
      );
      expect(errorOf(mine), `picks of ${who.name}`).toBeUndefined();
      expect(textsOf(mine).join('\n')).toContain('Dine valg:');
    }
    await drain(w);
    expect(textsOf((await groupCard('step:priority')).card)).toContain('5 af 5 har svaret');

    // --- Summary.
    await steer('next', { value: 'priority' });
    expect((await state()).state.step).toBe('summary');
    await drain(w);
    const summary = await groupCard('step:summary');
    const sections = sectionsOf(summary.card);
    // Worked out by hand from VOTES, PICKS and the own initiative (4, 4, 4). Areas and
    // missions: the mean of their cards' means; 'Interne lederfora' (2 ratings) counts nowhere.
    expect(sections).toEqual({
      'Områder, laveste først': [
        ['Udvikling', '3'],
        ['Fastholdelse', '3,3'],
      ],
      'Målsætninger, laveste først': [
        ['Medarbejdere (Udvikling)', '3'],
        ['Ledere (Udvikling)', '3'],
        ['Trivsel på arbejdspladsen (Fastholdelse)', '3,3'],
      ],
      'Indsatser med lavest score': [
        ['Kompetenceudvikling (Medarbejdere)', '1,4'],
        ['Mentorordninger (Ledere)', '3'],
        ['Omsorgssamtaler (Trivsel på arbejdspladsen)', '3'],
        ['Nærværsfaktorer (Trivsel på arbejdspladsen)', '3'],
      ],
      'Det lykkes vi med (4–5)': [
        ['Supervision og sparring (Medarbejdere)', '4,5'],
        ['Fælles frokost om fredagen (Trivsel på arbejdspladsen)', '4'],
      ],
      'Her er vi uenige': [
        ['Mentorordninger (Ledere)', '3'],
        ['Omsorgssamtaler (Trivsel på arbejdspladsen)', '3'],
      ],
      'Det prioriterer vi': [
        ['Kompetenceudvikling', '4 valg'],
        ['Omsorgssamtaler', '3 valg'],
        ['Mentorordninger', '1 valg'],
        ['Fælles frokost om fredagen', '1 valg'],
      ],
    });
    expect(textsOf(summary.card)).toContain('5 deltagere');
    // The card with two ratings is named nowhere with a score.
    expect(JSON.stringify(sections)).not.toContain('Interne lederfora');
    expect(textsOf(summary.card)).toContain(
      '1 kort har færre end 3 vurderinger, så dets resultat vises ikke.',
    );
    await expectCurrent('step:summary', { kind: 'step', step: 'summary' });

    // --- Step 7 brings the plan card (with its form) along with the summary.
    const plan = await groupCard('plan');
    const item = await act(
      FRIDA,
      press(
        plan.card,
        'addPlanItem',
        {},
        {
          what: 'Kompetenceudvikling',
          goal: 'Alle har en udviklingsplan',
          actions: 'Samtaler i januar',
          owner: 'Bente',
          due: '2027-01-31',
        },
      ),
    );
    expect(errorOf(item)).toBeUndefined();
    expect((await state()).state.plan).toEqual([
      expect.objectContaining({
        what: 'Kompetenceudvikling',
        owner: expect.objectContaining({ name: 'Bente' }),
        due: '2027-01-31',
        status: 'open',
      }),
    ]);
    await drain(w);
    const planned = await groupCard('plan');
    expect(planned.id).toBe(plan.id);
    expect(textsOf(planned.card).join('\n')).toContain('Alle har en udviklingsplan');
    await expectCurrent('plan', { kind: 'plan' });

    // --- Finish: the round ends; the plan card stays the same message.
    await steer('next', { value: 'summary' });
    expect((await state()).state.status).toBe('ended');
    await drain(w);
    expect((await groupCard('plan')).id).toBe(plan.id);
    await expectCurrent('status', { kind: 'roundStatus' });
    const itemId = (await state()).state.plan[0]?.id ?? '';
    const reminders = await w.app.scheduler.pending(roundId);
    expect(reminders.map((j) => (j.type === 'reminder' ? [j.itemId, j.daysBefore] : []))).toEqual([
      [itemId, 7],
      [itemId, 0],
    ]);

    // Progress on the item: a member who is not its owner cannot report it; the facilitator can.
    const blocked = await act(ANDERS, press(planned.card, 'planBlocked', { value: itemId }));
    expect(errorOf(blocked)).toBeDefined();
    expect((await state()).state.plan[0]?.status).toBe('open');
    const done = await act(FRIDA, press(planned.card, 'planDone', { value: itemId }));
    expect(errorOf(done)).toBeUndefined();
    expect((await state()).state.plan[0]?.status).toBe('done');
    expect(await w.app.scheduler.pending(roundId)).toEqual([]);
    await drain(w);
    const finished = await groupCard('plan');
    expect(finished.id).toBe(plan.id);
    expect(textsOf(finished.card).join('\n')).toContain('Udført');
    // A done item offers no more buttons.
    expect(offered(finished.card).filter((a) => a.data.value === itemId)).toEqual([]);
    await expectCurrent('plan', { kind: 'plan' });

    // --- The end: everything flushed; the connector shows what the round's state renders.
    await drain(w);
    expectEvery429Retried(w, THREAD);
    const everything = JSON.stringify(w.connector.activitiesIn(THREAD));
    expect(everything).not.toContain(FACILITATOR_ONLY);
    expect(everything).not.toContain('Sig: ');
    // One message per view, posted once and edited in place from then on.
    const keys = [...new Set(w.sent.filter((m) => m.audience === 'group').map((m) => m.view.key))];
    const cardIds = [...Object.keys(VOTES), ownId];
    expect(keys.map((k) => k.slice(roundId.length + 1)).sort()).toEqual(
      [
        'step:intro',
        'step:scope',
        'step:status',
        'step:rating',
        ...cardIds.map((id) => `card:${id}`),
        'step:custom',
        'step:priority',
        'step:summary',
        'status',
        'plan',
      ].sort(),
    );
    const ids = await Promise.all(
      keys.map((k) => w.app.store.channelMemory.message('teams', THREAD, k)),
    );
    expect(new Set(ids).size).toBe(keys.length);
    const posts = w.connector
      .callsFor(THREAD)
      .filter((c) => c.route === 'send' && c.status === 201);
    expect(posts).toHaveLength(keys.length);
    expect(w.connector.callsFor(THREAD).filter((c) => c.route === 'reply')).toHaveLength(1);
    for (const viewKey of keys) {
      const id = await w.app.store.channelMemory.message('teams', THREAD, viewKey);
      const card = cardOfActivity(w.connector.activity(THREAD, id ?? '')?.activity);
      // Transport: the latest body is the last view the app handed to the channel for it.
      const last = w.sent.filter((m) => m.view.key === viewKey).at(-1);
      const sentCard = last ? teamsCard(last.view) : {};
      expect({ body: card?.body, actions: card?.actions }, viewKey).toEqual({
        body: sentCard.body,
        actions: sentCard.actions,
      });
      // State: ... and what the round's final state renders for that view.
      const what = viewKey.slice(roundId.length + 1);
      const request = requestOfKey(what);
      const view = await w.app.service.view(roundId, request);
      const current = view ? teamsCard(view) : {};
      expect({ body: card?.body, actions: card?.actions }, `${what} is current`).toEqual({
        body: current.body,
        actions: current.actions,
      });
    }
  });
});
