/**
 * Issue 8, item 9, on the channels tests/web/safety.test.ts does not cover:
 * Slack (a forged button value) and Teams (forged card data) with the values
 * 0, 6, "3.5", 3.5, null and friends get a polite refusal in the round's
 * language and write no ballot; extra fields in the data change nothing but
 * are ignored, not refused (identity is the envelope's, see item 5); bodies
 * over the channel's limit get 413 before anything runs.
 *
 * Buttons on Slack and Teams carry their values as strings (our own buttons
 * send "3"), so "3" is a vote there; the web API's JSON body must hold a number
 * (tests/web/safety.test.ts refuses "3").
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from '../../src/core/i18n/index.ts';
import { cardBox } from '../../src/core/model.ts';
import { button, openFirstCard as openSlackCard, press } from '../slack/driving.ts';
import {
  actionBody,
  deliver,
  FORM,
  signedHeaders,
  startWorld,
  type World,
} from '../slack/harness.ts';
import { openFirstCard as openTeamsCard } from '../teams/driving.ts';
import {
  answerCard,
  invoke,
  type Member,
  post,
  textsOf,
  threadOf,
  useTeamsWorld,
} from '../teams/harness.ts';

/** What no button of ours sends for a rating; each must be refused. */
const BAD_VALUES: unknown[] = [
  0,
  6,
  '0',
  '6',
  3.5,
  '3.5',
  -1,
  null,
  true,
  [3],
  { value: 3 },
  'NA',
  '',
  ' ',
];
const REFUSED = t('da', 'error.invalid_rating');

describe('Slack: forged vote values', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('refuses every value that is not 1–5 or na, politely, and writes no ballot', async () => {
    const { roundId, cardId, message } = await openSlackCard(w);
    const ours = button(message.blocks, 'vote', '4');
    for (const value of BAD_VALUES) {
      const forged = { ...ours, value: JSON.stringify({ command: 'vote', cardId, value }) };
      const answer = await press(w, 'U0MEMBER1', forged);
      expect(answer.last?.text, JSON.stringify(value)).toContain(REFUSED);
    }
    const counts = await w.app.store.counts(roundId);
    expect(counts.ballots[cardBox(cardId)]).toBe(0);
    expect(
      await w.app.service.ballotOf(
        roundId,
        { platform: 'slack', tenant: 'T0TEAM', userId: 'U0MEMBER1' },
        cardBox(cardId),
      ),
    ).toBeUndefined();
  });

  it('ignores extra fields: the presser’s one vote counts, nobody else’s', async () => {
    const { roundId, cardId, message } = await openSlackCard(w);
    const ours = button(message.blocks, 'vote', '4');
    const extra = { command: 'vote', cardId, value: '4', userId: 'U0OTHER', voterKey: 'k', n: 9 };
    await press(w, 'U0MEMBER1', { ...ours, value: JSON.stringify(extra) });
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
  });

  it('answers 413 to a signed body over 1 MB and changes nothing', async () => {
    const { roundId, cardId, message } = await openSlackCard(w);
    const { body } = actionBody(w, 'U0MEMBER1', button(message.blocks, 'vote', '4').value);
    const big = `${body}&padding=${'x'.repeat(1024 * 1024)}`;
    expect((await deliver(w, big, FORM, signedHeaders(big))).status).toBe(413);
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(0);
  });
});

describe('Teams: forged card data', () => {
  const TENANT = 'tenant-values';
  const CHANNEL = '19:7a1e5e2c1d84e6f9a3b5c7d9e1f3a5b0@thread.tacv2';
  const START = '1795424600000';
  const THREAD = threadOf(CHANNEL, START);
  const FACILITATOR: Member = { aad: '7a1e0000-0000-4000-8000-000000000000', name: 'Mødeleder' };
  const MEMBER: Member = { aad: '7a1e0000-0000-4000-8000-000000000001', name: 'Deltager' };

  const world = useTeamsWorld({ tenant: TENANT });
  const voteWith = (cardId: string, data: Record<string, unknown>) =>
    invoke(world(), MEMBER, THREAD, { verb: 'vote', data: { command: 'vote', cardId, ...data } });

  it('refuses every value that is not 1–5 or na with an error card, and writes no ballot', async () => {
    const w = world();
    const { roundId, cardId } = await openTeamsCard(w, FACILITATOR, THREAD, START);
    const version = (await w.app.store.load(roundId))?.version;
    for (const value of BAD_VALUES) {
      const card = answerCard(await post(w, voteWith(cardId, { value })));
      expect(textsOf(card).join('\n'), JSON.stringify(value)).toContain(REFUSED);
    }
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(0);
    expect((await w.app.store.load(roundId))?.version).toBe(version);
  });

  it('ignores extra fields: the presser’s one vote counts, nobody else’s', async () => {
    const w = world();
    const { roundId, cardId } = await openTeamsCard(w, FACILITATOR, THREAD, START);
    const forged = { value: '2', userId: 'someone', aadObjectId: FACILITATOR.aad, extra: [1] };
    const card = answerCard(await post(w, voteWith(cardId, forged)));
    expect(textsOf(card).join('\n')).toContain('Din stemme: 2');
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(1);
    const ballot = (userId: string) =>
      w.app.service.ballotOf(
        roundId,
        { platform: 'teams', tenant: TENANT, userId },
        cardBox(cardId),
      );
    expect(await ballot(MEMBER.aad)).toBe(2);
    expect(await ballot(FACILITATOR.aad)).toBeUndefined();
  });

  it('answers 413 to an activity over 256 kB, even with a valid token, and changes nothing', async () => {
    const w = world();
    const { roundId, cardId } = await openTeamsCard(w, FACILITATOR, THREAD, START);
    const big = voteWith(cardId, { value: '3', padding: 'x'.repeat(300 * 1024) });
    const response = await fetch(w.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${w.auth?.token({ serviceUrl: w.connector.url })}`,
      },
      body: JSON.stringify(big),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(413);
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(0);
  });
});
