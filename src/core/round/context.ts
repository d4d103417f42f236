import type { Deck } from '../deck/schema.ts';
import type { DomainError } from '../errors.ts';
import type { RoundState } from '../model.ts';
import type { Result } from '../result.ts';
import type { Actor } from './commands.ts';
import type { Effect } from './effects.ts';

/** What a transition may know besides the state and the command. */
export interface Ctx {
  /** Epoch ms. */
  now: number;
  deck: Deck;
  actor: Actor;
}

export interface Transitioned {
  state: RoundState;
  effects: Effect[];
}

export type TransitionResult = Result<Transitioned, DomainError>;
