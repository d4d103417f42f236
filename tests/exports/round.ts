import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { RoundDefaults, ServiceCommand } from '../../src/app/round-service.ts';
import { prioritize, vote } from '../../src/app/voting.ts';
import type { DomainError } from '../../src/core/errors.ts';
import type { Rating } from '../../src/core/model.ts';
import type { Result } from '../../src/core/result.ts';
import type { ViewInput } from '../../src/core/views/input.ts';

/**
 * One whole round driven through the app layer, as the exports get it:
 * 5 participants, k = 3, Danish, Copenhagen. Some cards are rated by hand so
 * the tests can compute their numbers; one is rated by only 2 (withheld); the
 * texts people type are hostile (`<script>`, `|`, `=SUM(1)`, commas…).
 */

export const ARTIFACTS = join(process.cwd(), 'test-results', 'exports');

export function writeArtifact(name: string, content: string | Buffer): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, name), content);
}

export const NOW = Date.UTC(2026, 10, 23, 9, 0, 0);

/** Ratings by participant 0…4; null = did not vote. */
export const HAND_RATED: Record<string, (Rating | null)[]> = {
  // n 5, mean 3.4, median 4, distribution 1 1 0 1 2
  mentorordninger: [1, 2, 4, 5, 5],
  // n 4, 1 abstention, mean 3.5, median 3.5
  'kompetenceudvikling-for-ledere': [3, 3, 4, 4, 'na'],
  // only 2 ratings (the abstention does not count towards k): withheld
  'interne-lederfora': [2, 4, 'na', null, null],
  // everyone rates it low: weak
  'undgaa-stress': [1, 2, 2, 1, 3],
};

export const CUSTOM = {
  formula: {
    id: 'custom-1',
    missionId: 'organisation',
    title: '=SUM(1) <script>alert("x")</script>',
  },
  lunch: {
    id: 'custom-2',
    missionId: 'mental-sundhed',
    title: 'Fælles frokost | æøå, "citat" & mere',
  },
} as const;

export const STATUS_NOTES = {
  udvikling: '<script>alert(1)</script> & "citat" [link](http://evil.example)',
  general: 'a | b, c; d # e *f* _g_',
};

export const PLAN = {
  stress: {
    what: 'Stress | <b>fet</b> [link](http://x) *x* _y_ # h `kode`',
    goal: 'Færre sygedage, mindre stress; mere ro\\pause',
    actions: '=HYPERLINK("http://x") og faste møder',
    owner: 'Åse Ørsted',
    // Reminders a week before (25 March, CET) and on the day (1 April, CEST): across the DST change.
    due: '2027-04-01',
  },
  done: { what: 'Mentorordning for nye ledere', due: '2026-12-15' },
  blocked: {
    what: 'Læs æøå-guiden om trivsel og arbejdsfællesskab, og aftal i teamet hvordan vi følger op på den – også hen over sommerferien',
    due: '2027-01-10',
  },
};

function must<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw new Error(`refused: ${result.error.code}`);
  return result.value;
}

function ratingFor(cardId: string, cardIndex: number, person: number): Rating | null {
  const hand = HAND_RATED[cardId];
  if (hand) return hand[person] ?? null;
  const base = 1 + ((cardIndex * 3) % 5);
  const offset = [0, 1, -1, 0, 1][person] ?? 0;
  return Math.min(5, Math.max(1, base + offset)) as Rating;
}

