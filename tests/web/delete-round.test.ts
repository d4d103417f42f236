/**
 * The facilitator deletes the round on the web: the API (real HTTP against
 * the web channel and SQLite) asks first and deletes only with `confirm`,
 * for the facilitator link only; and the facilitator page in real headless
 * Chromium: "Slet runden …", the question card, Keep, then Delete, while a
 * participant's phone learns that the round is gone.
 */
import { existsSync } from 'node:fs';
import { type Browser as Chromium, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeleteRoundView } from '../../src/core/views/types.ts';
import { Browser, createRound, type ErrorReply, type Running, startServer } from './harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

type DeleteReply = { ok: true; deleted: boolean; view: DeleteRoundView };

let s: Running;
beforeEach(async () => {
  s = await startServer();
});
afterEach(async () => {
  await s.stop();
});

describe('POST /api/rounds/:id/delete', () => {
  it('answers the question first, deletes only with confirm, and the round is gone', async () => {
    const { roundId, facilitator } = await createRound(s.url);
    const asked = await facilitator.post<DeleteReply>(`/api/rounds/${roundId}/delete`, {});
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({
      ok: true,
      deleted: false,
      view: { kind: 'deleteRound', phase: 'confirm', roundId, title: 'Slet runden?' },
    });
    expect(asked.body.view.actions.map((a) => [a.command, a.value])).toEqual([
      ['deleteRound', roundId],
      ['keepRound', roundId],
    ]);
    expect((await s.app.store.load(roundId))?.state.id).toBe(roundId);

    const done = await facilitator.post<DeleteReply>(`/api/rounds/${roundId}/delete`, {
      confirm: true,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ deleted: true, view: { phase: 'deleted', actions: [] } });
    expect(await s.app.store.load(roundId)).toBeUndefined();
    expect((await new Browser(s.url).state(roundId)).status).toBe(404);
    const again = await facilitator.post<ErrorReply['body']>(`/api/rounds/${roundId}/delete`, {
      confirm: true,
    });
    expect(again.status).toBe(404);
  });

  it('refuses anybody without the facilitator link, and bodies it does not know', async () => {
    const { roundId, facilitator } = await createRound(s.url);
    const participant = new Browser(s.url);
    await participant.post(`/api/rounds/${roundId}/join`);
    const stranger = new Browser(s.url);
    stranger.secret = 'a-wrong-secret-of-good-length-xx';
    for (const who of [participant, stranger]) {
      const reply = await who.post<ErrorReply['body']>(`/api/rounds/${roundId}/delete`, {
        confirm: true,
      });
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ error: { code: 'not_facilitator' } });
    }
    const odd = await facilitator.post(`/api/rounds/${roundId}/delete`, { confirm: 'yes' });
    expect(odd.status).toBe(400);
    expect((await s.app.store.load(roundId))?.state.id).toBe(roundId);
  });
});

describe.skipIf(!HAVE_CHROMIUM && !process.env.CI)('deleting on the facilitator page', () => {
  let browser: Chromium | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
      timeout: 30_000,
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('asks, keeps on Keep, deletes on Delete, and the phone learns the round is gone', async () => {
    if (!browser) throw new Error(`no Chromium at ${CHROMIUM}`);
    const { roundId, created } = await createRound(s.url);
    const context = await browser.newContext({ locale: 'da-DK' });
    context.setDefaultTimeout(10_000);
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    const phone = await context.newPage();
    await phone.goto(`${s.url}/r/${roundId}`);
    await page.goto(created.facilitatorUrl);
    await page.locator('#step-counter', { hasText: 'Trin 1 af 7' }).waitFor();

    await page.getByRole('button', { name: 'Slet runden …' }).click();
    const question = page.locator('#delete-question');
    await question.getByText('Slet runden?').waitFor();
    await question.getByRole('button', { name: 'Behold runden' }).click();
    await question.waitFor({ state: 'hidden' });
    expect((await s.app.store.load(roundId))?.state.id).toBe(roundId);

    await page.getByRole('button', { name: 'Slet runden …' }).click();
    await question.getByRole('button', { name: 'Slet runden', exact: true }).click();
    await page.getByText('Runden er slettet').waitFor();
    expect(await s.app.store.load(roundId)).toBeUndefined();
    await phone.getByText('Runden findes ikke (længere).').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
