/**
 * End-to-end check of the Teams channel in the Microsoft 365 Agents Playground:
 * starts the bot (anonymous Teams mode, throwaway DATA_DIR) and the Playground,
 * both on 127.0.0.1 only, drives the Playground's web UI with a headless
 * Chromium (playwright-core), saves screenshots, and stops everything.
 *
 * Usage:
 *   node scripts/playground-e2e.ts [--out DIR] [--chromium PATH] [--keep-data] [--strict-forms]
 *
 *   --out DIR        screenshots, logs and summary.json (default /tmp/playground)
 *   --chromium PATH  the browser (default $CHROMIUM_PATH or /usr/bin/chromium)
 *   --keep-data      keep the bot's throwaway DATA_DIR (its path is printed)
 *   --strict-forms   fail when a form action (scope, status note, own initiative,
 *                    priorities, plan item) answers with an error card; by
 *                    default that is reported as a warning
 *
 * Exit code 0 when every required check passed, 1 otherwise. Not part of
 * `npm test`: it takes 65-75 s and needs Chromium. The bot runs with
 * PUBLIC_URL=http://127.0.0.1:<its port> (the summary card's picture and links).
 * It also passes `--disable-telemetry` and binds both servers to free loopback
 * ports, so it can run next to `npm run playground`.
 *
 * What it does:
 * - Personal chat: welcome card on install, `help`, the welcome card's Start
 *   (answers with the facilitator card), `stop`.
 * - Group chat (Alex, Megan, Adele): `@bot start`, the hint card's button,
 *   Next through the seven steps, the forms, one dialogue card voted on by all
 *   three users, closing it, the summary, the follow-up plan, `status`,
 *   `hjælp` and an unknown command.
 * - Channel thread: welcome card, `@bot start`, the hint card's button pressed
 *   by somebody else (refused), `@bot stop` by somebody else (refused) and by
 *   the facilitator.
 * - Danish: a custom activity with locale da-DK (the Playground always sends en-US).
 *
 * Playground specifics the script works around:
 * - It has no user switcher. Other mock users press card buttons by rewriting
 *   `from.id` in the browser's invoke requests (the Playground server resolves
 *   the user from it). Typed messages always come from the signed-in user, so
 *   a message from somebody else goes through a custom activity.
 * - It binds to all interfaces; a preload forces 127.0.0.1. The same preload
 *   records every non-loopback connection attempt of the bot and the Playground
 *   (netwatch.log). `APPLICATION_INSIGHTS_NO_STATSBEAT=true` stops the Application
 *   Insights SDK's own telemetry, which `--disable-telemetry` does not.
 * - A vote's invoke response ("Your vote: 4") is replaced a moment later by the
 *   bot's group edit of the same message. To see it, the script holds the
 *   Playground's `updateMessage` websocket frames during the check, then
 *   releases them and records whether the group edit replaced the voter's view.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..');
const PLAYGROUND_CLI = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const BOT_NAME = 'Test Bot';
/** The Playground's default mock users (its built-in configuration). */
const USERS = { alex: 'user-id-0', megan: 'user-id-1', adele: 'user-id-2' } as const;
const MEGAN_AAD = '00000000-0000-0000-0000-0000000000021';
const BOT_ID = '00000000-0000-0000-0000-00000000000011';
const TENANT = '00000000-0000-0000-0000-0000000000001';
/** Top-level Adaptive Cards only (a ShowCard renders a nested one). */
const CARD = '.ac-adaptiveCard:not(.ac-adaptiveCard .ac-adaptiveCard)';
const EDITOR = '[data-lexical-editor="true"]';
const WAIT_MS = 20_000;
const ERROR_TITLE = 'That did not work';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/playground' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    'keep-data': { type: 'boolean', default: false },
    'strict-forms': { type: 'boolean', default: false },
  },
});
const OUT = args.out;

/**
 * Preloaded into the bot and the Playground: binds `listen(port)` to 127.0.0.1
 * and appends every non-loopback connect or DNS lookup to $NETWATCH_FILE.
 */
const PRELOAD = `
import net from 'node:net';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
const file = process.env.NETWATCH_FILE;
const loop = (h) => !h || h === 'localhost' || h === '::1' || String(h).startsWith('127.');
const note = (what) => { if (file) try { appendFileSync(file, new Date().toISOString() + ' ' + (process.env.NETWATCH_NAME || process.pid) + ' ' + what + '\\n'); } catch {} };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...a) {
  let o = Array.isArray(a[0]) ? a[0][0] : a[0];
  if (typeof o !== 'object' || o === null) o = { port: o, host: typeof a[1] === 'string' ? a[1] : undefined };
  if (!o.path && !loop(o.host)) note('connect ' + o.host + ':' + o.port);
  return connect.apply(this, a);
};
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { if (!loop(host)) note('dns.lookup ' + host); return lookup.call(this, host, ...rest); };
const plookup = dns.promises.lookup;
dns.promises.lookup = function (host, ...rest) { if (!loop(host)) note('dns.lookup ' + host); return plookup.call(this, host, ...rest); };
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
  if (typeof a[0] === 'number' && (a.length === 1 || typeof a[1] === 'function')) a.splice(1, 0, '127.0.0.1');
  else if (typeof a[0] === 'object' && a[0] !== null && 'port' in a[0] && !a[0].host) a[0] = { ...a[0], host: '127.0.0.1' };
  return listen.apply(this, a);
};
`;
const PRELOAD_URL = `data:text/javascript,${encodeURIComponent(PRELOAD)}`;