export async function playRound(): Promise<ViewInput> {
  const clock = new ManualClock(NOW);
  const defaults: RoundDefaults = {
    deckId: 'baeredygtigt-arbejdsmiljoe',
    lang: 'da',
    mode: 'sync',
    timeZone: 'Europe/Copenhagen',
    k: 3,
    maxPriorities: 3,
    reminderDaysBefore: 7,
    reminderHour: 9,
    stepMinutes: { status: 60, rating: 120, custom: 60, priority: 60 },
  };
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: 'exports-test-secret-0123456789-abcdef',
    clock,
    output: { send: async () => {} },
    decks: DeckCatalog.load(),
    defaults,
    logger: silentLogger(),
  });
  try {
    const people: Identity[] = Array.from({ length: 5 }, (_, i) => ({
      platform: 'web',
      tenant: 'local',
      userId: `p-${i}`,
    }));
    const fac = people[0] as Identity;
    const { roundId } = must(
      await app.service.start(fac, {
        conversation: { platform: 'web', tenant: 'local', conversationId: 'exports' },
      }),
    );
    for (const p of people) must(await app.service.join(roundId, p));
    const command = async (c: ServiceCommand, who: Identity = fac) =>
      must(await app.service.command(roundId, who, c));
    const rateAll = async () => {
      let index = 0;
      for (;;) {
        const result = await app.service.command(roundId, fac, { type: 'openNextCard' });
        if (!result.ok && result.error.code === 'no_pending_cards') return;
        const state = must(result).state;
        const open = Object.keys(state.cards).find((id) => state.cards[id] === 'open');
        if (!open) continue;
        for (const [p, who] of people.entries()) {
          const rating = open.startsWith('custom-')
            ? ([4, 5, 4, 5, 3][p] as Rating)
            : ratingFor(open, index, p);
          if (rating !== null) must(await vote(app.service, roundId, who, open, rating));
        }
        index++;
      }
    };

    await command({ type: 'next' }); // → scope
    await command({ type: 'next' }); // → status
    await command(
      { type: 'addStatusNote', noteId: 'n1', areaId: 'udvikling', text: STATUS_NOTES.udvikling },
      people[1],
    );
    await command(
      { type: 'addStatusNote', noteId: 'n2', areaId: null, text: STATUS_NOTES.general },
      people[2],
    );
    await command({ type: 'next' }); // → rating
    await rateAll();
    await command({ type: 'next' }); // → custom
    for (const c of Object.values(CUSTOM)) {
      await command(
        {
          type: 'addCustomCard',
          cardId: c.id,
          missionId: c.missionId,
          title: c.title,
          description: '',
        },
        people[3],
      );
    }
    await rateAll();
    await command({ type: 'next' }); // → priority
    const picks = [
      ['undgaa-stress', 'mentorordninger', CUSTOM.formula.id],
      ['undgaa-stress', CUSTOM.lunch.id],
      ['undgaa-stress', 'mentorordninger'],
      ['mentorordninger'],
      ['undgaa-stress', CUSTOM.formula.id],
    ];
    for (const [p, who] of people.entries())
      must(await prioritize(app.service, roundId, who, picks[p]));
    await command({ type: 'next' }); // → summary
    const { stress, done, blocked } = PLAN;
    await command({
      type: 'addPlanItem',
      itemId: 'plan-1',
      input: {
        ...stress,
        owner: { name: stress.owner },
        link: { kind: 'mission', id: 'mental-sundhed' },
      },
    });
    await command({
      type: 'addPlanItem',
      itemId: 'plan-2',
      input: {
        what: done.what,
        goal: '',
        actions: '',
        owner: { name: 'Leder' },
        due: done.due,
        link: null,
      },
    });
    await command({
      type: 'addPlanItem',
      itemId: 'plan-3',
      input: {
        what: blocked.what,
        goal: 'Alle kender guiden',
        actions: 'Gennemgå den på personalemødet',
        owner: { name: 'AMR' },
        due: blocked.due,
        link: { kind: 'card', id: CUSTOM.lunch.id },
      },
    });
    await command({ type: 'setPlanStatus', itemId: 'plan-2', status: 'done' });
    await command({ type: 'setPlanStatus', itemId: 'plan-3', status: 'blocked' });
    const snap = await app.service.snapshot(roundId);
    if (!snap) throw new Error('round missing');
    const { version: _version, ...input } = snap;
    return input;
  } finally {
    await app.close();
  }
}

let cached: Promise<ViewInput> | undefined;

/** The round, played once per test file. */
export function round(): Promise<ViewInput> {
  cached ??= playRound();
  return cached;
}
