/**
 * Block Kit limits, each rule on its own: sections split, headers, context,
 * fields and button labels cut, buttons per actions block, button values,
 * and the 50-block rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  actions,
  decodeActionValue,
  encodeActionValue,
} from '../../src/channels/slack/blocks/buttons.ts';
import { fitBlocks, OMITTED_NOTE } from '../../src/channels/slack/blocks/fit.ts';
import { renderMessage } from '../../src/channels/slack/blocks/index.ts';
import {
  context,
  fields,
  header,
  type SlackBlock,
  sections,
  splitText,
} from '../../src/channels/slack/blocks/kit.ts';
import { simulate } from '../../src/cli/simulate.ts';
import type { PlanItem, RoundState } from '../../src/core/model.ts';
import { facilitatorView } from '../../src/core/views/facilitator.ts';
import { planView } from '../../src/core/views/plan.ts';
import { buttonsOf, deck, input, L, violations } from './block-checks.ts';

let base: RoundState;

beforeAll(async () => {
  base = (await simulate({ participants: 3, seed: 1, lang: 'da', mode: 'sync', k: 3 })).state;
}, 60_000);

describe('Block Kit limits', () => {
  it('splits a section longer than 3000 characters at line breaks, losing nothing', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `linje ${i} ${'x'.repeat(40)}`);
    const blocks = sections(lines.join('\n'));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(b.text?.text.length).toBeLessThanOrEqual(L.sectionText);
    expect(blocks.map((b) => b.text?.text).join('\n')).toBe(lines.join('\n'));
  });

  it('splits text without line breaks at spaces, and without spaces hard, never inside an entity or emoji', () => {
    const words = Array.from({ length: 1000 }, (_, i) => `ord${i}`).join(' ');
    const byWords = splitText(words);
    expect(byWords.join(' ')).toBe(words);
    for (const piece of byWords) expect(piece.length).toBeLessThanOrEqual(L.sectionText);

    const entity = `${'a'.repeat(2997)}&amp;${'b'.repeat(100)}`;
    const [first, second] = splitText(entity);
    expect(first).toBe('a'.repeat(2997));
    expect(second?.startsWith('&amp;')).toBe(true);

    const emoji = `${'a'.repeat(2999)}😀${'b'.repeat(10)}`;
    const pieces = splitText(emoji);
    expect(pieces[0]).toBe('a'.repeat(2999));
    expect(pieces.join('')).toBe(emoji);
  });

  it('cuts headers at 150 and context lines at 3000 characters with an ellipsis', () => {
    const h = header('Ø'.repeat(400)).text.text;
    expect(h).toHaveLength(L.headerText);
    expect(h.endsWith('…')).toBe(true);
    const c = context('c'.repeat(5000))[0]?.elements[0]?.text ?? '';
    expect(c).toHaveLength(L.sectionText);
    expect(c.endsWith('…')).toBe(true);
  });

  it('cuts button labels at 75 characters, keeping the value intact', () => {
    const d = deck();
    const mission = d.areas[0]?.missions[0]?.id ?? '';
    const title = 'En meget lang egen indsats om alt det, vi gør for trivslen i hverdagen her';
    const state: RoundState = {
      ...base,
      status: 'active',
      step: 'custom',
      customCards: [{ id: 'c-long', missionId: mission, title, description: '', addedAt: 0 }],
      cards: { ...base.cards, 'c-long': 'open' },
    };
    const message = renderMessage(facilitatorView(input(d, state)));
    const close = buttonsOf(message).find(
      (b) => decodeActionValue(b.value)?.command === 'closeCard' && b.value.includes('c-long'),
    );
    expect(close?.text.text).toHaveLength(L.buttonText);
    expect(close?.text.text.endsWith('…')).toBe(true);
    expect(decodeActionValue(close?.value)).toEqual({ command: 'closeCard', value: 'c-long' });
  });

  it('puts at most 25 buttons in an actions block, with unique block and action ids', () => {
    const specs = Array.from({ length: 60 }, (_, i) => ({
      data: { command: 'closeCard', value: `card-${i}` },
      label: `Luk ${i}`,
    }));
    const blocks = actions(specs, 'facilitator');
    expect(blocks.map((b) => b.elements.length)).toEqual([25, 25, 10]);
    expect(blocks.map((b) => b.block_id)).toEqual([
      'facilitator',
      'facilitator-2',
      'facilitator-3',
    ]);
    const ids = blocks.flatMap((b) => b.elements.map((e) => e.action_id));
    expect(new Set(ids).size).toBe(60);
  });

  it('refuses a button value over 2000 characters instead of cutting a command', () => {
    const data = { command: 'vote', cardId: 'x'.repeat(2000), value: '4' };
    expect(() => encodeActionValue(data)).toThrow(RangeError);
    expect(() => actions([{ data, label: '4' }], 'vote')).toThrow(RangeError);
    expect(
      encodeActionValue({ command: 'vote', cardId: 'x'.repeat(1900), value: '4' }).length,
    ).toBeLessThanOrEqual(L.actionValue);
  });

  it('splits more than 10 section fields and cuts each at 2000 characters', () => {
    const blocks = fields(Array.from({ length: 12 }, () => 'f'.repeat(2500)));
    expect(blocks.map((b) => b.fields?.length)).toEqual([10, 2]);
    for (const f of blocks.flatMap((b) => b.fields ?? [])) expect(f.text).toHaveLength(L.fieldText);
  });

  it('keeps a message over 50 blocks to whole leading parts and a note saying the rest is left out', () => {
    const d = deck();
    const many: PlanItem[] = Array.from({ length: 20 }, (_, i) => ({
      ...{
        what: `Indsats ${i}`,
        goal: 'Mål',
        actions: 'Handling',
        owner: { name: 'Kim' },
        due: '2027-01-15',
        link: null,
        status: 'open' as const,
        postponed: 0,
        createdAt: 0,
        updatedAt: 0,
      },
      id: `p${i}`,
    }));
    const message = renderMessage(planView(input(d, { ...base, plan: many })));
    expect(message.blocks.length).toBeLessThanOrEqual(L.blocksPerMessage);
    expect(violations(message)).toEqual([]);
    const last = message.blocks.at(-1);
    expect(last).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: OMITTED_NOTE.da, verbatim: true }],
    });
    // Whole items only: every item shown has its text and its three buttons.
    const shownItems = message.blocks.filter(
      (b) => b.type === 'section' && b.text?.text.includes('*Indsats '),
    ).length;
    const buttonBlocks = message.blocks.filter(
      (b) => b.type === 'actions' && b.block_id?.startsWith('plan:'),
    );
    // The button that adds an item comes first, so a cut plan keeps it.
    expect(message.blocks[1]).toMatchObject({ type: 'actions', block_id: 'form:plan' });
    expect(shownItems).toBeGreaterThan(0);
    expect(shownItems).toBeLessThan(20);
    expect(buttonBlocks).toHaveLength(shownItems);
    for (const b of buttonBlocks) expect(b.type === 'actions' && b.elements.length).toBe(3);
  });

  it('cuts one part longer than 49 blocks after 49 blocks (English note)', () => {
    const blocks: SlackBlock[] = Array.from({ length: 70 }, (_, i) => ({
      type: 'section',
      text: { type: 'mrkdwn', text: `b${i}` },
    }));
    const fitted = fitBlocks(blocks, 'en');
    expect(fitted).toHaveLength(50);
    expect(fitted.slice(0, 49)).toEqual(blocks.slice(0, 49));
    expect(fitted[49]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: OMITTED_NOTE.en, verbatim: true }],
    });
    expect(fitBlocks(blocks.slice(0, 50), 'en')).toEqual(blocks.slice(0, 50));
  });
});
