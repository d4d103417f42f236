import { areasInScope, findMission } from '../deck/lookup.ts';
import { fail } from '../errors.ts';
import type { RoundState } from '../model.ts';
import { ok } from '../result.ts';
import { hasCard, phaseOf } from './boxes.ts';
import { type Command, LIMITS } from './commands.ts';
import type { Ctx, TransitionResult } from './context.ts';
import { type Effect, show } from './effects.ts';

/** Trims and bounds a user-written text. */
export function cleanText(text: string, max: number, required: boolean) {
  const value = text.replace(/\s+/g, ' ').trim();
  if (required && value.length === 0) return fail('text_required');
  if (value.length > max) return fail('text_too_long', { max });
  return ok(value);
}

export function addStatusNote(
  state: RoundState,
  command: Extract<Command, { type: 'addStatusNote' }>,
  ctx: Ctx,
): TransitionResult {
  if (state.step !== 'status') return fail('wrong_step', { step: state.step });
  if (state.statusNotes.length >= LIMITS.statusNotes) return fail('too_many_notes');
  if (command.areaId !== null) {
    const inScope = areasInScope(ctx.deck, state.scope).some((a) => a.id === command.areaId);
    if (!inScope) return fail('area_not_found', { area: command.areaId });
  }
  const text = cleanText(command.text, LIMITS.noteLength, true);
  if (!text.ok) return text;
  const note = { id: command.noteId, areaId: command.areaId, text: text.value, at: ctx.now };
  return ok({
    state: { ...state, statusNotes: [...state.statusNotes, note] },
    effects: [show({ kind: 'step', step: 'status' })],
  });
}

export function removeStatusNote(state: RoundState, noteId: string): TransitionResult {
  if (!state.statusNotes.some((n) => n.id === noteId)) return fail('note_not_found');
  return ok({
    state: { ...state, statusNotes: state.statusNotes.filter((n) => n.id !== noteId) },
    effects: [show({ kind: 'step', step: state.step })],
  });
}

export function addCustomCard(
  state: RoundState,
  command: Extract<Command, { type: 'addCustomCard' }>,
  ctx: Ctx,
): TransitionResult {
  if (state.step !== 'custom') return fail('wrong_step', { step: state.step });
  if (state.customCards.length >= LIMITS.customCards) {
    return fail('custom_card_limit', { max: LIMITS.customCards });
  }
  const found = findMission(ctx.deck, command.missionId);
  const inScope = found && areasInScope(ctx.deck, state.scope).includes(found.area);
  if (!inScope) return fail('mission_not_found', { mission: command.missionId });
  const title = cleanText(command.title, LIMITS.customTitleLength, true);
  if (!title.ok) return title;
  const description = cleanText(command.description, LIMITS.customDescriptionLength, false);
  if (!description.ok) return description;
  const same = (a: string, b: string) => a.toLocaleLowerCase('da') === b.toLocaleLowerCase('da');
  const taken =
    state.customCards.some(
      (c) => c.missionId === command.missionId && same(c.title, title.value),
    ) ||
    found.mission.cards.some((c) => same(c.title.da, title.value) || same(c.title.en, title.value));
  if (taken || hasCard(state, command.cardId)) return fail('duplicate_custom_card');
  const card = {
    id: command.cardId,
    missionId: command.missionId,
    title: title.value,
    description: description.value,
    addedAt: ctx.now,
  };
  // Async rounds vote on own initiatives as soon as they are added.
  const phase = state.settings.mode === 'async' ? 'open' : 'pending';
  const effects: Effect[] = [show({ kind: 'step', step: 'custom' })];
  if (phase === 'open') effects.push(show({ kind: 'card', cardId: card.id }));
  effects.push(show({ kind: 'facilitator' }, 'facilitator'));
  return ok({
    state: {
      ...state,
      customCards: [...state.customCards, card],
      cards: { ...state.cards, [card.id]: phase },
    },
    effects,
  });
}

export function removeCustomCard(state: RoundState, cardId: string): TransitionResult {
  if (!state.customCards.some((c) => c.id === cardId)) {
    return fail('card_not_found', { card: cardId });
  }
  if (phaseOf(state, cardId) !== 'pending') return fail('card_not_pending');
  const { [cardId]: _removed, ...cards } = state.cards;
  return ok({
    state: { ...state, cards, customCards: state.customCards.filter((c) => c.id !== cardId) },
    effects: [
      show({ kind: 'step', step: state.step }),
      show({ kind: 'facilitator' }, 'facilitator'),
    ],
  });
}
