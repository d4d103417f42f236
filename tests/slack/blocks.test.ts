/**
 * Block Kit rendering (src/channels/slack/blocks): one file snapshot per view
 * kind and language, every realistic view within Slack's limits with buttons
 * the shared translator reads, and every user-written text escaped. Each
 * limit's rule on its own: blocks-limits.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { commandOf, parseCardAction } from '../../src/channels/cards/actions.ts';
import { VIEW_KINDS } from '../../src/channels/cards/bind.ts';
import { actions, decodeActionValue } from '../../src/channels/slack/blocks/buttons.ts';
import {
  BLOCK_RENDERERS,
  renderMessage,
  renderVoteConfirmation,
} from '../../src/channels/slack/blocks/index.ts';
import { escapeText, header } from '../../src/channels/slack/blocks/kit.ts';
import { simulate } from '../../src/cli/simulate.ts';
import type { PlanItem, RoundState } from '../../src/core/model.ts';
import { withYourVote } from '../../src/core/views/cards.ts';
import { facilitatorView } from '../../src/core/views/facilitator.ts';
import { planView } from '../../src/core/views/plan.ts';
import { customView, statusView } from '../../src/core/views/steps.ts';
import type { CardVoteView, ViewModel } from '../../src/core/views/types.ts';
import { buildSamples, type Sample } from '../cards/samples.ts';
import { buttonsOf, deck, input, L, strings, violations } from './block-checks.ts';

/** Text people type that Slack would otherwise parse: mentions, a disguised link, entities. */
const HOSTILE = '<!channel> se <https://evil.example/x|Mødereferat> & <@U0BOSS> &amp; > <#C0X>';

let samples: Sample[];
let base: RoundState;

beforeAll(async () => {
  samples = await buildSamples();
  // The rounds above have no English scope message (that round is async): add an English sync round.
  const en = await simulate({ participants: 4, seed: 5, lang: 'en', mode: 'sync', k: 3 });
  en.messages.forEach((m, i) => {
    samples.push({ name: `en/sync/k3 message ${i} (${m.view.kind})`, view: m.view });
  });
  base = (await simulate({ participants: 3, seed: 1, lang: 'da', mode: 'sync', k: 3 })).state;
}, 120_000);

describe('Block Kit snapshots', () => {
  it('has a renderer for every view kind', () => {
    expect(Object.keys(BLOCK_RENDERERS).sort()).toEqual([...VIEW_KINDS].sort());
  });

  it('renders the fullest sample of every view kind in Danish and English (file snapshots)', async () => {
    const fullest = new Map<string, { view: ViewModel; json: string }>();
    for (const { view } of samples) {
      const rendered = `${JSON.stringify(renderMessage(view), null, 2)}\n`;
      // Plan buttons carry the round id, which is random in the samples.
      const json = 'roundId' in view ? rendered.replaceAll(view.roundId, '<round-id>') : rendered;
      const key = `${view.lang}-${view.kind}`;
      const current = fullest.get(key);
      if (!current || json.length > current.json.length) fullest.set(key, { view, json });
    }
    const expected = ['da', 'en'].flatMap((lang) => VIEW_KINDS.map((kind) => `${lang}-${kind}`));
    expect([...fullest.keys()].sort()).toEqual(expected.sort());
    for (const [key, { json }] of [...fullest].sort(([a], [b]) => a.localeCompare(b))) {
      await expect(json).toMatchFileSnapshot(`__snapshots__/blocks/${key}.json`);
    }
  });

  it('renders a voter’s own confirmation (snapshot)', async () => {
    const vote = samples.find((s) => s.view.kind === 'cardVote')?.view as CardVoteView;
    const mine = withYourVote(input(deck(), base), vote, 4);
    const confirmation = renderVoteConfirmation(mine);
    expect(confirmation.text).toBe('Din stemme: 4. Du kan ændre den, indtil kortet lukkes.');
    await expect(`${JSON.stringify(confirmation, null, 2)}\n`).toMatchFileSnapshot(
      '__snapshots__/blocks/da-vote-confirmation.json',
    );
  });
});

