/**
 * The forms as Slack modals (issue 5): each opens from its button in the
 * group's message (`views.open` with the press's trigger_id, checked by the
 * fake for freshness and single use) with the right inputs and preselected
 * values; each submission goes through the real Bolt app, signed, and has its
 * effect, and the channel message follows; refusals come back inside the
 * modal in the round's language and change nothing; identity comes only from
 * the signed payload; a retried submission has one effect.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandOf, parseCardAction } from '../../src/channels/cards/actions.ts';
import {
  customModal,
  FORM_KINDS,
  planModal,
  priorityModal,
  scopeModal,
  statusModal,
} from '../../src/channels/slack/modals/forms.ts';
import { MODAL_LIMITS, type ModalView } from '../../src/channels/slack/modals/kit.ts';
import { formData } from '../../src/channels/slack/modals/submit.ts';
import { t } from '../../src/core/i18n/index.ts';
import { LANGS, PRIORITY_BOX, type RoundState } from '../../src/core/model.ts';
import { LIMITS } from '../../src/core/round/commands.ts';
import { planView } from '../../src/core/views/plan.ts';
import { customView, priorityView, scopeView, statusView } from '../../src/core/views/steps.ts';
import { roundFixture } from '../fixtures/round.ts';
import { deck, input, strings } from './block-checks.ts';
import {
  button,
  formButton,
  messageOf,
  openModal,
  press,
  stateValues,
  submitModal,
} from './driving.ts';
import { modalProblems, type OpenedView } from './fake-slack.ts';
import {
  actionBody,
  CHANNEL,
  commandBody,
  deliver,
  drain,
  FACILITATOR,
  FORM,
  retryHeaders,
  startWorld,
  TEAM,
  type World,
} from './harness.ts';

const conversation = { platform: 'slack' as const, tenant: TEAM, conversationId: CHANNEL };
const MEMBER = 'U0MEMBER1';
const OTHER = 'U0MEMBER2';
/** A Slack user picked as owner, and one whose account is deactivated. */
const KIM = 'U0KIM';
const GONE = 'U0GONE';

const STEPS_BEFORE = {
  scope: ['intro'],
  status: ['intro', 'scope'],
  custom: ['intro', 'scope', 'status', 'rating'],
  priority: ['intro', 'scope', 'status', 'rating', 'custom'],
  summary: ['intro', 'scope', 'status', 'rating', 'custom', 'priority'],
} as const;

type Controls = Record<string, unknown> | undefined;

/** Starts a round as the facilitator and presses Next (on their controls) up to `step`. */
async function roundAt(w: World, step: keyof typeof STEPS_BEFORE, words = 'start') {
  await deliver(w, commandBody(w, FACILITATOR, words, 'start'), FORM);
  let controls: Controls = w.slack.responsesTo('start')[0]?.body;
  for (const from of STEPS_BEFORE[step]) {
    const answer = await press(w, FACILITATOR, button(controls?.blocks, 'next', from), {
      ephemeral: true,
    });
    controls = answer.last;
  }
  await drain(w);
  const [round] = await w.app.store.listByConversation(conversation, 1);
  if (!round) throw new Error('no round');
  expect(round.step).toBe(step);
  return { roundId: round.id, controls };
}

async function stateOf(w: World, roundId: string): Promise<RoundState> {
  const record = await w.app.store.load(roundId);
  if (!record) throw new Error('no round');
  return record.state;
}

/** Opens the form of `command` from the message as `user`; fails when no modal opened. */
async function open(w: World, user: string, blocks: unknown, command: string) {
  const { opened, last } = await openModal(w, user, blocks, command);
  if (!opened) throw new Error(`no modal opened: ${JSON.stringify(last)}`);
  expect(modalProblems(opened.view)).toEqual([]);
  return opened;
}

interface Input {
  block_id: string;
  label: { text: string };
  optional?: boolean;
  element: Record<string, unknown> & { type: string };
}

function inputsOf(opened: OpenedView): Input[] {
  return (opened.view.blocks as Input[]).filter((b) => (b as { type?: string }).type === 'input');
}

