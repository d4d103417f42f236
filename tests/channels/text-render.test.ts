import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDeckFile } from '../../src/app/decks.ts';
import { renderText } from '../../src/channels/text/render.ts';
import type {
  BoxId,
  Lang,
  PlanItem,
  RoundCounts,
  RoundState,
  Tally,
} from '../../src/core/model.ts';
import { transition } from '../../src/core/round/transition.ts';
import { cardView, withYourVote } from '../../src/core/views/cards.ts';
import { facilitatorView, roundStatusView } from '../../src/core/views/facilitator.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { errorView, helpView } from '../../src/core/views/messages.ts';
import { planView, reminderView } from '../../src/core/views/plan.ts';
import {
  customView,
  introView,
  priorityView,
  ratingView,
  scopeView,
  statusView,
  withYourPicks,
} from '../../src/core/views/steps.ts';
import { summaryView } from '../../src/core/views/summary.ts';
import type { CardResultView, CardVoteView, ViewModel } from '../../src/core/views/types.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Monday 23 November 2026, 10:00 in Copenhagen. */
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

function started(lang: Lang, mode: 'sync' | 'async' = 'sync'): RoundState {
  const result = transition(
    undefined,
    {
      type: 'start',
      roundId: 'r1',
      settings: testSettings({ lang, mode }),
      conversation: { platform: 'web', tenant: 'local', conversationId: 'c1' },
      scope: { kind: 'all' },
    },
    { now: T0, deck: testDeck, actor: { kind: 'user', key: 'fac' } },
  );
  if (!result.ok) throw new Error(result.error.code);
  return result.value.state;
}

type Counts = Partial<Record<'1' | '2' | '3' | '4' | '5' | 'na', number>>;

const tally = (counts: Counts | Record<string, number>, ballots?: number): Tally => ({
  ballots: ballots ?? Object.values(counts).reduce((a: number, b) => a + (b ?? 0), 0),
  counts: counts as Record<string, number>,
});

function counts(
  tallies: Record<string, Counts> = {},
  extra: Partial<RoundCounts> = {},
  participants = 5,
): RoundCounts {
  const sealed: Partial<Record<BoxId, Tally>> = {};
  for (const [id, c] of Object.entries(tallies)) sealed[`card:${id}`] = tally(c);
  return { participants, ballots: {}, ...extra, tallies: { ...sealed, ...extra.tallies } };
}

function input(
  lang: Lang,
  patch: Partial<RoundState> = {},
  roundCounts: RoundCounts = counts(),
  mode: 'sync' | 'async' = 'sync',
): ViewInput {
  return {
    deck: testDeck,
    state: { ...started(lang, mode), ...patch },
    counts: roundCounts,
    now: T0,
  };
}

const ALL_CLOSED = {
  mentorordninger: 'closed',
  lederfora: 'closed',
  supervision: 'closed',
  kompetenceudvikling: 'closed',
  omsorgssamtaler: 'closed',
  naervaer: 'closed',
} as const;

/*
 * Closed tallies, k = 3:
 *   mentorordninger      1, 3, 3, 3 + 1 na   mean 2.5, median 3
 *   lederfora            4, 4, 5, 5          mean 4.5, median 4.5
 *   supervision          1, 1, 5, 5          mean 3, median 3, disagreement
 *   kompetenceudvikling  4, 5 + 2 na         n = 2 < 3: withheld
 *   omsorgssamtaler      2, 2, 3             mean 7/3 ≈ 2.3, median 2
 *   naervaer             3, 4, 4, 5          mean 4, median 4
 */
const TALLIES: Record<string, Counts> = {
  mentorordninger: { '1': 1, '3': 3, na: 1 },
  lederfora: { '4': 2, '5': 2 },
  supervision: { '1': 2, '5': 2 },
  kompetenceudvikling: { '4': 1, '5': 1, na: 2 },
  omsorgssamtaler: { '2': 2, '3': 1 },
  naervaer: { '3': 1, '4': 2, '5': 1 },
};