describe('every realistic message', () => {
  it('includes an async round’s facilitator with more than 25 buttons, split and within limits', () => {
    const busy = samples.find(
      (s) => s.view.kind === 'facilitator' && s.view.actions.length > L.actionsElements,
    );
    expect(busy).toBeDefined();
    if (busy) expect(violations(renderMessage(busy.view))).toEqual([]);
  });

  it('stays within Block Kit’s limits', () => {
    const broken = samples
      .map((s) => ({ name: s.name, problems: violations(renderMessage(s.view)) }))
      .filter((r) => r.problems.length > 0);
    expect(broken).toEqual([]);
  });

  it('has buttons whose values the shared card-action translator understands', () => {
    const commands = new Set<string>();
    for (const { name, view } of samples) {
      for (const b of buttonsOf(renderMessage(view))) {
        const data = decodeActionValue(b.value);
        expect(data, name).toBeDefined();
        const intent = parseCardAction(commandOf(data), data);
        expect(['unknown', 'invalid'], `${name}: ${b.value}`).not.toContain(intent.kind);
        commands.add(intent.kind === 'command' ? intent.command.type : intent.kind);
      }
    }
    // Form buttons (`dialogrunde-form:…`) carry their form's command: it opens the modal.
    expect([...commands].sort()).toEqual(
      [
        'addCustomCard',
        'addNote',
        'addPlanItem',
        'prioritize',
        'back',
        'closeCard',
        'end',
        'next',
        'openNextCard',
        'pause',
        'planStatus',
        'resume',
        'setScope',
        'start',
        'facilitatorControls',
        'deleteRound',
        'keepRound',
        'vote',
      ].sort(),
    );
  });

  it('never contains a raw < or > and no & outside an entity, so Slack parses nothing', () => {
    for (const { name, view } of samples) {
      for (const s of strings(renderMessage(view))) {
        expect(s, name).not.toMatch(/[<>]/);
        expect(s, name).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
    }
  });
});

describe('escaping user-written text', () => {
  const item: PlanItem = {
    id: 'p1',
    what: HOSTILE,
    goal: HOSTILE,
    actions: HOSTILE,
    owner: { name: HOSTILE },
    due: '2027-01-15',
    link: null,
    status: 'open',
    postponed: 0,
    createdAt: 0,
    updatedAt: 0,
  };

  const hostileViews = (): ViewModel[] => {
    const d = deck();
    const mission = d.areas[0]?.missions[0]?.id ?? '';
    const withText: RoundState = {
      ...base,
      status: 'active',
      statusNotes: [{ id: 'n1', areaId: null, text: HOSTILE, at: 0 }],
      customCards: [
        { id: 'c1', missionId: mission, title: HOSTILE, description: HOSTILE, addedAt: 0 },
      ],
      cards: { ...base.cards, c1: 'open' },
      plan: [item],
    };
    return [
      statusView(input(d, { ...withText, step: 'status' })),
      customView(input(d, { ...withText, step: 'custom' })),
      planView(input(d, withText)),
      facilitatorView(input(d, { ...withText, step: 'custom' })),
    ];
  };

  it('escapes &, < and > in notes, own cards, plan items and button labels', () => {
    for (const view of hostileViews()) {
      const message = renderMessage(view);
      const all = strings(message).join('\n');
      expect(all, view.kind).not.toMatch(/[<>]/);
      expect(all, view.kind).toContain('&lt;!channel&gt;');
      expect(all, view.kind).toContain('&lt;https://evil.example/x|Mødereferat&gt;');
      expect(all, view.kind).toContain('&amp;amp;');
      expect(violations(message), view.kind).toEqual([]);
    }
  });

  it('escapes in every text builder', () => {
    expect(escapeText('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(header('<!here>').text.text).toBe('&lt;!here&gt;');
    const [button] =
      actions([{ data: { command: 'end' }, label: '<!channel>' }], 'b')[0]?.elements ?? [];
    expect(button?.text.text).toBe('&lt;!channel&gt;');
  });
});
