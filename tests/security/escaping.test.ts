/**
 * Issue 8, item 10: markup people type is shown as typed, on every channel's
 * renderer. A round is run through the real service with hostile text in
 * every user-written field (status note, own initiative's title and
 * description, the plan item's what, goal, actions and owner); every view the
 * round sent, plus the plan, the summary and a reminder to a Teams owner, is
 * rendered for:
 *
 * - Slack Block Kit (and the Slack forms that list user text): no `<`, `>` or
 *   bare `&` reaches Slack, so `<!channel>` notifies nobody and
 *   `<http://x|ok>` is no disguised link;
 * - Teams Adaptive Cards: Teams reads a TextBlock as Markdown, so every
 *   Markdown character of the text is escaped (no link, emphasis, list,
 *   entity, autolink or `<at>` mention comes from a user), and unescaping
 *   gives the typed text back;
 * - plain text (CLI): the text verbatim.
 *
 * The web pages (the same Adaptive Cards in the browser, and the page scripts):
 * escaping-web.test.ts, in Chromium.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import type { ServiceCommand } from '../../src/app/round-service.ts';
import { prioritize, vote } from '../../src/app/voting.ts';
import { renderMessage } from '../../src/channels/slack/blocks/index.ts';
import { planModal, priorityModal } from '../../src/channels/slack/modals/forms.ts';
import { teamsCard } from '../../src/channels/teams/cards.ts';
import { renderText } from '../../src/channels/text/render.ts';
import { addDays, epochToZonedDate } from '../../src/core/time.ts';
import type { ViewModel } from '../../src/core/views/types.ts';
import { testDeck, testSettings } from '../fixtures/test-deck.ts';
import { strings } from '../slack/block-checks.ts';
import { ISSUE, MORE } from './hostile.ts';

const person = (i: number): Identity => ({ platform: 'teams', tenant: 't', userId: `aad-${i}` });
const FAC = person(0);

/** Runs a round with hostile text everywhere people write; answers every view it produced. */
async function hostileViews(): Promise<ViewModel[]> {
  const clock = new ManualClock();
  const views: ViewModel[] = [];
  const decks = DeckCatalog.load();
  decks.add(testDeck);
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: 'escaping-test-secret-0123456789-abcdefgh',
    clock,
    output: { send: async (m) => void views.push(m.view) },
    decks,
    defaults: { ...testSettings(), mode: 'sync' },
    logger: silentLogger(),
  });
  try {
    const { service } = app;
    const started = await service.start(FAC, {
      conversation: { platform: 'teams', tenant: 't', conversationId: 'c' },
      deckId: testDeck.id,
      scope: { kind: 'area', areaId: 'fastholdelse' },
    });
    if (!started.ok) throw new Error(started.error.code);
    const { roundId } = started.value;
    const must = async (who: Identity, command: ServiceCommand) => {
      const done = await service.command(roundId, who, command);
      if (!done.ok) throw new Error(`${command.type}: ${done.error.code}`);
    };
    const voters = [1, 2, 3].map(person);
    await must(FAC, { type: 'next' });
    await must(FAC, { type: 'next' });
    await must(person(1), { type: 'addStatusNote', noteId: 'n1', areaId: null, text: MORE });
    await must(FAC, { type: 'next' });
    for (let card = 0; card < 2; card++) {
      await must(FAC, { type: 'openNextCard' });
      const state = (await app.store.load(roundId))?.state;
      const open = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open') ?? '';
      for (const v of voters) await vote(service, roundId, v, open, 2);
    }
    await must(FAC, { type: 'next' });
    await must(person(2), {
      type: 'addCustomCard',
      cardId: 'c1',
      missionId: 'trivsel',
      title: ISSUE,
      description: MORE,
    });
    await must(FAC, { type: 'openNextCard' });
    for (const v of voters) await vote(service, roundId, v, 'c1', 4);
    await must(FAC, { type: 'next' });
    for (const v of voters) await prioritize(service, roundId, v, ['c1']);
    await must(FAC, { type: 'next' });
    const due = addDays(epochToZonedDate(clock.now(), 'Europe/Copenhagen'), 10);
    const input = {
      what: MORE,
      goal: MORE,
      actions: MORE,
      due,
      link: { kind: 'card' as const, id: 'c1' },
    };
    await must(FAC, {
      type: 'addPlanItem',
      itemId: 'p1',
      input: { ...input, owner: { name: ISSUE } },
    });
    await must(FAC, {
      type: 'addPlanItem',
      itemId: 'p2',
      input: { ...input, owner: { name: ISSUE, user: { platform: 'teams', userId: 'aad-2' } } },
    });
    for (const request of [
      { kind: 'plan' },
      { kind: 'step', step: 'summary' },
      { kind: 'reminder', itemId: 'p1', daysBefore: 0 },
      { kind: 'reminder', itemId: 'p2', daysBefore: 7 },
    ] as const) {
      const view = await service.view(roundId, request);
      if (view) views.push(view);
    }
    return views;
  } finally {
    await app.close();
  }
}

/** The texts a Teams client reads as Markdown: TextBlock texts and FactSet facts. */
function markdownTexts(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(markdownTexts);
  if (typeof card !== 'object' || card === null) return [];
  const node = card as Record<string, unknown>;
  const own =
    node.type === 'TextBlock' && typeof node.text === 'string'
      ? [node.text]
      : node.type === 'FactSet' && Array.isArray(node.facts)
        ? (node.facts as { title: string; value: string }[]).flatMap((f) => [f.title, f.value])
        : [];
  return [...own, ...Object.values(node).flatMap(markdownTexts)];
}

