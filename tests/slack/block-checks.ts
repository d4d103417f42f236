/** Checks shared by the Block Kit tests: Slack's limits, every string, fixtures. */
import { DEFAULT_DECK_ID, DeckCatalog } from '../../src/app/decks.ts';
import { BLOCK_KIT_LIMITS, type SlackMessage } from '../../src/channels/slack/blocks/kit.ts';
import type { Deck } from '../../src/core/deck/schema.ts';
import type { RoundState } from '../../src/core/model.ts';
import type { ViewInput } from '../../src/core/views/input.ts';

export const L = BLOCK_KIT_LIMITS;

/** Every way a message breaks Slack's rules that we rely on; [] when it is fine. */
export function violations(message: SlackMessage): string[] {
  const found: string[] = [];
  const { blocks } = message;
  if (blocks.length > L.blocksPerMessage) found.push(`${blocks.length} blocks`);
  if (message.text.length > L.sectionText) found.push('fallback text too long');
  const blockIds = new Set<string>();
  for (const block of blocks) {
    if (block.type === 'section') {
      if (!block.text && !block.fields?.length) found.push('empty section');
      if ((block.text?.text.length ?? 0) > L.sectionText) found.push('section text too long');
      if (block.text && block.text.text.trim() === '') found.push('blank section text');
      if ((block.fields?.length ?? 0) > L.sectionFields) found.push('too many fields');
      for (const f of block.fields ?? []) {
        if (f.text.length > L.fieldText) found.push('field too long');
      }
    }
    if (block.type === 'header' && block.text.text.length > L.headerText) {
      found.push('header too long');
    }
    if (block.type === 'context') {
      if (block.elements.length > L.contextElements) found.push('too many context elements');
      for (const e of block.elements) {
        if (e.text.length > L.sectionText) found.push('context too long');
      }
    }
    if (block.type === 'actions') {
      if (block.elements.length > L.actionsElements) found.push('too many buttons');
      if (block.elements.length === 0) found.push('empty actions block');
      const ids = new Set(block.elements.map((e) => e.action_id));
      if (ids.size !== block.elements.length) found.push('duplicate action_id');
      for (const e of block.elements) {
        if (e.text.text.length > L.buttonText) found.push(`button label too long: ${e.text.text}`);
        if (e.value.length > L.actionValue) found.push('button value too long');
        if (e.action_id.length > L.actionId) found.push('action_id too long');
      }
      if (block.block_id) {
        if (blockIds.has(block.block_id)) found.push(`duplicate block_id ${block.block_id}`);
        blockIds.add(block.block_id);
      }
    }
  }
  return found;
}

/** Every string in the message (texts, labels, values). */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

export function buttonsOf(message: SlackMessage) {
  return message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

export function deck(): Deck {
  const found = DeckCatalog.load().get(DEFAULT_DECK_ID);
  if (!found) throw new Error('no default deck');
  return found;
}

export const input = (d: Deck, state: RoundState): ViewInput => ({
  deck: d,
  state,
  counts: { participants: 6, ballots: {}, tallies: {} },
  now: state.updatedAt,
});
