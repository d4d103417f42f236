/**
 * 40 members vote on one open card within one second, through OUR route
 * (JWT-validated invokes, the real CloudAdapter, the fake Bot Connector with
 * Teams' per-thread limits). Virtual time (ManualScheduler) drives the
 * outbox's coalescing, Retry-After and rate limits, so nothing here depends
 * on wall-clock speed.
 *
 * The bound on edits: the outbox starts at most one edit of a message per
 * 2000 ms (`DEFAULT_INTERVAL_MS`, measured from the start of each attempt,
 * retries included), and a waiting value goes out as soon as that interval
 * has passed. So every edit of the card starts in [first vote, last vote +
 * 2000 ms], and two starts are at least 2000 ms apart: for votes spread over
 * at most 1000 ms that is at most 2 edits (one with the first vote(s), one
 * with the rest), however many votes there are. Without coalescing it would
 * be 40 edits, and 40 edits in a second would break Teams' 7/s and 8/2 s.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeckCatalog } from '../../src/app/decks.ts';
import { DEFAULT_INTERVAL_MS } from '../../src/app/outbox/coalescer.ts';
import { cardBox } from '../../src/core/model.ts';
import { testDeck } from '../fixtures/test-deck.ts';
import { openFirstCard, postedCard } from './driving.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  expectEvery429Retried,
  invoke,
  type Json,
  type Member,
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

const TENANT = 'tenant-burst';
const CHANNEL = '19:b0a5f7e2c1d84e6f9a3b5c7d9e1f3a5b@thread.tacv2';
const START_MESSAGE_ID = '1795424500000';
const THREAD = `${CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: CHANNEL };
const FACILITATOR: Member = { aad: '0b5e7000-0000-4000-8000-000000000000', name: 'Mødeleder' };
const VOTERS: Member[] = Array.from({ length: 40 }, (_, i) => ({
  aad: `0b5e7000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  name: `Deltager ${i + 1}`,
}));
/** What voter i presses: every value, 8 times each. */
const ratingOf = (i: number) => String((i % 5) + 1);

/** The most edits a burst of at most 1000 ms may cause (see the file comment). */
const MAX_EDITS = 2;

const fixture = useAuthFixture();

describe('a burst of 40 votes in one second on one Teams card', () => {
  let w: TeamsWorld;
  let roundId = '';
  let cardId = '';
  /** The open card as the connector holds it when voting starts. */
  let posted: { id: string; card: Json; updates: number };

  beforeEach(async () => {
    const decks = DeckCatalog.load();
    decks.add(testDeck);
    w = await startTeamsWorld({
      tenant: TENANT,
      auth: fixture(),
      decks,
      defaults: { deckId: testDeck.id },
    });
    for (const m of [FACILITATOR, ...VOTERS]) {
      w.connector.addMember(CHANNEL, { id: `29:${m.aad}`, name: m.name, aadObjectId: m.aad });
    }
    // Start with a mention, open the first card with the facilitator's buttons.
    ({ roundId, cardId } = await openFirstCard(w, FACILITATOR, IN_THREAD, START_MESSAGE_ID));
    expect(cardId).toBe('mentorordninger');
    await drain(w);
    // Well past the post's own interval: the burst starts on an idle message.
    await w.time.advance(DEFAULT_INTERVAL_MS);
    posted = await groupCard();
    expect(posted.updates).toBe(0);
    expect(textsOf(posted.card)).toContain('0 af 1 har stemt');
  });

  afterEach(async () => {
    await w.close();
  });

  async function act(who: Member, action: PressedAction): Promise<Json> {
    return answerCard(await post(w, invoke(w, who, IN_THREAD, action)));
  }

  const groupCard = () => postedCard(w, THREAD, `${roundId}:card:${cardId}`);

  /** Voter i presses their value on the posted card; checks the personal card they get back. */
  async function vote(i: number): Promise<void> {
    const voter = VOTERS[i] as Member;
    const mine = await act(voter, press(posted.card, 'vote', { value: ratingOf(i) }));
    expect(textsOf(mine).join('\n'), voter.name).toContain(`Din stemme: ${ratingOf(i)}`);
  }

  const edits = () =>
    w.connector.callsFor(THREAD).filter((c) => c.route === 'update' && c.activityId === posted.id);

  /** After the burst: the count, the tally, the coalescing bound, the retries. */
  async function expectOutcome(maxAttempts: number): Promise<void> {
    await drain(w);
    const final = await groupCard();
    expect(final.id).toBe(posted.id);
    expect(textsOf(final.card)).toContain('40 af 41 har stemt');
    expect(JSON.stringify(final.card)).not.toContain('Din stemme');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(40);
    const ok = edits().filter((c) => c.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length).toBeLessThanOrEqual(MAX_EDITS);
    expect(final.updates).toBe(ok.length);
    expect(edits().length).toBeLessThanOrEqual(maxAttempts);
    // After an edit went through, the next one starts an interval later at the earliest
    // (a retry after a 429 follows its Retry-After instead).
    const calls = edits();
    for (const [i, call] of calls.entries()) {
      const next = calls[i + 1];
      if (call.status === 200 && next) {
        expect(next.at - call.at).toBeGreaterThanOrEqual(DEFAULT_INTERVAL_MS);
      }
    }
    // No post of a second copy of the card.
    const cardPosts = w.connector
      .callsFor(THREAD)
      .filter(
        (c) =>
          c.route === 'send' && cardOfActivity(c.body)?.fallbackText === posted.card.fallbackText,
      );
    expect(cardPosts.filter((c) => c.status === 201)).toHaveLength(1);
    // Everybody in the team (41 ≤ 60) refreshes the card to their own vote; not just voters.
    expect(refreshOf(final.card)?.userIds).toHaveLength(41);
    expectEvery429Retried(w, THREAD);
  }

  it('40 concurrent invokes at one instant: 40 personal cards, one card at 40 of 41, ≤ 2 edits', async () => {
    const before = w.sent.length;
    await Promise.all(VOTERS.map((_, i) => vote(i)));
    await expectOutcome(MAX_EDITS);
    // Nothing was throttled: the outbox kept within the thread's limits by itself.
    expect(w.connector.callsFor(THREAD).filter((c) => c.status === 429)).toEqual([]);
    const announced = w.sent
      .slice(before)
      .filter((m) => m.view.key === `${roundId}:card:${cardId}`);
    expect(announced, 'the app announced every new ballot').toHaveLength(40);
  });

  it('40 votes over one second while Teams throttles the thread: retried after Retry-After, still ≤ 2 edits', async () => {
    // Tenant-wide throttling, as Teams does it: the next two edits get 429 with Retry-After 1 s.
    w.connector.failNext(2, { status: 429, retryAfterSeconds: 1, conversationId: THREAD });
    for (let wave = 0; wave < 8; wave++) {
      await Promise.all([0, 1, 2, 3, 4].map((j) => vote(wave * 5 + j)));
      await w.time.advance(125);
    }
    await expectOutcome(MAX_EDITS + 2);
    const throttled = edits().filter((c) => c.status === 429);
    expect(throttled).toHaveLength(2);
    // Each retry waited for the Retry-After it was given.
    const calls = edits();
    for (const [i, call] of calls.entries()) {
      if (call.status !== 429) continue;
      const next = calls[i + 1];
      expect(next, 'a retry followed').toBeDefined();
      expect((next?.at ?? 0) - call.at).toBeGreaterThanOrEqual((call.retryAfter ?? 0) * 1000);
    }
    expect(w.output.stats().retried).toBeGreaterThanOrEqual(2);
  });
});
