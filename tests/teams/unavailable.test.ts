/**
 * The store goes away (as Redis does when it is down: node-redis without an
 * offline queue rejects at once, our store wraps that as a StoreError) while
 * people use a round in Teams, through OUR route: JWT-validated activities,
 * the real CloudAdapter, the fake Bot Connector. Each press or message is
 * answered within its request with the polite "not saved, try again" card,
 * nothing changes, and once the store is back the same activity (Teams'
 * redelivery) runs: its id was not left claimed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeckCatalog } from '../../src/app/decks.ts';
import { cardBox } from '../../src/core/model.ts';
import { errorView } from '../../src/core/views/messages.ts';
import { type FlakyStore, flakyStore } from '../fixtures/flaky-store.ts';
import { testDeck } from '../fixtures/test-deck.ts';
import { openFirstCard, postedCard } from './driving.ts';
import {
  answerCard,
  cardOfActivity,
  drain,
  invoke,
  type Json,
  type Member,
  mention,
  type Place,
  post,
  press,
  startTeamsWorld,
  type TeamsWorld,
  textsOf,
  useAuthFixture,
} from './harness.ts';

const TENANT = 'tenant-outage';
const CHANNEL = '19:0a7a9e5b1c2d4e6f8a0b2c4d6e8f0a1b@thread.tacv2';
const START_MESSAGE_ID = '1795424600000';
const THREAD = `${CHANNEL};messageid=${START_MESSAGE_ID}`;
const IN_THREAD: Place = { conversationId: THREAD, type: 'channel', teamId: CHANNEL };
const FACILITATOR: Member = { aad: '0a7a9e5b-0000-4000-8000-00000000f001', name: 'Mødeleder' };
const VOTER: Member = { aad: '0a7a9e5b-0000-4000-8000-00000000a002', name: 'Anders' };
const UNAVAILABLE = errorView('da', 'unavailable').message;

const fixture = useAuthFixture();

describe('Teams while the store cannot be reached', () => {
  let w: TeamsWorld;
  let store: FlakyStore;
  let roundId = '';
  let cardId = '';
  /** The open card as it was posted to the thread. */
  let card: Json;

  beforeEach(async () => {
    const decks = DeckCatalog.load();
    decks.add(testDeck);
    w = await startTeamsWorld({
      tenant: TENANT,
      auth: fixture(),
      decks,
      defaults: { deckId: testDeck.id },
    });
    for (const m of [FACILITATOR, VOTER]) {
      w.connector.addMember(CHANNEL, { id: `29:${m.aad}`, name: m.name, aadObjectId: m.aad });
    }
    store = flakyStore(w.app.store);
    ({ roundId, cardId } = await openFirstCard(w, FACILITATOR, IN_THREAD, START_MESSAGE_ID));
    await drain(w);
    card = (await postedCard(w, THREAD, `${roundId}:card:${cardId}`)).card;
  });

  afterEach(async () => {
    store.up();
    await w.close();
  });

  const ballots = async () => (await w.app.store.counts(roundId)).ballots[cardBox(cardId)] ?? 0;

  /** Posts a message and returns the texts of the cards the bot replied to it with. */
  async function say(activity: Json & { id: string }): Promise<string> {
    const before = w.connector.callsFor(THREAD).length;
    expect((await post(w, activity)).status).toBe(200);
    return w.connector
      .callsFor(THREAD)
      .slice(before)
      .filter((c) => c.route === 'reply' && c.activityId === activity.id)
      .flatMap((c) => textsOf(cardOfActivity(c.body)))
      .join('\n');
  }

  it('a vote is answered "not saved" at once, changes nothing, and its redelivery counts once the store is back', async () => {
    const pressed = invoke(w, VOTER, IN_THREAD, press(card, 'vote', { value: '4' }));
    const version = (await w.app.store.load(roundId))?.version;
    store.down();
    const refused = answerCard(await post(w, pressed));
    expect(textsOf(refused).join('\n')).toContain(UNAVAILABLE);
    expect(JSON.stringify(refused)).not.toContain('Din stemme');

    store.up();
    expect(await ballots()).toBe(0);
    expect((await w.app.store.load(roundId))?.version).toBe(version);
    // Teams redelivers the same activity: its id was never claimed, so it runs.
    const mine = answerCard(await post(w, pressed));
    expect(textsOf(mine).join('\n')).toContain('Din stemme: 4');
    expect(await ballots()).toBe(1);
    const again = answerCard(
      await post(w, invoke(w, VOTER, IN_THREAD, press(card, 'vote', { value: '2' }))),
    );
    expect(textsOf(again).join('\n')).toContain('Din stemme: 2');
    expect(await ballots()).toBe(1);
  });

  it('the store failing after the claim (mid-turn): "not saved", nothing changed, pressing again counts', async () => {
    const pressed = invoke(w, VOTER, IN_THREAD, press(card, 'vote', { value: '5' }));
    store.down(['claim', 'release']);
    const refused = answerCard(await post(w, pressed));
    expect(textsOf(refused).join('\n')).toContain(UNAVAILABLE);

    store.up();
    expect(await ballots()).toBe(0);
    // The failed turn gave its activity id back: the same activity, delivered again, counts.
    const redelivered = answerCard(await post(w, pressed));
    expect(textsOf(redelivered).join('\n')).toContain('Din stemme: 5');
    expect(await ballots()).toBe(1);
    // Pressed again (a new activity id): still one ballot.
    const mine = answerCard(
      await post(w, invoke(w, VOTER, IN_THREAD, press(card, 'vote', { value: '5' }))),
    );
    expect(textsOf(mine).join('\n')).toContain('Din stemme: 5');
    expect(await ballots()).toBe(1);
  });

  it('"status" while the store is down: the "not saved" card as the reply; the redelivery answers', async () => {
    const status = mention(w, VOTER, IN_THREAD, 'status');
    store.down();
    expect(await say(status)).toContain(UNAVAILABLE);

    store.up();
    const answered = await say(status);
    expect(answered).not.toContain(UNAVAILABLE);
    expect(answered.length).toBeGreaterThan(0);
  });
});