const PLAN: PlanItem[] = [
  {
    id: 'p1',
    what: 'Mentorordninger',
    goal: 'Alle nye ledere får en mentor',
    actions: 'Find tre mentorer og aftal første møde',
    owner: { name: 'Anne' },
    due: '2026-12-23',
    link: { kind: 'card', id: 'mentorordninger' },
    status: 'open',
    postponed: 2,
    createdAt: T0,
    updatedAt: T0,
  },
  {
    id: 'p2',
    what: 'Trivsel på arbejdspladsen',
    goal: '',
    actions: '',
    owner: { name: 'Arbejdsmiljørepræsentanten', user: { platform: 'web', userId: 'u9' } },
    due: '2027-01-22',
    link: { kind: 'mission', id: 'trivsel' },
    status: 'done',
    postponed: 0,
    createdAt: T0,
    updatedAt: T0,
  },
];

function summaryInput(lang: Lang, patch: Partial<RoundState> = {}): ViewInput {
  return input(
    lang,
    { step: 'summary', cards: { ...ALL_CLOSED }, priority: 'closed', ...patch },
    counts(TALLIES, {
      tallies: {
        priority: tally({ supervision: 3, mentorordninger: 3, kompetenceudvikling: 1 }, 4),
      },
    }),
  );
}

/** Rating step: mentorordninger closed, lederfora open with 2 of 5 votes in. */
const openCard = () =>
  input(
    'da',
    { step: 'rating', cards: { mentorordninger: 'closed', lederfora: 'open' } },
    counts(
      { mentorordninger: TALLIES.mentorordninger ?? {} },
      { ballots: { 'card:lederfora': 2 } },
    ),
  );

function card(view: ViewModel | undefined): CardVoteView | CardResultView {
  if (view?.kind !== 'cardVote' && view?.kind !== 'cardResult') throw new Error('not a card');
  return view;
}

const render = (view: ViewModel | undefined) => {
  if (!view) throw new Error('no view');
  return renderText(view);
};

