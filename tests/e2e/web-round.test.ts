import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { start } from '../../src/main.ts';

/**
 * A whole synchronous round in real headless Chromium: one facilitator, three
 * participants (phones) and the big screen, each in its own browser context,
 * clicking the real buttons of the web channel's pages.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOTS = join(process.cwd(), 'test-results', 'screenshots');
/** Every wait is bounded: a broken page fails in seconds, not at the suite timeout. */
const WAIT_MS = 10_000;

if (!HAVE_CHROMIUM && !process.env.CI) {
  console.warn(
    `\n${'!'.repeat(72)}\n  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n` +
      `  Install it with: apt-get install -y chromium   (or set CHROMIUM_PATH)\n${'!'.repeat(72)}\n`,
  );
}

// In CI a missing browser is a failing test, never a silent skip.
if (!HAVE_CHROMIUM && process.env.CI) {
  describe('web channel in a real browser', () => {
    it('has Chromium to run in', () => {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install it with apt-get install -y chromium`,
      );
    });
  });
}

const INITIATIVE = '<b>fed</b> & <script>x</script>';
const NOTE = 'Vi har fået nye hæve-sænkeborde – det virker.';

interface Running {
  url: string;
  stop(): Promise<void>;
}

describe.skipIf(!HAVE_CHROMIUM)('web channel in a real browser', () => {
  let dataDir = '';
  let server: Running | undefined;
  let browser: Browser | undefined;
  let base = '';
  const contexts: BrowserContext[] = [];
  const pages = new Map<string, Page>();
  /** Errors the pages threw or logged: a page that "works" with errors still fails. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const old of readdirSync(SCREENSHOTS)) {
      if (old.startsWith('failure-')) rmSync(join(SCREENSHOTS, old));
    }
    dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-e2e-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    server = await start(config);
    base = server.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 30_000,
    });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  async function open(
    name: string,
    path: string,
    options: { phone?: boolean; viewport?: { width: number; height: number } } = {},
  ): Promise<Page> {
    if (!browser) throw new Error('no browser');
    const context = await browser.newContext({
      viewport: options.phone
        ? { width: 360, height: 740 }
        : (options.viewport ?? { width: 1280, height: 900 }),
      ...(options.phone && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
      locale: 'da-DK',
      reducedMotion: 'reduce',
    });
    contexts.push(context);
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    const page = await context.newPage();
    pages.set(name, page);
    page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`${name}: console: ${message.text()}`);
    });
    if (path) await page.goto(`${base}${path}`);
    return page;
  }

  const stepIs = (page: Page, n: number) =>
    page.locator('#step-counter', { hasText: `Trin ${n} af 7` }).waitFor();

  /** The open vote card of a participant page. */
  const openCard = (page: Page, cardId: string) =>
    page.locator(`#open-cards [data-card-id="${cardId}"]`);

  async function vote(page: Page, cardId: string, value: string) {
    const card = openCard(page, cardId);
    await card.getByRole('button', { name: value, exact: true }).click();
    await card.getByText(`Din stemme: ${value}`).waitFor();
  }

  /** Waits until an <img> has loaded a picture (a broken image has no natural width). */
  async function imageLoaded(page: Page, selector: string) {
    await page.waitForFunction(
      `(() => { const i = document.querySelector(${JSON.stringify(selector)}); return Boolean(i && i.complete && i.naturalWidth > 0); })()`,
    );
  }

  async function shot(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  /** Waits until a locator's text contains a string (bounded), then returns the text. */
  async function textOf(locator: Locator, contains: string): Promise<string> {
    await locator.filter({ hasText: contains }).first().waitFor();
    return (await locator.first().textContent()) ?? '';
  }

  it('runs all seven steps with a facilitator, three participants and the big screen', async () => {
    try {
      await wholeRound();
    } catch (error) {
      // What each page showed when it failed, next to the other screenshots.
      for (const [name, page] of pages) {
        await page
          .screenshot({
            path: join(SCREENSHOTS, `failure-${name}.png`),
            fullPage: true,
            timeout: 5_000,
          })
          .catch(() => {});
      }
      throw error;
    }
  }, 180_000);

  it('follows the round language, and reconnects and resynchronises when the live stream drops', async () => {
    const errorsBefore = pageErrors.length;
    const admin = await open('admin', '');
    const response = await admin.request.post(`${base}/api/rounds`, {
      data: { lang: 'en', k: 4 },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(response.status()).toBe(201);
    const created = (await response.json()) as { roundId: string; facilitatorUrl: string };
    const secret = created.facilitatorUrl.split('#')[1] ?? '';

    const page = await open('reconnect', '', { phone: true });
    // The event stream fails (a proxy hiccup, a server restart) until the route is lifted.
    const events = '**/api/rounds/*/events';
    await page.route(events, (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"ok":false,"error":{"code":"busy","message":"busy"}}',
      }),
    );
    await page.goto(`${base}/r/${created.roundId}`);
    // The page still shows the round, in the round's language.
    await page.locator('#step-counter', { hasText: 'Step 1 of 7' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#anonymity').textContent()).toContain('anonymous');
    await page.locator('#connection', { hasText: 'reconnecting' }).waitFor();

    // The facilitator moves on while this page has no stream.
    const next = await admin.request.post(`${base}/api/rounds/${created.roundId}/command`, {
      data: { type: 'next', from: 'intro' },
      headers: { 'x-facilitator-secret': secret, 'idempotency-key': randomUUID() },
    });
    expect(next.status()).toBe(200);
    await page.unroute(events);
    // Back online: the notice goes and the page has caught up.
    await page.locator('#connection').waitFor({ state: 'hidden', timeout: 20_000 });
    await page.locator('#step-counter', { hasText: 'Step 2 of 7' }).waitFor();
    // The refused streams are logged by the browser; nothing else went wrong.
    expect(pageErrors.slice(errorsBefore).filter((e) => !e.includes('503'))).toEqual([]);
  }, 60_000);

  async function wholeRound() {
    // ------------------------------------------------------------ start page
    const fac = await open('facilitator', '/');
    await fac.locator('#deck option').first().waitFor({ state: 'attached' });
    expect(await fac.locator('html').getAttribute('lang')).toBe('da');
    // Every control on the start page has a label.
    for (const id of ['deck', 'scope', 'k', 'tz']) {
      expect(await fac.locator(`label[for="${id}"]`).count(), id).toBe(1);
    }
    await fac.getByLabel('Anonymitetsgrænse (mindst 3)').fill('3');
    await fac.getByRole('button', { name: 'Opret runden' }).click();
    const created = fac.locator('#created');
    await created.waitFor();
    const roundId = (await created.getAttribute('data-round-id')) ?? '';
    expect(roundId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const facilitatorUrl = await fac.locator('#facilitator-url').inputValue();
    expect(facilitatorUrl).toMatch(new RegExp(`/f/${roundId}#[A-Za-z0-9_-]{16,}$`));
    expect(await fac.locator('#join-url').inputValue()).toMatch(new RegExp(`/r/${roundId}$`));
    expect(await created.textContent()).toContain('Hold dette link hemmeligt');
    // The QR code is an image that loaded.
    await imageLoaded(fac, '#qr');
    await shot(fac, 'start');

    // The facilitator opens their link (the secret travels in the fragment).
    await fac.locator('#facilitator-open').click();
    await fac.waitForURL(`**/f/${roundId}`);
    const control = fac.locator('#control');
    await control.getByRole('button', { name: 'Næste trin' }).waitFor();
    // The secret left the address bar but survives a reload (sessionStorage).
    expect(fac.url()).not.toContain('#');
    await fac.reload();
    await control.getByRole('button', { name: 'Næste trin' }).waitFor();

    // ------------------------------------------------------------ big screen and participants
    // Opened side by side, as people in a room do.
    const [screen, p1, p2, p3] = await Promise.all([
      open('screen', `/screen/${roundId}`, { viewport: { width: 1600, height: 900 } }),
      open('p1', `/r/${roundId}`, { phone: true }),
      open('p2', `/r/${roundId}`, { phone: true }),
      open('p3', `/r/${roundId}`, { phone: true }),
    ]);
    await screen.locator('#current .ac-adaptiveCard').waitFor();
    const participants = [p1, p2, p3];
    for (const p of participants) {
      await stepIs(p, 1);
      expect(await p.locator('#anonymity').textContent()).toContain('anonym');
    }
    // m = participants who joined; the facilitator does not count.
    const state = await (await fac.request.get(`${base}/api/rounds/${roundId}/state`)).json();
    expect(state.participants).toBe(3);

    // ------------------------------------------------------------ step 2: scope
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 2);

    // ------------------------------------------------------------ step 3: status notes
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 3);
    // p2 is typing a note of their own when p1's note arrives and the card is redrawn.
    const draft = p2.locator('#step textarea');
    await draft.click();
    await p2.keyboard.type('Halvskrevet udkast');
    await p1.locator('#step textarea').fill(NOTE);
    await p1.locator('#step').getByRole('button', { name: 'Tilføj note' }).click();
    for (const p of participants) await p.locator('#step').getByText(NOTE).waitFor();
    // Nothing typed-but-unsent is lost, and the cursor stays in the field.
    expect(await draft.inputValue()).toBe('Halvskrevet udkast');
    await p2.keyboard.type(' – fortsat');
    expect(await draft.inputValue()).toBe('Halvskrevet udkast – fortsat');
    await fac.locator('#group').getByText(NOTE).waitFor();
    // The sent text is not left in the form.
    expect(await p1.locator('#step textarea').inputValue()).toBe('');

    // ------------------------------------------------------------ step 4: rating
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 4);

    const openNext = async () => {
      await control.getByRole('button', { name: 'Åbn næste kort' }).click();
      const card = p1.locator('#open-cards .ac-adaptiveCard[data-card-id]');
      await card.waitFor();
      const id = (await card.getAttribute('data-card-id')) ?? '';
      for (const p of participants) await openCard(p, id).waitFor();
      return id;
    };
    const closeOpenCard = async (cardId: string) => {
      await control.getByRole('button', { name: /^Luk kortet/ }).click();
      for (const p of participants) {
        await p.locator(`#results [data-card-id="${cardId}"]`).waitFor();
        expect(await openCard(p, cardId).count()).toBe(0);
      }
    };

    // Card 1: everyone votes. Nothing of the result shows while it is open.
    const card1 = await openNext();
    await vote(p1, card1, '2');
    await vote(p1, card1, '4'); // changing one's mind while the card is open
    await vote(p2, card1, '5');
    // p3 uses the keyboard only: Tab to the button, then Enter.
    // (A redraw from someone else's vote keeps the focus where it was.)
    const focused = () => p3.evaluate('document.activeElement?.getAttribute("aria-label")');
    for (let tries = 0; tries < 5 && (await focused()) !== '3'; tries++) {
      await openCard(p3, card1).getByRole('button', { name: '3', exact: true }).focus();
    }
    await p3.keyboard.press('Tab');
    await p3.waitForFunction('document.activeElement?.getAttribute("aria-label") === "4"');
    await p3.keyboard.press('Enter');
    await openCard(p3, card1).getByText('Din stemme: 4').waitFor();
    await textOf(fac.locator('#progress'), '3 af 3 har stemt');
    await textOf(screen.locator('#screen-progress'), '3 af 3 har stemt');
    for (const p of [...participants, screen, fac]) {
      const text = (await p.locator('main').textContent()) ?? '';
      expect(text).not.toContain('Gennemsnit');
    }
    expect(await p1.locator(`#results [data-card-id="${card1}"]`).count()).toBe(0);
    await shot(screen, 'screen-open-card');
    await p1.screenshot({ path: join(SCREENSHOTS, 'participant-vote.png') });

    // A participant reloads mid-round and continues: their vote is still theirs.
    await p2.reload();
    await stepIs(p2, 4);
    await openCard(p2, card1).getByText('Din stemme: 5').waitFor();

    await closeOpenCard(card1);
    const result1 = p1.locator(`#results [data-card-id="${card1}"]`);
    expect(await textOf(result1, 'Gennemsnit')).toContain('3 har vurderet');
    await screen.locator('#last-result').getByText('Gennemsnit').waitFor();

    // Card 2: only two vote (n < k = 3): the result stays hidden after closing.
    const card2 = await openNext();
    await vote(p1, card2, '1');
    await vote(p3, card2, '2');
    await textOf(fac.locator('#progress'), '2 af 3 har stemt');
    await closeOpenCard(card2);
    const result2 = (await p1.locator(`#results [data-card-id="${card2}"]`).textContent()) ?? '';
    expect(result2).not.toContain('Gennemsnit');
    expect(result2).toMatch(/mindst 3|færre end 3/);

    // Card 3: everyone votes, one abstains ("ved ikke").
    const card3 = await openNext();
    await vote(p1, card3, '3');
    await vote(p2, card3, '4');
    await openCard(p3, card3)
      .getByRole('button', { name: /Ved ikke/ })
      .click();
    await openCard(p3, card3).getByText('Din stemme: Ved ikke').waitFor();
    await closeOpenCard(card3);
    await shot(p1, 'participant-rating');
    await shot(fac, 'facilitator-rating');
    await shot(screen, 'screen');

    // The facilitator's card list shows the phases.
    expect(
      await fac.locator(`#card-phases [data-card-id="${card1}"]`).getAttribute('data-phase'),
    ).toBe('closed');
    expect(await fac.locator('#card-phases [data-phase="pending"]').count()).toBeGreaterThan(0);
    const card1Title =
      (await fac
        .locator(`#card-phases [data-card-id="${card1}"] .phase-title span`)
        .first()
        .textContent()) ?? '';
    expect(card1Title.length).toBeGreaterThan(2);

    // A whole mission at once: all its waiting cards open together, then close together.
    const missionRow = fac.locator('#card-phases [data-mission-id="medarbejdere"]');
    await missionRow.getByRole('button', { name: /^Åbn hele målsætningen/ }).click();
    const missionCards = p1.locator('#open-cards .ac-adaptiveCard[data-card-id]');
    await expect.poll(() => missionCards.count(), { timeout: 10_000 }).toBe(4);
    await missionRow.getByRole('button', { name: /^Luk målsætningen/ }).click();
    await expect.poll(() => missionCards.count(), { timeout: 10_000 }).toBe(0);
    expect(await fac.locator('#card-phases [data-phase="closed"]').count()).toBe(7);

    // ------------------------------------------------------------ step 5: own initiatives
    // The remaining cards stay unrated.
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 5);
    await p3.getByLabel(/^Initiativ/).fill(INITIATIVE);
    await p3
      .getByLabel('Kort beskrivelse (valgfri)')
      .fill('Skrevet med *stjerner* og [et link](http://x.invalid)');
    const mission = p3.locator('#step select');
    if ((await mission.inputValue()) === '') {
      await mission.selectOption({ index: 1 });
    }
    await p3.locator('#step').getByRole('button', { name: 'Tilføj initiativ' }).click();
    for (const p of [fac, ...participants]) {
      const where = p === fac ? p.locator('#group') : p.locator('#step');
      await where.getByText(INITIATIVE, { exact: false }).first().waitFor();
    }
    // Shown literally: no <b> element, no script, no link made from markdown.
    for (const p of participants) {
      expect(
        await p.locator('#step b, #step script, #step a[href^="http://x.invalid"]').count(),
      ).toBe(0);
    }
    // The initiative is rated like the others.
    const custom = await openNext();
    const customCard = openCard(p1, custom);
    expect(await customCard.textContent()).toContain(INITIATIVE);
    for (const [p, v] of [
      [p1, '5'],
      [p2, '4'],
      [p3, '5'],
    ] as const)
      await vote(p, custom, v);
    await closeOpenCard(custom);

    // ------------------------------------------------------------ step 6: priorities
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 6);
    // The initiative is among the choices, still as literal text.
    await p1.locator('#priority').getByText(INITIATIVE).first().waitFor();
    expect(await p1.locator('#priority b, #priority script').count()).toBe(0);
    for (const [i, p] of participants.entries()) {
      const boxes = p.locator('#priority input[type="checkbox"]');
      await boxes.first().waitFor();
      await boxes.nth(0).check();
      await boxes.nth(1 + i).check();
      await p.locator('#priority').getByRole('button', { name: 'Gem mine valg' }).click();
      await p.locator('#priority').getByText('Dine valg').waitFor();
    }
    await textOf(fac.locator('#progress'), '3 af 3 har svaret');

    // ------------------------------------------------------------ step 7: summary and plan
    await control.getByRole('button', { name: 'Næste trin' }).click();
    for (const p of [fac, ...participants]) await stepIs(p, 7);
    const plan = fac.locator('#plan');
    await plan.getByRole('button', { name: 'Tilføj aftale' }).first().click();
    const due = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await plan.getByLabel('Hvad vil vi prioritere?').fill('Mere sparring i teamet');
    await plan.getByLabel('Hvad vil vi gerne opnå?').fill('Færre sygedage');
    await plan.getByLabel('Hvad kan vi gøre?').fill('Faste sparringsmøder');
    await plan.getByLabel('Hvem står for det?').fill('Mette (AMR)');
    await plan.getByLabel('Hvornår?').fill(due);
    await plan.getByRole('button', { name: 'Tilføj aftale' }).last().click();
    await plan.getByText('Mere sparring i teamet').waitFor();
    for (const p of participants)
      await p.locator('#plan').getByText('Mere sparring i teamet').waitFor();
    // Follow-up status from the list: postponing moves the due date a week.
    await fac
      .locator('#plan-section')
      .getByRole('button', { name: /^Udskyd en uge/ })
      .first()
      .click();
    await fac
      .locator('#plan')
      .getByText(/Udskudt/)
      .waitFor();
    const finalDue = new Date(Date.parse(`${due}T12:00:00Z`) + 7 * 86_400_000)
      .toISOString()
      .slice(0, 10);

    // An item due today is a reminder on the pages at once; the facilitator marks it done.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen' }).format(
      new Date(),
    );
    await plan.getByRole('button', { name: 'Tilføj aftale' }).first().click();
    await plan.getByLabel('Hvad vil vi prioritere?').fill('Tjek ventilationen');
    await plan.getByLabel('Hvem står for det?').fill('Ali');
    await plan.getByLabel('Hvornår?').fill(today);
    await plan.getByRole('button', { name: 'Tilføj aftale' }).last().click();
    await p1
      .locator('#notices')
      .getByText(/Tjek ventilationen/)
      .first()
      .waitFor();
    const reminder = fac.locator('#notices');
    await reminder
      .getByText(/Tjek ventilationen/)
      .first()
      .waitFor();
    await shot(fac, 'facilitator');
    await reminder.getByRole('button', { name: 'Udført', exact: true }).click();
    await reminder
      .getByText(/Tjek ventilationen/)
      .first()
      .waitFor({ state: 'detached' });
    await p1.locator('#notices-section').waitFor({ state: 'hidden' });

    await shot(p2, 'participant');

    // The facilitator ends the round.
    await control.getByRole('button', { name: 'Afslut med opfølgningsplanen' }).click();
    for (const p of participants) await p.locator('#banner', { hasText: 'afsluttet' }).waitFor();

    // ------------------------------------------------------------ summary page and exports
    const summary = await open('summary', `/s/${roundId}`);
    await summary.locator('#summary .ac-adaptiveCard').waitFor();
    await summary.locator('#plan').getByText('Mere sparring i teamet').waitFor();
    await imageLoaded(summary, '#maaloversigt');
    const summaryText = (await summary.locator('#summary').textContent()) ?? '';
    expect(summaryText).toContain('3 deltagere');
    for (const key of [
      'download.png',
      'download.svg',
      'download.csv',
      'download.md',
      'download.ics',
    ]) {
      expect(await summary.locator(`a[data-export="${key}"]`).count(), key).toBe(1);
    }
    await shot(summary, 'summary');

    const get = async (href: string | null) => {
      expect(href).toBeTruthy();
      const response = await summary.request.get(`${base}${href}`);
      expect(response.status(), String(href)).toBe(200);
      return response;
    };
    const png = await get(
      await summary.locator('a[data-export="download.png"]').getAttribute('href'),
    );
    expect(png.headers()['content-type']).toContain('image/png');
    const pngBody = await png.body();
    expect(pngBody.length).toBeGreaterThan(5_000);
    expect(pngBody.subarray(1, 4).toString('latin1')).toBe('PNG');

    const svg = await get(
      await summary.locator('a[data-export="download.svg"]').getAttribute('href'),
    );
    expect(svg.headers()['content-type']).toContain('image/svg+xml');
    expect(await svg.text()).toContain('<svg');

    const csv = await (
      await get(await summary.locator('a[data-export="download.csv"]').getAttribute('href'))
    ).text();
    expect(csv.split('\n').length).toBeGreaterThan(4);
    expect(csv).toContain(card1Title.trim());
    expect(csv).toContain('fed');

    const minutes = await (
      await get(await summary.locator('a[data-export="download.md"]').getAttribute('href'))
    ).text();
    expect(minutes).toContain('Mere sparring i teamet');
    expect(minutes).toContain('Mette (AMR)');

    const ics = await get(
      await summary.locator('a[data-export="download.ics"]').getAttribute('href'),
    );
    expect(ics.headers()['content-type']).toContain('text/calendar');
    const icsText = await ics.text();
    expect(icsText).toContain('BEGIN:VCALENDAR');
    expect(icsText).toContain('Mere sparring i teamet');
    expect(icsText).toContain(finalDue.replaceAll('-', ''));

    expect(pageErrors).toEqual([]);
  }
});
