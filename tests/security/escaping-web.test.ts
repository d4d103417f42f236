/**
 * Issue 8, item 10 on the web pages, in real headless Chromium: the hostile
 * text (tests/security/hostile.ts) typed into a status note, an own
 * initiative's title and description, and a plan item's what, goal, actions
 * and owner shows as typed on the participant's phone, the facilitator's
 * page, the big screen and the summary page, at the status, custom and
 * summary steps. No element, link, script, dialog or mention is made from it.
 * (The other renderers: escaping.test.ts.)
 */
import { existsSync } from 'node:fs';
import { type Browser as Chromium, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, epochToZonedDate } from '../../src/core/time.ts';
import {
  type Browser,
  command,
  createRound,
  joinAll,
  type Running,
  startServer,
} from '../web/harness.ts';
import { ISSUE, MORE } from './hostile.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  // Under CI a missing browser fails (below); elsewhere the suite is skipped, loudly.
  if (!process.env.CI) console.warn(`\n!!! no Chromium at ${CHROMIUM}: escaping-web SKIPPED !!!\n`);
  describe.runIf(process.env.CI)('web pages in Chromium', () => {
    it('has Chromium to run in', () => {
      throw new Error(`Chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
    });
  });
}

/**
 * The little of the DOM the checks read in the page (this project compiles
 * without the DOM library; the casts vanish when the function is sent to the page).
 */
interface Dom {
  body: { innerText: string };
  querySelectorAll(selector: string): Iterable<{
    tagName: string;
    textContent: string | null;
    getAttribute(name: string): string | null;
  }>;
}

/** Texts inside the markup people typed: none may end up as an element's whole text. */
const INNER = ['fed', 'x', 'ok', 'Boss', 'skrå', 'kode', 'x()', 'punkt', 'liste', 'Overskrift'];

describe.runIf(HAVE_CHROMIUM)('hostile text on the web pages, in Chromium', () => {
  let s: Running;
  let browser: Chromium;
  let roundId = '';
  let facilitator: Browser;
  let phones: Browser[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    s = await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
      timeout: 30_000,
    });
    ({ roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' }));
    phones = await joinAll(s.url, roundId, 3);
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await s?.stop();
  });

  /** Opens `path` as this person (cookie, or the facilitator's secret in the fragment). */
  async function open(path: string, as?: Browser): Promise<Page> {
    const context = await browser.newContext({ locale: 'da-DK' });
    const pid = as?.cookie?.split('=')[1];
    if (pid) await context.addCookies([{ name: 'dr_pid', value: pid, url: s.url }]);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => problems.push(`${path}: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`${path}: a ${d.type()} dialog opened`);
      void d.dismiss();
    });
    await page.goto(`${s.url}${path}${as?.secret ? `#${as.secret}` : ''}`);
    return page;
  }

  /** What the page made of the text: where it shows, and any element, link or script from it. */
  async function inspect(page: Page, mustShow: boolean) {
    if (mustShow) {
      await page.waitForFunction(
        (text) =>
          (globalThis as unknown as { document: Dom }).document.body.innerText.includes(text),
        ISSUE,
      );
    }
    const made = await page.evaluate((inner) => {
      const doc = (globalThis as unknown as { document: Dom }).document;
      const found: string[] = [];
      for (const a of doc.querySelectorAll('a[href]')) {
        const href = a.getAttribute('href') ?? '';
        if (/^javascript:|^http:\/\/x/i.test(href)) found.push(`link ${href}`);
      }
      for (const el of doc.querySelectorAll(
        'b, strong, em, i, code, del, s, h1, h2, h3, li, at, a',
      )) {
        if (inner.includes((el.textContent ?? '').trim()))
          found.push(`<${el.tagName}> ${el.textContent}`);
      }
      for (const script of doc.querySelectorAll('script:not([src])'))
        found.push(`inline script ${script.textContent}`);
      return found;
    }, INNER);
    expect(made, page.url()).toEqual([]);
  }

  /** Every page of the round; `shows` lists those that must show the text at this step. */
  async function everyPage(shows: {
    participant?: boolean;
    facilitator?: boolean;
    screen?: boolean;
    summary?: boolean;
  }) {
    const pages = {
      participant: await open(`/r/${roundId}`, phones[0]),
      facilitator: await open(`/f/${roundId}`, facilitator),
      screen: await open(`/screen/${roundId}`),
      summary: await open(`/s/${roundId}`),
    };
    for (const [name, page] of Object.entries(pages)) {
      await page.locator('#deck-title').filter({ hasText: /\S/ }).waitFor();
      await inspect(page, shows[name as keyof typeof shows] === true);
      await page.context().close();
    }
  }

  it('a status note', async () => {
    await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'next' });
    const note = await phones[1]?.post(`/api/rounds/${roundId}/notes`, {
      areaId: null,
      text: MORE,
    });
    expect(note?.status).toBe(201);
    await everyPage({ participant: true, facilitator: true });
  }, 60_000);

  it('an own initiative, open for votes', async () => {
    await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'next' });
    const added = await phones[2]?.post(`/api/rounds/${roundId}/custom-cards`, {
      missionId: 'ledere',
      title: ISSUE,
      description: MORE,
    });
    expect(added?.status).toBe(201);
    await command(facilitator, roundId, { type: 'openNextCard' });
    await everyPage({ participant: true, facilitator: true, screen: true });
  }, 60_000);

  it('a plan item, and the summary', async () => {
    const state = (await facilitator.state(roundId)).body;
    const customId = state.cards.find((c) => c.title === ISSUE)?.cardId ?? '';
    for (const phone of phones) {
      await phone.post(`/api/rounds/${roundId}/vote`, { cardId: customId, value: 4 });
    }
    await command(facilitator, roundId, { type: 'next' });
    for (const phone of phones)
      await phone.post(`/api/rounds/${roundId}/priorities`, { cardIds: [customId] });
    await command(facilitator, roundId, { type: 'next' });
    const due = addDays(epochToZonedDate(s.clock.now(), 'Europe/Copenhagen'), 14);
    await command(facilitator, roundId, {
      type: 'addPlanItem',
      what: MORE,
      goal: MORE,
      actions: MORE,
      owner: { name: ISSUE },
      due,
      link: { kind: 'card', id: customId },
    });
    await everyPage({ participant: true, facilitator: true, summary: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