describe('renderText in Danish', () => {
  it('intro', () => {
    expect(render(introView(input('da')))).toMatchInlineSnapshot(`
      "== Trin 1 af 7 · Testdæk ==
      Trin: Introduktion.
      Sådan forløber runden:
        1. Introduktion
        2. Mødets omfang
        3. Statusopsummering
        4. Placér dialogkortene
        5. Hvad har vi mere gjort?
        6. Bæredygtighed
        7. Opsamling og afrunding
      Omfang: Alle områder
      Mødelederen styrer tempoet og åbner ét kort ad gangen.
      Alle stemmer er anonyme: ingen – heller ikke mødelederen – kan se, hvem der har stemt hvad. Et korts resultat vises først, når afstemningen er lukket, og kun hvis mindst 3 har vurderet det.
      Til sidst aftaler vi en opfølgningsplan. Den ansvarlige får en påmindelse 7 dage før fristen og på selve dagen."
    `);
  });

  it('scope, with one area chosen', () => {
    const view = scopeView(
      input('da', { step: 'scope', scope: { kind: 'area', areaId: 'fastholdelse' } }),
    );
    expect(render(view)).toMatchInlineSnapshot(`
      "== Trin 2 af 7 · Mødets omfang ==
      Trin: Mødets omfang.
        - [ ] Alle områder
        - [ ] Kun Udvikling, i dybden
        - [x] Kun Fastholdelse, i dybden"
    `);
  });

  it('status with notes and a deadline (async)', () => {
    const view = statusView(
      input(
        'da',
        {
          step: 'status',
          deadline: T0 + 30 * 60_000,
          statusNotes: [
            { id: 'n1', areaId: 'udvikling', text: 'Vi har fået en mentorordning.', at: T0 },
            { id: 'n2', areaId: null, text: 'Travlt efter sommerferien.', at: T0 },
            { id: 'n3', areaId: 'udvikling', text: 'Lederforum mødes hver måned.', at: T0 },
          ],
        },
        counts(),
        'async',
      ),
    );
    expect(render(view)).toMatchInlineSnapshot(`
      "== Trin 3 af 7 · Statusopsummering ==
      Trin: Statusopsummering.
      Udvikling:
        - Vi har fået en mentorordning.
        - Lederforum mødes hver måned.
      Fastholdelse:
        Ingen noter endnu.
      Generelt:
        - Travlt efter sommerferien.
      Åben til 23. november 2026 kl. 10.30"
    `);
  });

  it('rating', () => {
    const view = ratingView(
      input('da', {
        step: 'rating',
        cards: { ...ALL_CLOSED, omsorgssamtaler: 'open', naervaer: 'pending' },
      }),
    );
    expect(render(view)).toMatchInlineSnapshot(`
      "== Trin 4 af 7 · Placér dialogkortene ==
      Trin: Placér dialogkortene.
      1 = indsatsen fungerer dårligt hos os · 5 = den fungerer rigtig godt"
    `);
  });

  it('cardVote for an open card, without and with the voter’s own vote', () => {
    const i = openCard();
    const view = card(cardView(i, 'lederfora'));
    expect(view.kind).toBe('cardVote');
    expect(render(view)).toMatchInlineSnapshot(`
      "== Interne lederfora ==
      Udvikling › Ledere
      Om Interne lederfora.
      Tal om:
        - Virker det?
        - Hvad kan gøres bedre?
      1 = indsatsen fungerer dårligt hos os · 5 = den fungerer rigtig godt
      [1] [2] [3] [4] [5] [Ved ikke / ikke relevant]
      2 af 5 har stemt"
    `);
    expect(render(withYourVote(i, view as CardVoteView, 4))).toMatchInlineSnapshot(`
      "== Interne lederfora ==
      Udvikling › Ledere
      Om Interne lederfora.
      Tal om:
        - Virker det?
        - Hvad kan gøres bedre?
      1 = indsatsen fungerer dårligt hos os · 5 = den fungerer rigtig godt
      [1] [2] [3] [4] [5] [Ved ikke / ikke relevant]
      2 af 5 har stemt
      Din stemme: 4. Du kan ændre den, indtil kortet lukkes."
    `);
    expect(render(withYourVote(i, view as CardVoteView, 'na'))).toContain(
      'Din stemme: Ved ikke / ikke relevant.',
    );
  });

  it('an open card shows no distribution and no result', () => {
    const text = render(cardView(openCard(), 'lederfora'));
    expect(text).not.toMatch(/^ {2}[1-5]: /m);
    expect(text).not.toContain('#');
    expect(text).not.toMatch(/Gennemsnit|median/);
    expect(text).toContain('2 af 5 har stemt');
  });

  it('cardResult released, with abstentions', () => {
    const view = card(cardView(summaryInput('da'), 'mentorordninger'));
    expect(view.kind).toBe('cardResult');
    expect(render(view)).toMatchInlineSnapshot(`
      "== Mentorordninger ==
      Udvikling › Ledere
      Gennemsnit 2,5 · median 3 · 4 har vurderet
        1: # 1
        2: 0
        3: ### 3
        4: 0
        5: 0
      1 svarede «ved ikke / ikke relevant»
      Fungerer delvist"
    `);
  });

  it('cardResult released, with disagreement', () => {
    expect(render(cardView(summaryInput('da'), 'supervision'))).toMatchInlineSnapshot(`
      "== Supervision og sparring ==
      Udvikling › Medarbejdere
      Gennemsnit 3 · median 3 · 4 har vurderet
        1: ## 2
        2: 0
        3: 0
        4: 0
        5: ## 2
      Fungerer delvist
      Meningerne er delte – tal om hvorfor."
    `);
  });

  it('cardResult withheld below k: no mean, median or distribution', () => {
    const view = card(cardView(summaryInput('da'), 'kompetenceudvikling'));
    expect(view).toMatchObject({ kind: 'cardResult', released: false });
    const text = render(view);
    expect(text).toMatchInlineSnapshot(`
      "== Kompetenceudvikling ==
      Udvikling › Medarbejdere
      Resultatet vises ikke, fordi færre end 3 har vurderet kortet. Det beskytter den enkeltes stemme."
    `);
    expect(text).not.toMatch(/Gennemsnit|median|#/);
    expect(text).not.toMatch(/\d,\d|^ {2}[1-5]: /m);
    // neither the two ratings (4, 5) nor the two abstentions leak
    expect(text).not.toMatch(/\b[245]\b/);
  });

  it('custom, with and without own initiatives', () => {
    const withCard = customView(
      input('da', {
        step: 'custom',
        cards: { ...ALL_CLOSED, c1: 'pending' },
        customCards: [
          { id: 'c1', missionId: 'trivsel', title: 'Fælles frokost', description: '', addedAt: T0 },
        ],
      }),
    );
    expect(render(withCard)).toMatchInlineSnapshot(`
      "== Trin 5 af 7 · Hvad har vi mere gjort? ==
      Trin: Hvad har vi mere gjort?.
        - Fælles frokost (Trivsel på arbejdspladsen)
      Der er plads til 8 egne initiativer mere."
    `);
    expect(render(customView(input('da', { step: 'custom' })))).toContain(
      'Ingen egne initiativer endnu.',
    );
  });

  it('priority, and the copy with the participant’s picks', () => {
    const i = input(
      'da',
      { step: 'priority', cards: { ...ALL_CLOSED }, priority: 'open' },
      counts(TALLIES, { ballots: { priority: 3 } }),
    );
    const view = priorityView(i);
    expect(render(view)).toMatchInlineSnapshot(`
      "== Trin 6 af 7 · Bæredygtighed ==
      Trin: Bæredygtighed.
      Vælg op til 3 indsatser, der betyder mest for et bæredygtigt arbejdsmiljø hos os.
        - Mentorordninger (Ledere · 2,5)
        - Interne lederfora (Ledere · 4,5)
        - Supervision og sparring (Medarbejdere · 3)
        - Kompetenceudvikling (Medarbejdere)
        - Omsorgssamtaler (Trivsel på arbejdspladsen · 2,3)
        - Nærværsfaktorer (Trivsel på arbejdspladsen · 4)
      3 af 5 har svaret"
    `);
    expect(render(withYourPicks(i, view, ['supervision', 'naervaer']))).toContain(
      'Dine valg: Supervision og sparring og Nærværsfaktorer. Du kan ændre dem, indtil trinnet lukkes.',
    );
  });

  it('summary', () => {
    expect(render(summaryView(summaryInput('da')))).toMatchInlineSnapshot(`
      "== Trin 7 af 7 · Opsamling og afrunding ==
      5 deltagere
      Områder, laveste først:
        1. Fastholdelse 3,2
        2. Udvikling 3,3
      Målsætninger, laveste først:
        1. Medarbejdere (Udvikling) 3
        2. Trivsel på arbejdspladsen (Fastholdelse) 3,2
        3. Ledere (Udvikling) 3,5
      Indsatser med lavest score:
        1. Omsorgssamtaler (Trivsel på arbejdspladsen) 2,3
        2. Mentorordninger (Ledere) 2,5
        3. Supervision og sparring (Medarbejdere) 3
      Det lykkes vi med (4–5):
        1. Interne lederfora (Ledere) 4,5
        2. Nærværsfaktorer (Trivsel på arbejdspladsen) 4
      Her er vi uenige:
        1. Supervision og sparring (Medarbejdere) 3
      Det prioriterer vi:
        1. Mentorordninger 3 valg
        2. Supervision og sparring 3 valg
        3. Kompetenceudvikling 1 valg
      1 kort har færre end 3 vurderinger, så dets resultat vises ikke."
    `);
  });

  it('summary of a round ended early, priorities not finished', () => {
    const text = render(summaryView(summaryInput('da', { endedEarly: true, priority: 'open' })));
    expect(text).toContain('Runden blev afsluttet før tid.');
    expect(text).toContain('Det prioriterer vi:\n  Prioriteringen er ikke afsluttet.');
  });

  it('plan, and an empty plan', () => {
    expect(render(planView(input('da', { step: 'summary', plan: PLAN })))).toMatchInlineSnapshot(`
      "== Opfølgningsplan ==
        1. Mentorordninger (Åben)
           Hvad vil vi gerne opnå? Alle nye ledere får en mentor
           Hvad kan vi gøre? Find tre mentorer og aftal første møde
           Hvem står for det? Anne · Hvornår? 23. december 2026
           Udskudt 2 gange
        2. Trivsel på arbejdspladsen (Udført)
           Hvem står for det? Arbejdsmiljørepræsentanten · Hvornår? 22. januar 2027"
    `);
    expect(render(planView(input('da')))).toBe('== Opfølgningsplan ==\nIngen aftaler endnu.');
  });

  it('reminder, days before and on the day', () => {
    const i = input('da', { status: 'ended', plan: PLAN });
    expect(render(reminderView(i, 'p1', 7))).toMatchInlineSnapshot(`
      "== Påmindelse: opfølgning ==
      Om 7 dage (23. december 2026) er fristen for: Mentorordninger
      Ansvarlig: Anne
      [Udført] [Udskyd en uge] [Blokeret]"
    `);
    expect(render(reminderView(i, 'p1', 0))).toContain('I dag er fristen for: Mentorordninger');
  });

  it('facilitator, with one card open', () => {
    const view = facilitatorView(openCard());
    expect(render(view)).toMatchInlineSnapshot(`
      "== Trin 4 af 7 · Til mødelederen: Placér dialogkortene ==
      Kun mødelederen ser dette.
        - Sig: Placér dialogkortene.
        - Spørg gruppen.
      Åbne kort: Interne lederfora
      2 af 5 har stemt
      [Åbn næste kort] [Luk kortet: Interne lederfora] [Næste trin] [Et trin tilbage] [Pause] [Afslut runden]"
    `);
  });

  it('facilitator of a paused round', () => {
    expect(render(facilitatorView(input('da', { status: 'paused', pausedAt: T0 })))).toContain(
      '[Fortsæt] [Afslut runden]',
    );
  });

  it('roundStatus', () => {
    expect(render(roundStatusView(input('da', { status: 'paused' })))).toBe('Runden holder pause.');
    expect(render(roundStatusView(input('da', { status: 'ended' })))).toBe(
      'Runden er afsluttet. Tak for dialogen!',
    );
  });

  it('help', () => {
    expect(render(helpView('da', 3))).toMatchInlineSnapshot(`
      "== Sådan bruger du Dialogrunde ==
      Dialogrunde guider jer gennem dialogværktøjet «Bæredygtigt arbejdsmiljø» i syv trin: introduktion, omfang, status, vurdering af dialogkortene, egne initiativer, prioritering og opsamling med opfølgningsplan.
        - start – start en runde; den, der starter, er mødeleder
        - status – se, hvor runden er
        - stop – afslut runden (kun mødelederen)
        - slet – slet runden og alt, der er gemt om den (kun mødelederen)
        - hjælp – vis denne hjælp
      Stemmer er anonyme. Resultater vises først, når et kort er lukket, og kun hvis mindst 3 har vurderet det."
    `);
  });

  it('error', () => {
    expect(
      render(errorView('da', { code: 'too_many_priorities', params: { max: 3 } })),
    ).toMatchInlineSnapshot(`"Det lod sig ikke gøre: Du kan højst vælge 3 indsatser."`);
    expect(render(errorView('da', 'unexpected'))).toMatchInlineSnapshot(
      `"Det lod sig ikke gøre: Noget gik galt hos os. Prøv igen om lidt; dine tidligere svar er gemt."`,
    );
  });
});

describe('renderText in English', () => {
  it('intro (async)', () => {
    expect(render(introView(input('en', {}, counts(), 'async')))).toMatchInlineSnapshot(`
      "== Step 1 of 7 · Test deck ==
      Step: Introduction.
      How the round goes:
        1. Introduction
        2. Scope
        3. Status
        4. Rate the cards
        5. What else have we done?
        6. Sustainability
        7. Summary
      Scope: All areas
      Each step is open until a deadline; then the round moves on by itself.
      All votes are anonymous: nobody, the facilitator included, can see who voted what. A card's result is shown only after voting has closed, and only if at least 3 people rated it.
      At the end we agree on a follow-up plan. The person responsible gets a reminder 7 days before the due date and on the day."
    `);
  });

  it('cardResult released and withheld', () => {
    expect(render(cardView(summaryInput('en'), 'naervaer'))).toMatchInlineSnapshot(`
      "== Presence factors ==
      Retention › Well-being at work
      Mean 4 · median 4 · 4 rated
        1: 0
        2: 0
        3: # 1
        4: ## 2
        5: # 1
      Works well"
    `);
    expect(render(cardView(summaryInput('en'), 'kompetenceudvikling'))).toMatchInlineSnapshot(`
      "== Skills development ==
      Development › Staff
      The result is not shown because fewer than 3 people rated this card. This protects each vote."
    `);
  });

  it('summary', () => {
    expect(render(summaryView(summaryInput('en')))).toMatchInlineSnapshot(`
      "== Step 7 of 7 · Summary ==
      5 participants
      Areas, lowest first:
        1. Retention 3.2
        2. Development 3.3
      Missions, lowest first:
        1. Staff (Development) 3
        2. Well-being at work (Retention) 3.2
        3. Managers (Development) 3.5
      Lowest-scoring initiatives:
        1. Care conversations (Well-being at work) 2.3
        2. Mentoring schemes (Managers) 2.5
        3. Supervision and sparring (Staff) 3
      What works well (4–5):
        1. Internal manager forums (Managers) 4.5
        2. Presence factors (Well-being at work) 4
      Where we disagree:
        1. Supervision and sparring (Staff) 3
      What we prioritise:
        1. Mentoring schemes 3 picks
        2. Supervision and sparring 3 picks
        3. Skills development 1 pick
      1 card has fewer than 3 ratings, so its result is not shown."
    `);
  });

  it('plan', () => {
    expect(render(planView(input('en', { plan: PLAN })))).toMatchInlineSnapshot(`
      "== Follow-up plan ==
        1. Mentorordninger (Open)
           What do we want to achieve? Alle nye ledere får en mentor
           What can we do? Find tre mentorer og aftal første møde
           Who is responsible? Anne · When? 23 December 2026
           Postponed 2 times
        2. Trivsel på arbejdspladsen (Done)
           Who is responsible? Arbejdsmiljørepræsentanten · When? 22 January 2027"
    `);
  });

  it('help and error', () => {
    expect(render(helpView('en', 4))).toMatchInlineSnapshot(`
      "== How to use Dialogrunde ==
      Dialogrunde guides you through the dialogue tool “Sustainable work environment” in seven steps: introduction, scope, status, rating the dialogue cards, own initiatives, prioritisation, and a summary with a follow-up plan.
        - start – start a round; whoever starts it is the facilitator
        - status – see where the round is
        - stop – end the round (facilitator only)
        - delete – delete the round and everything stored about it (facilitator only)
        - help – show this help
      Votes are anonymous. Results are shown only after a card has closed, and only if at least 4 people rated it."
    `);
    expect(
      render(errorView('en', { code: 'invalid_time_zone', params: { timeZone: 'Mars/Olympus' } })),
    ).toMatchInlineSnapshot(
      `"That did not work: The time zone “Mars/Olympus” is unknown. Use e.g. Europe/Copenhagen."`,
    );
  });
});

describe('scope wording follows the deck', () => {
  it('says "Alle tre områder" only for a deck with three areas', () => {
    const deck = loadDeckFile(join(ROOT, 'decks', 'baeredygtigt-arbejdsmiljoe.json'));
    expect(deck.areas).toHaveLength(3);
    const state: RoundState = { ...started('da'), settings: testSettings({ deckId: deck.id }) };
    const three = render(introView({ deck, state, counts: counts(), now: T0 }));
    expect(three).toContain('Omfang: Alle tre områder');
    expect(render(introView(input('da')))).toContain('Omfang: Alle områder');
    expect(render(scopeView(input('en')))).toContain('[x] All areas');
  });
});

describe('renderText covers every view kind', () => {
  it('renders each kind to non-empty text without unfilled placeholders or "undefined"', () => {
    const i = summaryInput('da', { plan: PLAN });
    const views: ViewModel[] = [
      introView(i),
      scopeView(i),
      statusView(i),
      ratingView(i),
      card(cardView(openCard(), 'lederfora')),
      card(cardView(i, 'mentorordninger')),
      customView(i),
      priorityView(i),
      summaryView(i),
      planView(i),
      reminderView(i, 'p2', 0) as ViewModel,
      facilitatorView(i),
      roundStatusView(i),
      helpView('da'),
      errorView('da', { code: 'plan_limit', params: { max: 50 } }),
    ];
    expect(new Set(views.map((v) => v.kind)).size).toBe(15);
    for (const view of views) {
      const text = renderText(view);
      expect(text.trim(), view.kind).not.toBe('');
      expect(text, view.kind).not.toMatch(/\{\w+\}|undefined|null|NaN|\[object/);
    }
  });
});
