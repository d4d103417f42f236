import type { Lang } from '../../../core/model.ts';
import { BLOCK_KIT_LIMITS, type ContextBlock, mrkdwnText, type SlackBlock } from './kit.ts';

/**
 * Slack-only layout wording: the note that replaces what did not fit. It says
 * nothing about the round, only about the message, so it lives here rather
 * than in the core's texts.
 */
export const OMITTED_NOTE: Record<Lang, string> = {
  da: '… Resten af beskeden er udeladt: Slack viser højst 50 blokke pr. besked.',
  en: '… The rest of this message is left out: Slack shows at most 50 blocks per message.',
};

/** Splits blocks into parts: a divider starts a new part (a plan item, a summary section). */
function parts(blocks: readonly SlackBlock[]): SlackBlock[][] {
  const result: SlackBlock[][] = [];
  for (const block of blocks) {
    const last = result.at(-1);
    if (block.type === 'divider' || !last) result.push([block]);
    else last.push(block);
  }
  return result;
}

/**
 * Keeps a message within Slack's 50 blocks. The rule: a message of at most
 * 50 blocks is sent as it is. A longer one keeps its leading parts (the
 * blocks between dividers: a plan item with its buttons stays whole, or goes
 * whole) as long as they fit in 49 blocks, and ends with one context note in
 * the round's language saying the rest is left out. If even the first part is
 * longer than 49 blocks, its first 49 blocks are kept. Order never changes.
 */
export function fitBlocks(blocks: readonly SlackBlock[], lang: Lang): SlackBlock[] {
  const max = BLOCK_KIT_LIMITS.blocksPerMessage;
  if (blocks.length <= max) return [...blocks];
  const budget = max - 1;
  const kept: SlackBlock[] = [];
  for (const part of parts(blocks)) {
    if (kept.length + part.length > budget) break;
    kept.push(...part);
  }
  if (kept.length === 0) kept.push(...blocks.slice(0, budget));
  // A divider right before the note would separate nothing.
  if (kept.at(-1)?.type === 'divider') kept.pop();
  const note: ContextBlock = {
    type: 'context',
    elements: [mrkdwnText(OMITTED_NOTE[lang])],
  };
  return [...kept, note];
}
