/**
 * The App Home tab through the real Bolt app: a signed `app_home_opened`
 * event, channel membership asked of the fake (conversations.members, paged),
 * `views.publish` recorded and checked against the Home tab's limits. Rounds
 * are seeded in the real SQLite store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeckCatalog } from '../../src/app/decks.ts';
import { HOME_BLOCK_LIMIT, renderHome } from '../../src/channels/slack/app-home.ts';
import type { Lang, PlanItem, RoundState } from '../../src/core/model.ts';
import { homeView } from '../../src/core/views/home.ts';
import { roundFixture } from '../fixtures/round.ts';
import { CHANNEL, deliver, drain, startWorld, TEAM, type World } from './harness.ts';

const MEMBER = 'U0MEMBER1';
const OTHER_CHANNEL = 'C0PRIVATE';
const AT = Date.UTC(2026, 10, 1, 9, 0, 0);

function item(id: string, what: string, due: string, over: Partial<PlanItem> = {}): PlanItem {
  return {
    id,
    what,
    goal: 'Mindre stress',
    actions: 'Faste møder',
    owner: { name: 'Mette <@U0BOSS>', user: { platform: 'slack', userId: 'U0OWNERID' } },
    due,
    link: null,
    status: 'open',
    postponed: 0,
    createdAt: AT,
    updatedAt: AT,
    ...over,
  };
}

let seq = 0;
async function seed(
  w: World,
  over: Partial<RoundState> & { channel?: string; tenant?: string; lang?: Lang },
): Promise<RoundState> {
  seq += 1;
  const base = roundFixture();
  const state = roundFixture({
    id: `r-home-${seq}`,
    createdAt: AT + seq * 60_000,
    updatedAt: AT + seq * 60_000,
    conversation: {
      platform: 'slack',
      tenant: over.tenant ?? TEAM,
      conversationId: over.channel ?? CHANNEL,
    },
    settings: { ...base.settings, lang: over.lang ?? 'da' },
    ...over,
  });
  await w.app.store.create(state);
  return state;
}

function homeOpened(user: string, tab: 'home' | 'messages' = 'home'): string {
  seq += 1;
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: TEAM,
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `Ev0HOME${seq}`,
    event_time: 1795424400,
    authorizations: [{ team_id: TEAM, user_id: 'U0BOT', is_bot: true }],
    event: { type: 'app_home_opened', user, channel: 'D0HOME', tab, event_ts: '1795424400.1' },
  });
}

async function open(w: World, user: string, tab: 'home' | 'messages' = 'home') {
  const posted = await deliver(w, homeOpened(user, tab), 'application/json');
  expect(posted.status).toBe(200);
  await drain(w);
  return w.apps.homeOf(user);
}

const texts = (blocks: unknown) => JSON.stringify(blocks);

describe('Slack App Home', () => {
  let w: World;
  afterEach(async () => {
    await w.close();
  });

  it('lists the rounds of the channels the person is in, with open items; nothing else', async () => {
    w = await startWorld({
      slack: { members: { [CHANNEL]: ['U0FACIL', MEMBER], [OTHER_CHANNEL]: ['U0FACIL'] } },
    });
    await seed(w, { status: 'ended', step: 'summary', plan: [] });
    await seed(w, {
      step: 'summary',
      plan: [
        item('p1', 'Trivsel <!channel> & ro', '2026-12-24'),
        item('p2', 'Sygefravær', '2026-11-20', { status: 'blocked', postponed: 2 }),
        item('p3', 'Allerede klaret', '2026-11-25', { status: 'done' }),
      ],
    });
    await seed(w, { channel: OTHER_CHANNEL, plan: [item('x1', 'Hemmelig plan', '2026-12-01')] });
    await seed(w, { tenant: 'T0ELSEWHERE', plan: [item('y1', 'Andet workspace', '2026-12-01')] });

    const home = await open(w, MEMBER);
    expect(home?.token).toBe('xoxb-test-token');
    const blocks = home?.view.blocks ?? [];
    const all = texts(blocks);
    expect(home?.view.type).toBe('home');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Dialogrunder' } });
    // The channel as a mention; user text escaped (no <!channel>, no mention of the boss).
    expect(all).toContain(`<#${CHANNEL}>`);
    expect(all).toContain('Trivsel &lt;!channel&gt; &amp; ro');
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('Ansvarlig: Mette &lt;@U0BOSS&gt;');
    expect(all).not.toContain('<@U0BOSS>');
    // Open items, soonest first, with due date and status; the done one only counted.
    expect(all.indexOf('Sygefravær')).toBeLessThan(all.indexOf('Trivsel'));
    expect(all).toContain('Frist: 20. november 2026 (overskredet) · Blokeret · Udskudt 2 gange');
    expect(all).toContain('Frist: 24. december 2026 · Åben');
    expect(all).not.toContain('Allerede klaret');
    expect(all).toContain('1 af 3 aftaler er udført.');
    expect(all).toContain('Trin 7 af 7');
    expect(all).toContain('Afsluttet');
    // Newest round first.
    expect(all.indexOf('Sygefravær')).toBeLessThan(
      all.indexOf('Ingen aftaler i opfølgningsplanen'),
    );
    // Not the private channel the person is not in, not another workspace, no ids or votes.
    expect(all).not.toContain('Hemmelig plan');
    expect(all).not.toContain(OTHER_CHANNEL);
    expect(all).not.toContain('Andet workspace');
    expect(all).not.toContain('U0OWNERID');
    expect(all).not.toMatch(/stemt|voted/);
  });

  it('someone in no channel with a round gets the empty page; the Messages tab gets nothing', async () => {
    w = await startWorld({ slack: { members: { [CHANNEL]: ['U0FACIL'] } } });
    await seed(w, { plan: [item('p1', 'Trivsel', '2026-12-24')] });
    const home = await open(w, 'U0NEWCOMER');
    expect(texts(home?.view.blocks)).toContain('Ingen runder endnu i de kanaler, du er med i.');
    expect(texts(home?.view.blocks)).not.toContain('Trivsel');
    await open(w, 'U0FACIL', 'messages');
    expect(w.apps.homeOf('U0FACIL')).toBeUndefined();
  });

  it('a channel whose members cannot be read is left out (fails closed)', async () => {
    // conversations.members answers channel_not_found for channels the fake does not know.
    w = await startWorld({ slack: { members: { [CHANNEL]: [MEMBER] } } });
    await seed(w, { channel: 'C0BOTREMOVED', plan: [item('p1', 'Gammel kanal', '2026-12-24')] });
    await seed(w, { plan: [item('p2', 'Synlig', '2026-12-24')] });
    const all = texts((await open(w, MEMBER))?.view.blocks);
    expect(all).toContain('Synlig');
    expect(all).not.toContain('Gammel kanal');
  });

  it('reads members page by page', async () => {
    const crowd = Array.from({ length: 450 }, (_, i) => `U0CROWD${String(i).padStart(3, '0')}`);
    w = await startWorld({ slack: { members: { [CHANNEL]: [...crowd, MEMBER] } } });
    await seed(w, { plan: [item('p1', 'For mange', '2026-12-24')] });
    expect(texts((await open(w, MEMBER))?.view.blocks)).toContain('For mange');
    expect(w.slack.callsTo('conversations.members').length).toBe(3);
  });

  it('stays within 100 blocks: newest rounds whole, then "… og N runder mere"', async () => {
    w = await startWorld({ slack: { members: { [CHANNEL]: [MEMBER] } } });
    for (let i = 0; i < 40; i++) {
      await seed(w, { plan: [item(`p${i}`, `Aftale nummer ${i}`, '2026-12-24')] });
    }
    const blocks = (await open(w, MEMBER))?.view.blocks ?? [];
    expect(blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
    const all = texts(blocks);
    expect(all).toContain('Aftale nummer 39');
    expect(all).not.toContain('Aftale nummer 0"');
    const shown = [...all.matchAll(/Aftale nummer (\d+)/g)].map((m) => Number(m[1]));
    expect(shown[0]).toBe(39);
    expect(blocks.at(-1)).toMatchObject({ type: 'context' });
    expect(texts(blocks.at(-1))).toContain(`… og ${40 - shown.length} runder mere.`);
    expect(shown).toEqual(shown.slice().sort((a, b) => b - a));
  });

  it('speaks the newest round’s language', async () => {
    w = await startWorld({ slack: { members: { [CHANNEL]: [MEMBER] } } });
    await seed(w, { lang: 'da' });
    await seed(w, { lang: 'en', plan: [item('p1', 'Workload', '2026-12-24')] });
    const all = texts((await open(w, MEMBER))?.view.blocks);
    expect(all).toContain('Dialogue rounds');
    expect(all).toContain('Owner: Mette');
    expect(all).toContain('Due: 24 December 2026');
  });
});

describe('renderHome', () => {
  it('never exceeds 100 blocks or 3000 characters a section, whatever the rounds hold', () => {
    const plan = Array.from({ length: 20 }, (_, i) =>
      item(`p${i}`, `${'Lang tekst '.repeat(40)}${i}`, '2026-12-24'),
    );
    const state = roundFixture({ plan });
    const deck = DeckCatalog.load().get(state.settings.deckId);
    if (!deck) throw new Error('no deck');
    const view = homeView(
      'da',
      Array.from({ length: 30 }, () => ({ state, deck })),
      AT,
    );
    const rendered = renderHome(view);
    expect(rendered.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
    for (const block of rendered.blocks) {
      const text = (block as { text?: { text: string } }).text?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(3000);
    }
    // 20 long items do not fit one section: they are split, nothing lost.
    expect(JSON.stringify(rendered.blocks)).toContain('Lang tekst 19');
    expect(JSON.stringify(rendered.blocks.at(-1))).toMatch(/… og \d+ runder mere\./);
  });
});