function inputOf(opened: OpenedView, name: string): Input {
  const found = inputsOf(opened).find((b) => b.block_id === name);
  if (!found) throw new Error(`no input ${name}`);
  return found;
}

const optionValues = (e: Record<string, unknown>) =>
  ((e.options ?? []) as { value: string }[]).map((o) => o.value);

describe('Slack modals: opening, submitting, refusing', () => {
  let w: World;
  beforeEach(async () => {
    w = await startWorld({
      slack: {
        users: {
          [KIM]: { realName: 'Kim Larsen', displayName: 'Kim' },
          [GONE]: { realName: 'Tidligere kollega', deleted: true },
        },
      },
    });
  });
  afterEach(async () => {
    await w.close();
  });

  it('scope: radio buttons with the chosen scope preselected; the facilitator’s choice updates the message', async () => {
    const { roundId } = await roundAt(w, 'scope');
    const message = await messageOf(w, roundId, 'step:scope');
    const opened = await open(w, FACILITATOR, message.blocks, 'setScope');
    expect(opened.view).toMatchObject({
      title: { text: 'Mødets omfang' },
      submit: { text: 'Gem omfang' },
      close: { text: 'Annullér' },
    });
    // The round and the form, nothing about who opened it.
    expect(JSON.parse(String(opened.view.private_metadata))).toEqual({ roundId, form: 'scope' });
    expect(JSON.stringify(opened.view)).not.toContain(FACILITATOR);
    const radio = inputOf(opened, 'scope').element;
    expect(radio.type).toBe('radio_buttons');
    expect(optionValues(radio)).toEqual(['all', 'udvikling', 'rummelighed', 'fastholdelse']);
    expect(radio.initial_option).toMatchObject({ value: 'all' });

    const { answer } = await submitModal(w, FACILITATOR, opened, { scope: 'udvikling' });
    expect(answer).toBeUndefined();
    expect((await stateOf(w, roundId)).scope).toEqual({ kind: 'area', areaId: 'udvikling' });
    const after = await messageOf(w, roundId, 'step:scope');
    expect(JSON.stringify(after.blocks)).toContain(':radio_button: Kun Udvikling, i dybden');
    expect(after.updates).toBeGreaterThanOrEqual(1);
  });

  it('scope and plan: anyone else is told politely at the button, and a submission of theirs changes nothing', async () => {
    const { roundId } = await roundAt(w, 'scope');
    const message = await messageOf(w, roundId, 'step:scope');
    const refused = await openModal(w, MEMBER, message.blocks, 'setScope');
    expect(refused.opened).toBeUndefined();
    expect(w.slack.callsTo('views.open')).toHaveLength(0);
    expect(refused.last).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(refused.last)).toContain('Det er kun mødelederen, der kan gøre det.');

    // The facilitator's modal submitted by someone else (a replayed or forged payload).
    const opened = await open(w, FACILITATOR, message.blocks, 'setScope');
    const { answer } = await submitModal(w, MEMBER, opened, { scope: 'fastholdelse' });
    expect(answer?.response_action).toBe('update');
    expect(modalProblems(answer?.view)).toEqual([]);
    expect(JSON.stringify(answer?.view)).toContain('Det er kun mødelederen, der kan gøre det.');
    expect(answer?.view).toMatchObject({ close: { text: 'Luk' } });
    expect(answer?.view?.submit).toBeUndefined();
    expect((await stateOf(w, roundId)).scope).toEqual({ kind: 'all' });
  });

  it('a forged user id in private_metadata or in the values changes nothing', async () => {
    const { roundId } = await roundAt(w, 'scope');
    const message = await messageOf(w, roundId, 'step:scope');
    const opened = await open(w, FACILITATOR, message.blocks, 'setScope');
    const forgedMeta = JSON.stringify({
      roundId,
      form: 'scope',
      userId: FACILITATOR,
      user: { id: FACILITATOR },
    });
    const forgedValue = { type: 'plain_text_input', value: FACILITATOR };
    const { answer } = await submitModal(
      w,
      MEMBER,
      opened,
      { scope: 'rummelighed' },
      {
        privateMetadata: forgedMeta,
        extra: {
          userId: { userId: forgedValue },
          user: { user: { type: 'users_select', selected_user: FACILITATOR } },
        },
      },
    );
    expect(JSON.stringify(answer?.view)).toContain('Det er kun mødelederen, der kan gøre det.');
    expect((await stateOf(w, roundId)).scope).toEqual({ kind: 'all' });
  });

  it('status note: area (general preselected) and text; the note shows in the channel message', async () => {
    const { roundId } = await roundAt(w, 'status');
    const message = await messageOf(w, roundId, 'step:status');
    const opened = await open(w, MEMBER, message.blocks, 'addNote');
    expect(opened.view).toMatchObject({
      title: { text: 'Statusnote' },
      submit: { text: 'Tilføj note' },
    });
    expect(inputsOf(opened).map((i) => i.block_id)).toEqual(['areaId', 'text']);
    const area = inputOf(opened, 'areaId').element;
    expect(optionValues(area)).toEqual(['udvikling', 'rummelighed', 'fastholdelse', '_general']);
    expect(area.initial_option).toMatchObject({ value: '_general', text: { text: 'Generelt' } });
    expect(inputOf(opened, 'text').element).toMatchObject({
      type: 'plain_text_input',
      multiline: true,
      max_length: LIMITS.noteLength,
    });

    const first = await submitModal(w, MEMBER, opened, {
      text: 'Vi har fået faste sparringsmøder',
    });
    expect(first.answer).toBeUndefined();
    const second = await open(w, OTHER, message.blocks, 'addNote');
    await submitModal(w, OTHER, second, { areaId: 'udvikling', text: 'Mentorordningen virker' });
    const notes = (await stateOf(w, roundId)).statusNotes;
    expect(notes.map((n) => [n.areaId, n.text])).toEqual([
      [null, 'Vi har fået faste sparringsmøder'],
      ['udvikling', 'Mentorordningen virker'],
    ]);
    const shown = JSON.stringify((await messageOf(w, roundId, 'step:status')).blocks);
    expect(shown).toContain('Vi har fået faste sparringsmøder');
    expect(shown).toContain('Mentorordningen virker');
    // The notes are anonymous: the message names nobody.
    expect(shown).not.toContain(MEMBER);
    expect(shown).not.toContain(OTHER);
    // Writing a note counts the person in "n af m".
    expect((await w.app.store.counts(roundId)).participants).toBe(3);
  });

  it('status note: an empty or too long text is shown on the field in Danish, input kept, nothing saved', async () => {
    const { roundId } = await roundAt(w, 'status');
    const message = await messageOf(w, roundId, 'step:status');
    const opened = await open(w, MEMBER, message.blocks, 'addNote');
    const blank = await submitModal(w, MEMBER, opened, { text: '   \n ' });
    expect(blank.answer).toEqual({
      response_action: 'errors',
      errors: { text: 'Skriv venligst en tekst.' },
    });
    const long = await submitModal(w, MEMBER, opened, { text: 'x'.repeat(LIMITS.noteLength + 1) });
    expect(long.answer).toEqual({
      response_action: 'errors',
      errors: { text: 'Teksten er for lang; højst 500 tegn.' },
    });
    expect((await stateOf(w, roundId)).statusNotes).toEqual([]);
    expect((await w.app.store.counts(roundId)).participants).toBe(1);
    // The same modal, mended, goes through.
    expect((await submitModal(w, MEMBER, opened, { text: 'Nu med tekst' })).answer).toBeUndefined();
    expect((await stateOf(w, roundId)).statusNotes).toHaveLength(1);
  });

  it('a retried view_submission (same payload) and a second submit of the same modal have one effect', async () => {
    const { roundId } = await roundAt(w, 'status');
    const message = await messageOf(w, roundId, 'step:status');
    const opened = await open(w, MEMBER, message.blocks, 'addNote');
    const { body, triggerId } = await submitModal(w, MEMBER, opened, { text: 'Én gang' });
    // The delivery was claimed by its trigger_id (new with every submission), as buttons are.
    expect(await w.app.store.claim(`slack:trigger:${triggerId}`, 1000)).toBe(false);
    const retried = await deliver(w, body, FORM, retryHeaders(body));
    expect(retried).toEqual({ status: 200, text: '' });
    // The answer was lost, so the person pressed the modal's button again: a new trigger_id.
    const again = await submitModal(w, MEMBER, opened, { text: 'Én gang' });
    expect(again.answer).toBeUndefined();
    expect((await stateOf(w, roundId)).statusNotes.map((n) => n.text)).toEqual(['Én gang']);
  });

  it('own initiative: title, description and mission; refusals on their fields', async () => {
    const { roundId } = await roundAt(w, 'custom');
    const message = await messageOf(w, roundId, 'step:custom');
    const opened = await open(w, MEMBER, message.blocks, 'addCustomCard');
    expect(opened.view).toMatchObject({
      title: { text: 'Eget initiativ' },
      submit: { text: 'Tilføj initiativ' },
    });
    expect(inputsOf(opened).map((i) => [i.block_id, i.optional ?? false])).toEqual([
      ['title', false],
      ['description', true],
      ['missionId', false],
    ]);
    const missions = optionValues(inputOf(opened, 'missionId').element);
    expect(missions).toHaveLength(9);
    const mission = missions[0] ?? '';

    const empty = await submitModal(w, MEMBER, opened, { title: ' ', missionId: mission });
    expect(empty.answer?.errors).toEqual({ title: 'Skriv venligst en tekst.' });
    const longTitle = 'x'.repeat(LIMITS.customTitleLength + 1);
    const tooLong = await submitModal(w, MEMBER, opened, { title: longTitle, missionId: mission });
    expect(tooLong.answer?.errors).toEqual({ title: 'Teksten er for lang; højst 80 tegn.' });
    const longText = 'y'.repeat(LIMITS.customDescriptionLength + 1);
    const long = await submitModal(w, MEMBER, opened, {
      title: 'Fælles morgenmøde',
      description: longText,
      missionId: mission,
    });
    expect(long.answer?.errors).toEqual({ description: 'Teksten er for lang; højst 400 tegn.' });
    const deckTitle = await submitModal(w, MEMBER, opened, {
      title: 'Mentorordninger',
      missionId: mission,
    });
    expect(deckTitle.answer?.errors).toEqual({
      title: 'Der findes allerede et kort med den titel under målsætningen.',
    });
    expect((await stateOf(w, roundId)).customCards).toEqual([]);

    const done = await submitModal(w, MEMBER, opened, {
      title: 'Fælles morgenmøde',
      description: 'Ti minutter hver mandag',
      missionId: mission,
    });
    expect(done.answer).toBeUndefined();
    const cards = (await stateOf(w, roundId)).customCards;
    expect(cards.map((c) => [c.title, c.description, c.missionId])).toEqual([
      ['Fælles morgenmøde', 'Ti minutter hver mandag', mission],
    ]);
    const shown = JSON.stringify((await messageOf(w, roundId, 'step:custom')).blocks);
    expect(shown).toContain('Fælles morgenmøde');
  });

  it('priorities: a multi-select of the round’s cards (max from the view), the person’s own picks preselected', async () => {
    const { roundId } = await roundAt(w, 'priority');
    const message = await messageOf(w, roundId, 'step:priority');
    const opened = await open(w, MEMBER, message.blocks, 'prioritize');
    expect(opened.view).toMatchObject({
      title: { text: 'Prioritering' },
      submit: { text: 'Gem mine valg' },
    });
    const select = inputOf(opened, 'cardIds').element;
    expect(select).toMatchObject({ type: 'multi_static_select', max_selected_items: 3 });
    expect(select.initial_options).toBeUndefined();
    const cards = optionValues(select);
    expect(cards).toHaveLength(30);
    const [a = '', b = '', c = '', d = ''] = cards;

    const tooMany = await submitModal(w, MEMBER, opened, { cardIds: [a, b, c, d] });
    expect(tooMany.answer).toEqual({
      response_action: 'errors',
      errors: { cardIds: 'Du kan højst vælge 3 indsatser.' },
    });
    const none = await submitModal(w, MEMBER, opened, { cardIds: [] });
    expect(none.answer?.errors).toEqual({ cardIds: 'Vælg mindst én indsats.' });
    const who = { platform: 'slack' as const, tenant: TEAM, userId: MEMBER };
    expect(await w.app.service.ballotOf(roundId, who, PRIORITY_BOX)).toBeUndefined();
    expect((await w.app.store.counts(roundId)).ballots[PRIORITY_BOX] ?? 0).toBe(0);

    const { answer, triggerId } = await submitModal(w, MEMBER, opened, { cardIds: [c, a] });
    expect(triggerId).toBeTruthy();
    expect(answer).toBeUndefined();
    expect(await w.app.service.ballotOf(roundId, who, PRIORITY_BOX)).toEqual([c, a]);
    // Only the person sees their picks: an ephemeral confirmation to them.
    const confirmation = w.slack.callsTo('chat.postEphemeral').at(-1)?.args;
    expect(confirmation).toMatchObject({ channel: CHANNEL, user: MEMBER });
    expect(String(confirmation?.text)).toMatch(/^Dine valg: .+ og .+\. Du kan ændre dem/);
    expect(JSON.stringify((await messageOf(w, roundId, 'step:priority')).blocks)).toContain(
      '1 af 2 har svaret',
    );

    // Opened again: their picks are preselected. Somebody else's modal shows none of them.
    const mine = await open(w, MEMBER, message.blocks, 'prioritize');
    const initial = (inputOf(mine, 'cardIds').element.initial_options ?? []) as { value: string }[];
    expect(initial.map((o) => o.value)).toEqual([c, a]);
    const theirs = await open(w, OTHER, message.blocks, 'prioritize');
    expect(inputOf(theirs, 'cardIds').element.initial_options).toBeUndefined();
    // Left as preselected and submitted again: the same ballot, nothing counted twice.
    expect((await submitModal(w, MEMBER, mine, {})).answer).toBeUndefined();
    expect((await w.app.store.counts(roundId)).ballots[PRIORITY_BOX]).toBe(1);
  });

  it('plan item: owner picked as a Slack user becomes a Slack user owner, named by users.info, who may press Done', async () => {
    const { roundId } = await roundAt(w, 'summary');
    const plan = await messageOf(w, roundId, 'plan');
    const opened = await open(w, FACILITATOR, plan.blocks, 'addPlanItem');
    expect(opened.view).toMatchObject({
      title: { text: 'Ny aftale' },
      submit: { text: 'Tilføj aftale' },
    });
    expect(inputsOf(opened).map((i) => [i.block_id, i.element.type, i.optional ?? false])).toEqual([
      ['what', 'plain_text_input', false],
      ['goal', 'plain_text_input', true],
      ['actions', 'plain_text_input', true],
      ['owner', 'plain_text_input', true],
      ['ownerUser', 'users_select', true],
      ['due', 'datepicker', false],
    ]);

    const fields = {
      what: 'Mentorordning for nye',
      goal: 'Alle nye har en mentor',
      due: '2026-12-15',
    };
    const { answer } = await submitModal(w, FACILITATOR, opened, { ...fields, ownerUser: KIM });
    expect(answer).toBeUndefined();
    expect(w.slack.callsTo('users.info').at(-1)?.args).toMatchObject({ user: KIM });
    const [item] = (await stateOf(w, roundId)).plan;
    expect(item).toMatchObject({
      what: 'Mentorordning for nye',
      goal: 'Alle nye har en mentor',
      due: '2026-12-15',
      owner: { name: 'Kim', user: { platform: 'slack', userId: KIM } },
    });
    const kim = { platform: 'slack' as const, tenant: TEAM, userId: KIM };
    expect(item?.owner.key).toBe(w.app.service.keyOf(roundId, kim));
    const after = await messageOf(w, roundId, 'plan');
    expect(JSON.stringify(after.blocks)).toContain('Mentorordning for nye');

    // The owner, not the facilitator and never in the round, reports it done.
    await press(w, KIM, button(after.blocks, 'planDone', item?.id));
    expect((await stateOf(w, roundId)).plan[0]?.status).toBe('done');
  });

  it('plan item: a typed name wins over the display name; refusals on the due date, owner and person', async () => {
    const { roundId } = await roundAt(w, 'summary');
    const plan = await messageOf(w, roundId, 'plan');
    const opened = await open(w, FACILITATOR, plan.blocks, 'addPlanItem');
    const what = 'Stressforebyggelse';
    const past = await submitModal(w, FACILITATOR, opened, {
      what,
      owner: 'Kim',
      due: '2026-11-01',
    });
    expect(past.answer).toEqual({
      response_action: 'errors',
      errors: { due: 'Fristen ligger i fortiden. Vælg en dato fra i dag og frem.' },
    });
    const nobody = await submitModal(w, FACILITATOR, opened, { what, due: '2026-12-01' });
    expect(nobody.answer?.errors).toEqual({ owner: 'Skriv venligst en tekst.' });
    const noWhat = await submitModal(w, FACILITATOR, opened, {
      what: '',
      owner: 'Kim',
      due: '2026-12-01',
    });
    expect(noWhat.answer?.errors).toEqual({ what: 'Skriv venligst en tekst.' });
    const gone = await submitModal(w, FACILITATOR, opened, {
      what,
      ownerUser: GONE,
      due: '2026-12-01',
    });
    expect(gone.answer?.errors).toEqual({
      ownerUser: 'Personen er ikke med i denne samtale. Vælg en anden, eller skriv et navn.',
    });
    expect((await stateOf(w, roundId)).plan).toEqual([]);

    const typed = await submitModal(w, FACILITATOR, opened, {
      what,
      owner: 'Kim Larsen (AMR)',
      ownerUser: KIM,
      due: '2026-12-01',
    });
    expect(typed.answer).toBeUndefined();
    expect((await stateOf(w, roundId)).plan[0]?.owner).toMatchObject({
      name: 'Kim Larsen (AMR)',
      user: { platform: 'slack', userId: KIM },
    });
  });

  it('plan item: a participant is told at the button; their submission is refused politely and changes nothing', async () => {
    const { roundId } = await roundAt(w, 'summary');
    const plan = await messageOf(w, roundId, 'plan');
    const refused = await openModal(w, MEMBER, plan.blocks, 'addPlanItem');
    expect(refused.opened).toBeUndefined();
    expect(JSON.stringify(refused.last)).toContain('Det er kun mødelederen, der kan gøre det.');
    const opened = await open(w, FACILITATOR, plan.blocks, 'addPlanItem');
    const { answer } = await submitModal(w, MEMBER, opened, {
      what: 'Noget',
      owner: 'Mig',
      ownerUser: KIM,
      due: '2026-12-01',
    });
    expect(answer?.response_action).toBe('update');
    expect(JSON.stringify(answer?.view)).toContain('Det er kun mødelederen, der kan gøre det.');
    expect((await stateOf(w, roundId)).plan).toEqual([]);
    // Nobody else's submission is worth a users.info call.
    expect(w.slack.callsTo('users.info')).toHaveLength(0);
  });

  it('a form whose step is over is refused at the button and at submission', async () => {
    const { roundId, controls } = await roundAt(w, 'status');
    const status = await messageOf(w, roundId, 'step:status');
    const opened = await open(w, MEMBER, status.blocks, 'addNote');
    const stale = status.blocks;
    await press(w, FACILITATOR, button(controls?.blocks, 'next', 'status'), { ephemeral: true });
    await drain(w);
    // The message lost its button; a press on an old copy is told why, in Danish.
    expect(() =>
      formButton((w.slack.message(CHANNEL, status.ts) ?? status).blocks, 'addNote'),
    ).toThrow();
    const late = await openModal(w, MEMBER, stale, 'addNote');
    expect(late.opened).toBeUndefined();
    expect(JSON.stringify(late.last)).toContain('Det kan ikke lade sig gøre i dette trin.');
    const { answer } = await submitModal(w, MEMBER, opened, { text: 'For sent' });
    expect(answer?.response_action).toBe('update');
    expect(JSON.stringify(answer?.view)).toContain('Det kan ikke lade sig gøre i dette trin.');
    expect((await stateOf(w, roundId)).statusNotes).toEqual([]);
  });

  it('an expired trigger_id (over 3 s) gets "try again" instead of a modal', async () => {
    const { roundId } = await roundAt(w, 'status');
    const message = await messageOf(w, roundId, 'step:status');
    const pressed = formButton(message.blocks, 'addNote');
    const { body, responseId } = actionBody(w, MEMBER, pressed.value, {
      actionId: pressed.action_id,
    });
    await w.time.advance(4000);
    await deliver(w, body, FORM);
    expect(w.slack.callsTo('views.open').map((c) => c.error)).toEqual(['expired_trigger_id']);
    expect(JSON.stringify(w.slack.responsesTo(responseId).at(-1)?.body)).toContain(
      'Der er travlt lige nu. Prøv igen om et øjeblik.',
    );
  });

  it('speaks the round’s language: an English round’s modal and its refusals', async () => {
    const { roundId } = await roundAt(w, 'status', 'start en');
    const message = await messageOf(w, roundId, 'step:status');
    expect(formButton(message.blocks, 'addNote').text.text).toBe('Add a status note');
    const opened = await open(w, MEMBER, message.blocks, 'addNote');
    expect(opened.view).toMatchObject({
      title: { text: 'Status note' },
      close: { text: 'Cancel' },
    });
    const { answer } = await submitModal(w, MEMBER, opened, { text: '' });
    expect(answer?.errors).toEqual({ text: t('en', 'error.text_required') });
  });
});