/** CommonMark's backslash escapes undone: what a Markdown renderer shows. */
const unescapeMarkdown = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, '$1');

/**
 * Markup a Markdown renderer (CommonMark, as Teams' clients) would act on:
 * an unescaped link bracket, emphasis, code, strike, HTML or autolink, an
 * entity, or a line starting a list, heading or quote.
 */
function markdownIn(text: string): string[] {
  const found: string[] = [];
  const unescaped = text.replace(/\\[!-/:-@[-`{-~]/g, '');
  if (/[[\]*_`~<>]/.test(unescaped)) found.push(`markup character in ${JSON.stringify(text)}`);
  if (/&[#a-zA-Z0-9]+;/.test(unescaped)) found.push(`entity in ${JSON.stringify(text)}`);
  if (/(^|\n)\s*([-+#]|\d+[.)])/.test(unescaped))
    found.push(`list or heading in ${JSON.stringify(text)}`);
  return found;
}

/** Views that carry something a user wrote (they must show it). */
const hasUserText = (view: ViewModel) => JSON.stringify(view).includes('<!channel>');

describe('user-written markup on every renderer', () => {
  let views: ViewModel[];
  beforeAll(async () => {
    views = await hostileViews();
  });

  it('runs a round whose views carry the hostile text in every field', () => {
    const kinds = new Set(views.filter(hasUserText).map((v) => v.kind));
    for (const kind of [
      'status',
      'custom',
      'cardVote',
      'cardResult',
      'priority',
      'summary',
      'plan',
      'reminder',
      'facilitator',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('Slack: no <, > or bare & reaches Slack; the text comes back when Slack decodes it', () => {
    const slackEscaped = ISSUE.replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;');
    for (const view of views) {
      const all = strings(renderMessage(view)).join('\n');
      expect(all, view.kind).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
      if (hasUserText(view)) expect(all, view.kind).toContain(slackEscaped);
    }
    const priority = views.find((v) => v.kind === 'priority' && hasUserText(v));
    const plan = views.find((v) => v.kind === 'plan' && hasUserText(v));
    if (priority?.kind !== 'priority' || plan?.kind !== 'plan') throw new Error('views missing');
    for (const modal of [priorityModal(priority, []), planModal(plan)]) {
      expect(strings(modal).join('\n')).not.toMatch(/[<>]|&(?!amp;|lt;|gt;)/);
    }
  });

  it('Slack: every mrkdwn text is verbatim, so a typed URL or #channel is not made a link', () => {
    const mrkdwnObjects = (node: unknown): Record<string, unknown>[] => {
      if (Array.isArray(node)) return node.flatMap(mrkdwnObjects);
      if (typeof node !== 'object' || node === null) return [];
      const own =
        (node as { type?: unknown }).type === 'mrkdwn' ? [node as Record<string, unknown>] : [];
      return [...own, ...Object.values(node).flatMap(mrkdwnObjects)];
    };
    const priority = views.find((v) => v.kind === 'priority' && hasUserText(v));
    const plan = views.find((v) => v.kind === 'plan' && hasUserText(v));
    if (priority?.kind !== 'priority' || plan?.kind !== 'plan') throw new Error('views missing');
    const rendered = [
      ...views.map((view) => renderMessage(view)),
      priorityModal(priority, []),
      planModal(plan),
    ];
    const texts = rendered.flatMap(mrkdwnObjects);
    expect(texts.length).toBeGreaterThan(50);
    for (const text of texts) expect(text, String(text.text)).toHaveProperty('verbatim', true);
  });

  it('Teams: every Markdown character people typed is escaped, and unescaping gives the text back', () => {
    const showing = new Set<string>();
    for (const view of views) {
      const card = teamsCard(view);
      const texts = markdownTexts(card);
      // The one mention of ours: the reminder's owner, with its entity (the name without < >).
      const mention = (card.msteams as { entities?: { text: string }[] }).entities?.[0]?.text;
      const problems = texts.flatMap((text) =>
        markdownIn(mention ? text.replace(mention, '') : text),
      );
      expect(problems, view.kind).toEqual([]);
      // What a card shows of the text, it shows whole: a Markdown text unescaped, or a plain one.
      const plain = strings(card).filter((t) => !texts.includes(t));
      const shown = [...texts.map(unescapeMarkdown), ...plain];
      for (const text of shown.filter((t) => t.includes('Boss') && view.kind !== 'reminder')) {
        expect(text, view.kind).toContain(ISSUE);
      }
      if (shown.some((t) => t.includes(ISSUE))) showing.add(view.kind);
    }
    for (const kind of ['status', 'custom', 'cardVote', 'cardResult', 'summary', 'plan']) {
      expect(showing, kind).toContain(kind);
    }
  });

  it('Teams: the reminder mentions its owner by entity only, never a user-typed <at>', () => {
    const reminders = views.filter((v) => v.kind === 'reminder');
    expect(reminders).toHaveLength(2);
    for (const view of reminders) {
      const card = teamsCard(view);
      const entities = (card.msteams as { entities?: { text: string }[] }).entities ?? [];
      // Teams looks for mentions in the Markdown texts (fallbackText is plain text).
      const tags =
        markdownTexts(card)
          .join('\n')
          .match(/<at>.*?<\/at>/g) ?? [];
      expect(tags).toEqual(entities.map((e) => e.text));
    }
  });

  it('plain text: the text exactly as typed', () => {
    for (const view of views.filter(hasUserText)) {
      expect(renderText(view), view.kind).toContain(ISSUE);
    }
  });
});