// ---------------------------------------------------------------- results

type Outcome = 'pass' | 'fail' | 'warn' | 'info';
interface Check {
  name: string;
  outcome: Outcome;
  detail?: string;
  screenshot?: string;
}
const checks: Check[] = [];
const screenshots: string[] = [];
const externalBrowserRequests = new Set<string>();
const timings: Record<string, number> = {};

function record(name: string, outcome: Outcome, detail?: string, screenshot?: string): void {
  checks.push({
    name,
    outcome,
    ...(detail !== undefined && { detail }),
    ...(screenshot && { screenshot }),
  });
  const mark = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', info: 'INFO' }[outcome];
  process.stdout.write(`${mark}  ${name}${detail ? ` (${detail})` : ''}\n`);
}

class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
}

/** A required check: records it and stops the flow when it fails. */
function must(name: string, ok: boolean, detail?: string, screenshot?: string): void {
  record(name, ok ? 'pass' : 'fail', detail, screenshot);
  if (!ok) throw new CheckFailed(`${name}${detail ? `: ${detail}` : ''}`);
}

// ---------------------------------------------------------------- processes

const children: { name: string; child: ChildProcess }[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startProcess(
  name: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  logFile: string,
): ChildProcess {
  const fd = openSync(logFile, 'a');
  // Its own process group, so stopping it also stops anything it started.
  const child = spawn(process.execPath, argv, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.push({ name, child });
  return child;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopAll(): Promise<void> {
  for (const { child } of children.toReversed()) {
    killGroup(child, 'SIGTERM');
    if (!(await exited(child, 5000))) {
      killGroup(child, 'SIGKILL');
      await exited(child, 2000);
    }
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new CheckFailed(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// ---------------------------------------------------------------- browser helpers

/** Which mock user the next card action comes from (null = the signed-in Alex). */
let actAs: string | null = null;
/** While true, the Playground's `updateMessage` websocket frames are held back. */
let holdUpdates = false;
const heldFrames: Array<() => void> = [];
let shotNo = 0;

async function shoot(target: Page | Locator, name: string): Promise<string> {
  const file = join(OUT, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
  await target.screenshot({ path: file });
  screenshots.push(file);
  return file;
}

type Text = string | RegExp;
const matches = (inner: string, text: Text) =>
  typeof text === 'string' ? inner.includes(text) : text.test(inner);
/** The facilitator's cards say so; group cards never do. */
const FACILITATOR_MARK = 'Only the facilitator sees this';

/** Playwright matches a string `hasText` case-insensitively; these are case-sensitive. */
function exactly(text: Text): RegExp {
  return typeof text === 'string' ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : text;
}

function cards(page: Page, text?: Text): Locator {
  const all = page.locator(CARD);
  return text === undefined ? all : all.filter({ hasText: exactly(text) });
}

/** Cards the whole conversation sees (not the facilitator's controls). */
function groupCards(page: Page, text: Text): Locator {
  return cards(page, text).filter({ hasNotText: FACILITATOR_MARK });
}

/**
 * Waits until more of `among` (a filtered card list) exist than `before`, and
 * returns the newest as a stable handle: its position among all cards of the
 * conversation (messages are only ever appended), so it keeps pointing at the
 * same message when the bot edits its text.
 */
async function newCard(page: Page, among: Locator, text: Text, before: number): Promise<Locator> {
  await waitFor(`a new card with "${text}"`, async () =>
    (await among.count()) > before ? true : undefined,
  );
  const all = page.locator(CARD);
  await all.evaluateAll((found) => {
    for (const element of found) element.removeAttribute('data-e2e-newest');
  });
  const marked = await among.evaluateAll((found) => {
    found.at(-1)?.setAttribute('data-e2e-newest', '1');
    return found.length;
  });
  if (marked === 0) throw new CheckFailed(`the card with "${text}" went away`);
  const index = await all.evaluateAll((found) =>
    found.findIndex((element) => element.getAttribute('data-e2e-newest') === '1'),
  );
  return all.nth(index);
}

async function waitForText(card: Locator, text: Text, ms = WAIT_MS) {
  return waitFor(
    `"${text}" in the card`,
    async () => {
      const inner = await card.innerText();
      return matches(inner, text) ? inner : undefined;
    },
    ms,
  );
}

interface InvokeResult {
  status: number;
  body: string;
  ms: number;
  /** The card's texts, flattened. */
  text: string;
  /** The action data the Playground sent. */
  sent: string;
  /** The conversation the card is in (a channel thread's id has `;messageid=`). */
  conversationId: string;
}

function cardText(value: unknown): string {
  const texts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') texts.push(record.text);
      if (typeof record.title === 'string') texts.push(record.title);
      for (const [key, child] of Object.entries(record)) if (key !== 'data') walk(child);
    }
  };
  walk(value);
  return texts.join(' | ');
}

/** Presses a card button (an Action.Execute invoke) as `user`, and returns the bot's answer. */
async function press(
  page: Page,
  button: Locator,
  user: string | null = null,
): Promise<InvokeResult> {
  actAs = user;
  try {
    const t0 = Date.now();
    const response = page.waitForResponse(
      (r) => r.url().includes('/_conversation/v1/invoke') && r.request().method() === 'POST',
      { timeout: WAIT_MS },
    );
    await button.click();
    const r = await response;
    const body = await r.text();
    let sent = '';
    let conversationId = '';
    try {
      const posted = JSON.parse(r.request().postData() ?? '{}') as {
        value?: { action?: { data?: unknown } };
        conversation?: { id?: string };
      };
      sent = JSON.stringify(posted.value?.action?.data ?? null);
      conversationId = posted.conversation?.id ?? '';
    } catch {
      sent = '';
    }
    let text = '';
    try {
      text = cardText((JSON.parse(body) as { value?: unknown }).value);
    } catch {
      text = body.slice(0, 300);
    }
    return { status: r.status(), body, ms: Date.now() - t0, text, sent, conversationId };
  } finally {
    actAs = null;
  }
}

/**
 * Types a message (with the bot's @mention from the Playground's picker) and
 * sends it. It always comes from the signed-in mock user (Alex): the
 * Playground ignores `from` for typed messages (see `customActivity`).
 */
async function say(page: Page, editor: Locator, text: string, mention: boolean) {
  await editor.click();
  if (mention) {
    await page.keyboard.type('@');
    await page.getByRole('menuitem', { name: BOT_NAME }).first().click({ timeout: WAIT_MS });
    await page.keyboard.type(' ');
  }
  await page.keyboard.type(text);
  const sent = page.waitForResponse(
    (r) =>
      /\/_conversation\/v1\/conversations\/.+\/messages/.test(r.url()) &&
      r.request().method() === 'POST',
    { timeout: WAIT_MS },
  );
  await page.keyboard.press('Enter');
  const r = await sent;
  if (!r.ok()) throw new CheckFailed(`the Playground refused the message "${text}": ${r.status()}`);
}

/** A form action: an error card is a warning unless --strict-forms. */
function formOutcome(name: string, result: InvokeResult, shot?: string) {
  const failed = result.status !== 200 || result.text.includes(ERROR_TITLE);
  const detail = failed
    ? `answered with an error card: ${result.text.slice(0, 160)}`
    : `accepted; answer: ${result.text.slice(0, 120)}`;
  if (failed && args['strict-forms']) must(name, false, detail, shot);
  record(name, failed ? 'warn' : 'pass', detail, shot);
}

/**
 * Sends an activity through the Playground's "Mock an Activity → Custom activity"
 * dialog, with `patch` merged into the JSON the dialog posts. Text messages
 * typed in the chat always come from the signed-in mock user; this is the
 * Playground's only way to send one from somebody else, or with another locale.
 */
async function customActivity(page: Page, patch: Record<string, unknown>): Promise<void> {
  const pattern = /\/_internal\/v1\/customActivities$/;
  await page.route(pattern, async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    const activity = JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
    return route.continue({ postData: JSON.stringify({ ...activity, ...patch }) });
  });
  try {
    await page.getByRole('button', { name: /Mock an Activity/ }).click();
    await page.getByText('Custom activity', { exact: true }).click();
    const sent = page.waitForResponse(
      (r) => pattern.test(new URL(r.url()).pathname) && r.request().method() === 'POST',
      { timeout: WAIT_MS },
    );
    await page.getByRole('button', { name: 'Send activity' }).click();
    const r = await sent;
    if (!r.ok()) {
      throw new CheckFailed(
        `the Playground refused the custom activity: ${r.status()} ${await r.text()}`,
      );
    }
  } finally {
    await page.unroute(pattern);
  }
}

// ---------------------------------------------------------------- the flow

async function personalChat(page: Page) {
  const welcome = await newCard(page, cards(page, 'Welcome to Dialogrunde'), 'Welcome', 0);
  must(
    'personal chat: welcome card on install',
    (await welcome.getByRole('button', { name: 'Start a round' }).count()) === 1,
    undefined,
    await shoot(page, 'personal-welcome'),
  );

  const editor = page.locator(EDITOR).first();
  const helps = cards(page, 'How to use Dialogrunde');
  const helpBefore = await helps.count();
  await say(page, editor, 'help', false);
  const help = await newCard(page, helps, 'How to use', helpBefore);
  must(
    'personal chat: `help` answers with the help card',
    true,
    undefined,
    await shoot(help, 'personal-help'),
  );

  const steps = groupCards(page, 'Step 1 of 7');
  const stepBefore = await steps.count();
  const start = await press(page, welcome.getByRole('button', { name: 'Start a round' }));
  timings.invokeStartMs = start.ms;
  // The Playground replaces the pressed card with the invoke response.
  await waitForText(welcome, 'For the facilitator: Introduction');
  must(
    "personal chat: the welcome card's Start answers with the facilitator card",
    start.text.includes('For the facilitator: Introduction'),
    `${start.ms} ms`,
    await shoot(welcome, 'personal-facilitator'),
  );
  const step1 = await newCard(page, steps, 'Step 1 of 7', stepBefore);
  must(
    'personal chat: the group card of step 1 is posted',
    true,
    undefined,
    await shoot(step1, 'personal-step1'),
  );

  const ends = cards(page, 'The round has ended');
  const endedBefore = await ends.count();
  await say(page, editor, 'stop', false);
  await newCard(page, ends, 'The round has ended', endedBefore);
  await page.waitForTimeout(2500); // a second copy, if any, comes through the outbox
  const ended = (await ends.count()) - endedBefore;
  must(
    'personal chat: `stop` ends the round',
    true,
    `${ended} "The round has ended" card(s)`,
    await shoot(page, 'personal-stop'),
  );
  if (ended > 1)
    record('personal chat: `stop` posts the end card more than once', 'warn', `${ended} copies`);
}

const VOTERS: ReadonlyArray<readonly [string, string, string]> = [
  ['Alex', USERS.alex, '4'],
  ['Megan', USERS.megan, '2'],
  ['Adele', USERS.adele, '5'],
];

async function groupChat(page: Page) {
  await page.getByRole('treeitem', { name: 'Group Chat' }).click();
  await newCard(page, cards(page, 'Welcome to Dialogrunde'), 'Welcome', 0);
  must('group chat: welcome card on install', true, undefined, await shoot(page, 'group-welcome'));
  const editor = page.locator(EDITOR).first();

  // start by @mention: a hint card and the group card of step 1
  const hints = cards(page, 'You are the facilitator');
  const hintBefore = await hints.count();
  const step1s = groupCards(page, 'Step 1 of 7');
  const stepBefore = await step1s.count();
  await say(page, editor, 'start', true);
  const hint = await newCard(page, hints, 'You are the facilitator', hintBefore);
  must(
    'group chat: `@bot start` answers with the hint card',
    true,
    undefined,
    await shoot(hint, 'group-hint'),
  );
  const step1 = await newCard(page, step1s, 'Step 1 of 7', stepBefore);
  record('group chat: step 1 group card', 'pass', undefined, await shoot(step1, 'group-step1'));

  // the hint card's button; from now on that message holds the facilitator's controls
  const shown = await press(page, hint.getByRole('button', { name: /facilitator/i }));
  const facilitator = hint;
  await waitForText(facilitator, 'Next step');
  must(
    "group chat: the hint card's button answers with the facilitator card",
    shown.text.includes('For the facilitator: Introduction'),
    `${shown.ms} ms`,
    await shoot(facilitator, 'group-facilitator-step1'),
  );

  const next = async (title: string, step: number, button = 'Next step') => {
    const groups = groupCards(page, `Step ${step} of 7`);
    const before = await groups.count();
    const result = await press(page, facilitator.getByRole('button', { name: button }));
    must(
      `group chat: ${button} → step ${step} (facilitator card)`,
      result.text.includes(`Step ${step} of 7`),
      `${result.ms} ms`,
    );
    await waitForText(facilitator, `Step ${step} of 7`);
    const group = await newCard(page, groups, `Step ${step} of 7`, before);
    await waitForText(group, title);
    return group;
  };

  // step 2: scope
  const scope = await next('Scope of the meeting', 2);
  await shoot(scope, 'group-step2-scope');
  await scope.getByText('Only Development, in depth', { exact: true }).last().click();
  const scoped = await press(page, scope.getByRole('button', { name: 'Save scope' }));
  formOutcome(
    'form: scope (Only Development)',
    scoped,
    await shoot(scope, 'group-step2-scope-saved'),
  );

  // step 3: status note
  const status = await next('Status summary', 3);
  await status
    .locator('textarea')
    .first()
    .fill('Vi har indført månedlige 1:1-samtaler. Det virker.');
  const noted = await press(page, status.getByRole('button', { name: 'Add note' }));
  formOutcome('form: status note', noted, await shoot(status, 'group-step3-status'));

  // step 4: one dialogue card, three voters
  const rating = await next('Place the dialogue cards', 4);
  await shoot(rating, 'group-step4-overview');
  const dialogues = cards(page, 'Talk about');
  const openBefore = await dialogues.count();
  const opened = await press(page, facilitator.getByRole('button', { name: 'Open next card' }));
  must('group chat: Open next card', !opened.text.includes(ERROR_TITLE), `${opened.ms} ms`);
  const dialogue = await newCard(page, dialogues, 'Talk about', openBefore);
  await waitForText(dialogue, 'have voted');
  const lines = (await dialogue.innerText())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  must(
    'group chat: a dialogue card is open',
    true,
    lines[1] ?? '?',
    await shoot(dialogue, 'group-card-open'),
  );

  for (const [name, user, value] of VOTERS) {
    holdUpdates = true;
    const result = await press(
      page,
      dialogue.getByRole('button', { name: value, exact: true }),
      user,
    );
    timings[`invokeVote${name}Ms`] = result.ms;
    must(
      `vote as ${name}: the invoke answers with the voter's card`,
      result.text.includes(`Your vote: ${value}`),
      `${result.ms} ms`,
    );
    const seen = await waitForText(dialogue, `Your vote: ${value}`, 5000).then(
      () => shoot(dialogue, `vote-${name.toLowerCase()}-your-vote`),
      () => undefined,
    );
    must(
      `vote as ${name}: the card shows "Your vote: ${value}"`,
      seen !== undefined,
      undefined,
      seen,
    );
    const held = heldFrames.length;
    holdUpdates = false;
    for (const release of heldFrames.splice(0)) release();
    const replaced = await waitFor(
      'the group edit',
      async () => ((await dialogue.innerText()).includes('Your vote') ? undefined : true),
      3000,
    ).then(
      () => true,
      () => false,
    );
    record(
      `vote as ${name}: then the bot's group edit replaces "Your vote"`,
      'info',
      `${held} held edit frame(s); replaced: ${replaced}`,
    );
  }
  const counted = await waitForText(dialogue, '3 of 3 have voted').then(
    () => true,
    () => false,
  );
  must(
    'group chat: the card counts 3 of 3 votes',
    counted,
    undefined,
    await shoot(dialogue, 'group-card-3-votes'),
  );
  record(
    'facilitator card after the votes (not pushed)',
    'info',
    (await facilitator.innerText()).match(/\d+ of \d+ have voted/)?.[0] ?? 'no count',
  );

  const closed = await press(page, facilitator.getByRole('button', { name: /^Close the card/ }));
  must('group chat: Close the card', !closed.text.includes(ERROR_TITLE), `${closed.ms} ms`);
  const resultLine = /Mean [\d.]+ · median [\d.]+ · 3 rated/;
  const result = await waitForText(dialogue, resultLine).then(
    (t) => t.match(resultLine)?.[0] ?? '',
    () => '',
  );
  must(
    'group chat: the closed card shows the result',
    result !== '',
    result,
    await shoot(dialogue, 'group-card-result'),
  );

  // step 5: own initiative
  const custom = await next('What else have we done?', 5);
  await custom.locator('input[type=text]').first().fill('Fredagsfrokost på tværs af afdelinger');
  await custom.locator('textarea').first().fill('Én gang om måneden spiser vi sammen.');
  await custom.getByRole('combobox').first().click();
  await page.getByRole('option').nth(1).click();
  const added = await press(page, custom.getByRole('button', { name: 'Add initiative' }));
  formOutcome('form: own initiative', added, await shoot(custom, 'group-step5-custom'));

  // step 6: priorities, by all three
  const priority = await next('Sustainability', 6);
  await shoot(priority, 'group-step6-priorities');
  for (const [name, user] of VOTERS) {
    const checkbox = priority.getByText(/^Mentoring schemes – /);
    const save = priority.getByRole('button', { name: 'Save my picks' });
    if ((await checkbox.count()) === 0 || (await save.count()) === 0) {
      record(
        `form: priorities as ${name}`,
        'warn',
        'the priorities form is not on the card (any more)',
      );
      continue;
    }
    await checkbox.first().click();
    formOutcome(`form: priorities as ${name}`, await press(page, save, user));
    await page.waitForTimeout(500);
  }
  await shoot(priority, 'group-step6-after');

  // step 7: the summary
  const summary = await next('Wrap-up and close', 7);
  must(
    'group chat: the summary card (step 7) shows the results',
    (await summary.innerText()).includes('Areas, lowest first'),
    undefined,
    await shoot(summary, 'group-step7-summary'),
  );
  const pictures = await summary.locator('img').evaluateAll((images) =>
    images.map((image) => ({
      src: image.getAttribute('src') ?? '',
      loaded: (image as unknown as { naturalWidth: number }).naturalWidth > 0,
    })),
  );
  const links = await summary.locator('button, a, [role=button], [role=link]').allInnerTexts();
  record(
    'summary card: picture and export links (PUBLIC_URL)',
    pictures.some((p) => p.loaded) ? 'pass' : 'warn',
    `${pictures.length} picture(s), loaded: ${pictures.filter((p) => p.loaded).length}; buttons: ${links.join(', ') || 'none'}`,
  );

  // the follow-up plan: its card comes with step 7 (or, in older versions, after Finish)
  const plans = cards(page, 'Follow-up plan');
  const planEarly = await waitFor(
    'the plan card',
    async () => ((await plans.count()) > 0 ? true : undefined),
    5000,
  ).then(
    () => true,
    () => false,
  );
  const finishButton = facilitator.getByRole('button', { name: /follow-up plan/i });
  let finished = false;
  const finish = async () => {
    const result = await press(page, finishButton);
    must(
      'group chat: Finish with the follow-up plan',
      !result.text.includes(ERROR_TITLE),
      `${result.ms} ms`,
    );
    finished = true;
  };
  if (!planEarly) await finish();
  const plan = await newCard(page, plans, 'Follow-up plan', 0);
  record(
    'the plan card is posted',
    'info',
    planEarly ? 'with step 7' : 'after Finish',
    await shoot(plan, 'group-plan'),
  );
  await plan.getByRole('button', { name: 'Add agreement' }).first().click();
  const inputs = plan.locator('input[type=text]:not([role=combobox])');
  await inputs.nth(0).fill('Mentorordning for nye ledere');
  await plan.locator('textarea').nth(0).fill('Hurtigere oplæring');
  await plan.locator('textarea').nth(1).fill('Par nye og erfarne ledere');
  await inputs.nth(1).fill('Megan Bowen');
  // The people picker (Teams only; the Playground lists its mock users).
  const picker = plan.locator('[role=combobox]:not([placeholder="Select a date..."])');
  if ((await picker.count()) > 0) {
    await picker.first().click();
    await picker.first().pressSequentially('Megan');
    await page
      .getByRole('option', { name: /Megan Bowen/ })
      .first()
      .click();
    record('plan form: people picker', 'info', "picked Megan Bowen from the Playground's list");
  } else record('plan form: people picker', 'info', 'not on the card');
  await plan.getByPlaceholder('Select a date...').click();
  // The date picker's calendar: next month, the 15th (the first "15" in the grid is in the shown month).
  const calendar = page.getByRole('dialog');
  const nextMonth = calendar.getByRole('button', { name: /next month/i });
  if ((await nextMonth.count()) > 0) await nextMonth.first().click();
  await calendar.locator('button').filter({ hasText: /^15$/ }).first().click();
  await shoot(plan, 'group-plan-filled');
  const planned = await press(page, plan.getByRole('button', { name: 'Add agreement' }).last());
  record('plan form: what the Playground sent', 'info', planned.sent);
  formOutcome('form: plan item', planned, await shoot(plan, 'group-plan-added'));
  if (!planned.text.includes(ERROR_TITLE)) {
    const listed = await waitForText(plan, 'Mentorordning for nye ledere', 5000).then(
      () => true,
      () => false,
    );
    record(
      'the plan card lists the new agreement',
      listed ? 'pass' : 'warn',
      undefined,
      await shoot(plan, 'group-plan-listed'),
    );
  }
  if (!finished && (await finishButton.count()) > 0) await finish();
  await shoot(page, 'group-finished');

  // text commands after the round
  const step7s = groupCards(page, 'Step 7 of 7');
  const statusBefore = await step7s.count();
  await say(page, editor, 'status', true);
  const statusCard = await newCard(page, step7s, 'Step 7 of 7', statusBefore);
  must(
    'group chat: `@bot status` answers with the current step',
    true,
    undefined,
    await shoot(statusCard, 'group-status'),
  );

  const helps = cards(page, 'How to use Dialogrunde');
  const helpBefore = await helps.count();
  await say(page, editor, 'hjælp', true);
  const help = await newCard(page, helps, 'How to use', helpBefore);
  must(
    'group chat: `@bot hjælp` answers with the help card',
    true,
    undefined,
    await shoot(help, 'group-help'),
  );

  const unknowns = cards(page, 'I do not know that command');
  const unknownBefore = await unknowns.count();
  await say(page, editor, 'blah', true);
  const unknown = await newCard(page, unknowns, 'I do not know that command', unknownBefore);
  must(
    'group chat: an unknown command answers with an error card',
    true,
    undefined,
    await shoot(unknown, 'group-unknown'),
  );

  const warnings = new Set(
    [...(await page.locator('body').innerText()).matchAll(/\(!\) Warning: ([^\n]+)/g)].map((m) =>
      (m[1] ?? '').replace(/ you can try it.*$/, '').replace(/,$/, ''),
    ),
  );
  record('Playground warnings in its log panel', 'info', [...warnings].join(' / ') || 'none');

  const plainBefore = await cards(page).count();
  await say(page, editor, 'help', false);
  await page.waitForTimeout(2500);
  record(
    'group chat: a message without @mention reaches the bot',
    'info',
    (await cards(page).count()) > plainBefore
      ? 'yes (answered)'
      : 'no (the Playground does not forward it, as in Teams)',
  );
}

async function channel(page: Page) {
  await page.getByRole('treeitem', { name: /General/ }).click();
  await newCard(page, cards(page, 'Welcome to Dialogrunde'), 'Welcome', 0);
  must('channel: welcome card on install', true, undefined, await shoot(page, 'channel-welcome'));
  // The reply box of the welcome post's thread (the first editor starts a new post).
  const reply = page.locator(EDITOR).last();
  const hints = cards(page, 'You are the facilitator');
  const hintBefore = await hints.count();
  await say(page, reply, 'start', true);
  const hint = await newCard(page, hints, 'You are the facilitator', hintBefore);
  await newCard(page, groupCards(page, 'Step 1 of 7'), 'Step 1 of 7', 0);
  must('channel: `@bot start` in a thread', true, undefined, await shoot(page, 'channel-start'));

  const refused = await press(
    page,
    hint.getByRole('button', { name: /facilitator/i }),
    USERS.megan,
  );
  const thread = refused.conversationId;
  await waitForText(hint, 'Only the facilitator').catch(() => '');
  must(
    "channel: the hint card's button pressed by somebody else is refused",
    refused.text.includes('Only the facilitator'),
    refused.text.slice(0, 100),
    await shoot(hint, 'channel-refused'),
  );

  const ends = cards(page, 'The round has ended');
  const stopBefore = await ends.count();
  const refusals = cards(page, 'Only the facilitator');
  const refusalsBefore = await refusals.count();
  const mention = `<at>${BOT_NAME}</at>`;
  await customActivity(page, {
    type: 'message',
    text: `${mention} stop`,
    conversation: { id: thread, isGroup: true, conversationType: 'channel', tenantId: TENANT },
    from: { id: USERS.megan, aadObjectId: MEGAN_AAD, name: 'Megan Bowen' },
    entities: [{ type: 'mention', text: mention, mentioned: { id: BOT_ID, name: BOT_NAME } }],
  });
  const stopRefused = await newCard(page, refusals, 'Only the facilitator', refusalsBefore).then(
    () => true,
    () => false,
  );
  must(
    'channel: `@bot stop` by somebody else (a custom activity from Megan) is refused',
    stopRefused && (await ends.count()) === stopBefore,
    undefined,
    await shoot(page, 'channel-stop-refused'),
  );

  await say(page, reply, 'stop', true);
  await newCard(page, ends, 'The round has ended', stopBefore);
  await page.waitForTimeout(2500);
  const ended = (await ends.count()) - stopBefore;
  must(
    'channel: `@bot stop` by the facilitator ends the round',
    true,
    `${ended} end card(s)`,
    await shoot(page, 'channel-stop'),
  );
  if (ended > 1)
    record('channel: `stop` posts the end card more than once', 'warn', `${ended} copies`);
}

async function danish(page: Page) {
  // The Playground always sends locale en-US; a custom activity can carry da-DK.
  await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
  try {
    const hints = cards(page, 'Du er mødeleder');
    const before = await hints.count();
    await customActivity(page, { type: 'message', text: 'start', locale: 'da-DK' });
    const hint = await newCard(page, hints, 'Du er mødeleder', before);
    const shown = await press(page, hint.getByRole('button').first());
    await waitForText(hint, 'Til mødelederen').catch(() => '');
    record(
      'Danish (custom activity with locale da-DK): hint card, then the facilitator card',
      shown.text.includes('Til mødelederen') ? 'pass' : 'warn',
      shown.text.slice(0, 80),
      await shoot(hint, 'danish-facilitator'),
    );
    await say(page, page.locator(EDITOR).first(), 'stop', false);
  } catch (error) {
    record('Danish (custom activity with locale da-DK)', 'warn', (error as Error).message);
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT)) {
    if (
      /^\d\d-.*\.png$/.test(file) ||
      [
        'bot.log',
        'playground.log',
        'playground-stdout.log',
        'netwatch.log',
        'summary.json',
      ].includes(file)
    ) {
      rmSync(join(OUT, file), { force: true });
    }
  }
  if (!existsSync(PLAYGROUND_CLI))
    throw new Error(`the Playground is not installed: ${PLAYGROUND_CLI}`);
  if (!existsSync(args.chromium))
    throw new Error(`no Chromium at ${args.chromium} (--chromium PATH)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-playground-'));
  const playgroundCwd = join(dataDir, 'playground');
  mkdirSync(playgroundCwd);
  const netwatch = join(OUT, 'netwatch.log');
  const botPort = await freePort();
  const playgroundPort = await freePort();
  const endpoint = `http://127.0.0.1:${botPort}/api/messages`;
  const t0 = Date.now();
  let browser: Browser | undefined;

  try {
    const botEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      TEAMS_ALLOW_ANONYMOUS: 'true',
      HOST: '127.0.0.1',
      PORT: String(botPort),
      DATA_DIR: join(dataDir, 'data'),
      LOG_LEVEL: 'info',
      NETWATCH_FILE: netwatch,
      NETWATCH_NAME: 'bot',
    };
    for (const name of [
      'TEAMS_APP_ID',
      'TEAMS_APP_PASSWORD',
      'TEAMS_TENANT_ID',
      'TEAMS_TENANT_ALLOWLIST',
      'SQLITE_PATH',
    ]) {
      delete botEnv[name];
    }
    // The summary card's picture and export links point here (loopback, like everything else).
    botEnv.PUBLIC_URL = `http://127.0.0.1:${botPort}`;
    startProcess(
      'bot',
      ['--import', PRELOAD_URL, join(ROOT, 'src', 'main.ts')],
      botEnv,
      ROOT,
      join(OUT, 'bot.log'),
    );
    await waitFor('the bot', async () =>
      (await fetch(`http://127.0.0.1:${botPort}/healthz`)).ok ? true : undefined,
    );

    const playgroundEnv: NodeJS.ProcessEnv = {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: 'none',
      TEAMSAPPTESTER_LOGFILE: join(OUT, 'playground.log'),
      APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      BOT_ENDPOINT: endpoint,
      NETWATCH_FILE: netwatch,
      NETWATCH_NAME: 'playground',
    };
    delete playgroundEnv.M365_AGENTS_PLAYGROUND_CONFIG_PATH;
    delete playgroundEnv.TEAMS_APP_TEST_TOOL_CONFIG_PATH;
    startProcess(
      'playground',
      [
        '--import',
        PRELOAD_URL,
        PLAYGROUND_CLI,
        '-e',
        endpoint,
        '-c',
        'msteams',
        '--disable-telemetry',
        '-p',
        String(playgroundPort),
        '--service-url',
        `http://127.0.0.1:${playgroundPort}/_connector`,
      ],
      playgroundEnv,
      playgroundCwd,
      join(OUT, 'playground-stdout.log'),
    );
    const listening = await waitFor('the Playground', async () => {
      const log = readFileSync(join(OUT, 'playground-stdout.log'), 'utf8');
      return log.match(/Listening on (\d+)/)?.[1];
    });
    if (Number(listening) !== playgroundPort)
      throw new Error(`the Playground took port ${listening}, not ${playgroundPort}`);
    timings.startupMs = Date.now() - t0;

    browser = await chromium.launch({
      executablePath: args.chromium,
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
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 2000 } });
    // Offline: anything not on this machine is refused (the UI loads fonts from a CDN).
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => {
      externalBrowserRequests.add(route.request().url());
      return route.abort();
    });
    // Other mock users: the Playground server takes the acting user from `from.id`.
    await context.route(/\/_conversation\/v1\//, async (route) => {
      const request = route.request();
      if (request.method() !== 'POST' || !actAs) return route.continue();
      const body = JSON.parse(request.postData() ?? '{}') as { from?: { id?: string } };
      body.from = { ...body.from, id: actAs };
      return route.continue({ postData: JSON.stringify(body) });
    });
    const page = await context.newPage();
    await page.routeWebSocket(/\/_ws_conversation\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        if (holdUpdates && String(message).includes('"action":"updateMessage"')) {
          heldFrames.push(() => ws.send(message));
        } else ws.send(message);
      });
      ws.onMessage((message) => server.send(message));
    });

    await page.goto(`http://127.0.0.1:${playgroundPort}/`);
    await personalChat(page);
    await groupChat(page);
    await channel(page);
    await danish(page);
  } catch (error) {
    if (!(error instanceof CheckFailed))
      record('unexpected error', 'fail', (error as Error).stack ?? String(error));
    else if (!checks.some((c) => c.outcome === 'fail')) record('flow', 'fail', error.message);
    try {
      const pages = browser?.contexts()[0]?.pages();
      if (pages?.[0]) await shoot(pages[0], 'failure');
    } catch {
      // no screenshot
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await stopAll();
    timings.totalMs = Date.now() - t0;
  }

  // What the logs say.
  const botLog = existsSync(join(OUT, 'bot.log')) ? readFileSync(join(OUT, 'bot.log'), 'utf8') : '';
  const errors = botLog.split('\n').filter((l) => /"level":(50|60)/.test(l));
  record(
    'bot log: no errors',
    errors.length === 0 ? 'pass' : 'fail',
    errors.length ? errors.slice(0, 3).join(' ') : undefined,
  );
  const unknownActions = [
    ...botLog.matchAll(/"command":"(\w+)","msg":"teams: unknown card action"/g),
  ].map((m) => m[1]);
  if (unknownActions.length)
    record('bot log: card actions the bot does not know', 'info', unknownActions.join(', '));
  const external = existsSync(netwatch) ? readFileSync(netwatch, 'utf8').trim() : '';
  record(
    'no process tried to reach the network',
    external === '' ? 'pass' : 'fail',
    external || undefined,
  );
  record(
    'browser requests to other hosts (refused)',
    'info',
    [...externalBrowserRequests]
      .map((u) => new URL(u).host + new URL(u).pathname.split('/').slice(-1)[0])
      .join(', ') || 'none',
  );

  if (args['keep-data']) process.stdout.write(`DATA_DIR kept: ${dataDir}\n`);
  else rmSync(dataDir, { recursive: true, force: true });

  const failed = checks.filter((c) => c.outcome === 'fail');
  const summary = {
    ok: failed.length === 0,
    timings,
    checks,
    screenshots,
    externalBrowserRequests: [...externalBrowserRequests],
  };
  writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `\n${failed.length === 0 ? 'OK' : `FAILED (${failed.length})`}: ${checks.filter((c) => c.outcome === 'pass').length} passed, ` +
      `${checks.filter((c) => c.outcome === 'warn').length} warnings, in ${Math.round((timings.totalMs ?? 0) / 1000)} s. ` +
      `Screenshots and logs: ${OUT}\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    void stopAll().then(() => process.exit(130));
  });
}

process.exitCode = await main().catch(async (error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  await stopAll();
  return 1;
});