describe('Slack modals: Block Kit limits and one translation', () => {
  const d = deck();
  const state = (lang: 'da' | 'en', overrides: Partial<RoundState> = {}) =>
    roundFixture({
      settings: { ...roundFixture().settings, lang },
      step: 'status',
      ...overrides,
    });
  const modalsFor = (lang: 'da' | 'en'): ModalView[] => [
    scopeModal(scopeView(input(d, state(lang, { step: 'scope' })))),
    statusModal(statusView(input(d, state(lang)))),
    customModal(customView(input(d, state(lang, { step: 'custom' })))),
    priorityModal(priorityView(input(d, state(lang, { step: 'priority', priority: 'open' }))), []),
    planModal(planView(input(d, state(lang, { step: 'summary' })))),
  ];

  it('every modal in both languages is within Slack’s modal limits', () => {
    for (const lang of LANGS) {
      const modals = modalsFor(lang);
      expect(modals.map((m) => JSON.parse(String(m.private_metadata)).form)).toEqual([
        ...FORM_KINDS,
      ]);
      for (const modal of modals) {
        expect(modalProblems(modal), `${lang} ${modal.callback_id}`).toEqual([]);
        expect(modal.title.text.length).toBeLessThanOrEqual(MODAL_LIMITS.title);
        expect(modal.submit?.text.length ?? 0).toBeLessThanOrEqual(MODAL_LIMITS.submit);
        expect(modal.close.text.length).toBeLessThanOrEqual(MODAL_LIMITS.close);
        // The core's texts fit as they are: nothing was cut.
        expect(strings(modal).join('\n')).not.toContain('…');
      }
    }
  });

  it('cuts option texts at 75 characters and escapes user-written ones; values stay whole', () => {
    const view = priorityView(input(d, state('da', { step: 'priority', priority: 'open' })));
    const long = `<!channel> ${'Æ'.repeat(100)}`;
    const modal = priorityModal({ ...view, options: [{ value: 'c1', label: long }] }, ['c1']);
    const select = modal.blocks[0]?.type === 'input' ? modal.blocks[0].element : undefined;
    const [first] = select?.type === 'multi_static_select' ? (select.options ?? []) : [];
    expect(first?.value).toBe('c1');
    expect(first?.text.text).toHaveLength(MODAL_LIMITS.optionText);
    expect(first?.text.text.startsWith('&lt;!channel&gt; ÆÆ')).toBe(true);
    expect(first?.text.text.endsWith('…')).toBe(true);
    expect(select?.type === 'multi_static_select' && select.initial_options).toEqual([first]);
    expect(modalProblems(modal)).toEqual([]);
  });

  it('more than 100 cards to prioritise: groups of 100 numbered as in the message, picks kept', () => {
    const view = priorityView(input(d, state('da', { step: 'priority', priority: 'open' })));
    const options = Array.from({ length: 130 }, (_, i) => ({ value: `c${i}`, label: `Kort ${i}` }));
    const modal = priorityModal({ ...view, options }, ['c120', 'c3']);
    const select = modal.blocks[0]?.type === 'input' ? modal.blocks[0].element : undefined;
    if (select?.type !== 'multi_static_select') throw new Error('no multi-select');
    expect(select.options).toBeUndefined();
    expect(select.option_groups?.map((g) => [g.label.text, g.options.length])).toEqual([
      ['1–100', 100],
      ['101–130', 30],
    ]);
    expect(select.initial_options?.map((o) => o.value)).toEqual(['c120', 'c3']);
    expect(modalProblems(modal)).toEqual([]);
  });

  it('more than 10 scope options: a select menu instead of radio buttons', () => {
    const view = scopeView(input(d, state('da', { step: 'scope' })));
    const options = Array.from({ length: 12 }, (_, i) => ({
      value: `a${i}`,
      label: `Område ${i}`,
      selected: i === 4,
    }));
    const modal = scopeModal({ ...view, options });
    const element = modal.blocks[0]?.type === 'input' ? modal.blocks[0].element : undefined;
    expect(element).toMatchObject({ type: 'static_select', initial_option: { value: 'a4' } });
    expect(modalProblems(modal)).toEqual([]);
    expect(modalProblems(scopeModal(view))).toEqual([]);
  });

  it('the fake refuses what Slack refuses: long titles, 101 blocks, 11 radio buttons, max_length over 3000', () => {
    const ok = statusModal(statusView(input(d, state('da'))));
    expect(
      modalProblems({ ...ok, title: { type: 'plain_text', text: 'x'.repeat(25) } }),
    ).not.toEqual([]);
    expect(
      modalProblems({ ...ok, blocks: Array.from({ length: 101 }, () => ok.blocks[0]) }),
    ).not.toEqual([]);
    const radio = scopeModal(scopeView(input(d, state('da', { step: 'scope' }))));
    const eleven = Array.from({ length: 11 }, (_, i) => ({
      text: { type: 'plain_text', text: `${i}` },
      value: `${i}`,
    }));
    expect(
      modalProblems({
        ...radio,
        blocks: [
          {
            ...radio.blocks[0],
            element: { type: 'radio_buttons', action_id: 'scope', options: eleven },
          },
        ],
      }),
    ).not.toEqual([]);
    const text = {
      type: 'input',
      block_id: 'x',
      label: { type: 'plain_text', text: 'x' },
      element: { type: 'plain_text_input', action_id: 'x', max_length: 3001 },
    };
    expect(modalProblems({ ...ok, blocks: [text] })).not.toEqual([]);
  });

  it('a submission becomes the same card data an Adaptive Card form sends, through one translator', () => {
    const status = statusModal(statusView(input(d, state('da'))));
    const opened: OpenedView = {
      id: 'V1',
      hash: 'h',
      triggerId: 't',
      view: status as unknown as Record<string, unknown>,
    };
    const values = stateValues(opened, { text: 'Note' });
    const data = formData('status', values);
    expect(data).toEqual({ command: 'addNote', areaId: '_general', text: 'Note' });
    expect(parseCardAction(commandOf(data), data)).toEqual(
      parseCardAction('addNote', { areaId: '_general', text: 'Note' }),
    );
    expect(parseCardAction(commandOf(data), data)).toEqual({
      kind: 'addNote',
      areaId: null,
      text: 'Note',
    });
    // Only the form's own fields are read: a forged command or user id is not.
    const forged = formData('status', {
      ...values,
      command: { command: { type: 'plain_text_input', value: 'end' } },
      userId: { userId: { type: 'plain_text_input', value: 'U0BOSS' } },
    });
    expect(forged).toEqual(data);
  });
});
