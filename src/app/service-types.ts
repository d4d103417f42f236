import type { ConversationRef, Lang, Mode, RoundSettings, Scope } from '../core/model.ts';
import type { ChannelMemory, ChannelOutput, Clock, RoundStore, Scheduler } from '../core/ports.ts';
import type { Command } from '../core/round/commands.ts';
import type { DeckCatalog } from './decks.ts';
import type { Identity, VoterKeys } from './identity.ts';
import type { Logger } from './logger.ts';

/** The round service's inputs and dependencies. */

/** Settings a new round gets unless the starter chooses otherwise. */
export type RoundDefaults = Omit<RoundSettings, 'mode'> & { mode: Mode };

export interface StartInput {
  conversation: ConversationRef;
  deckId?: string;
  lang?: Lang;
  mode?: Mode;
  scope?: Scope;
  k?: number;
  maxPriorities?: number;
  timeZone?: string;
  /**
   * Whether the starter counts as a participant (m in "n of m"); default true.
   * False when the starter is not a person who votes, e.g. the web channel's
   * facilitator secret: otherwise m would stay one above everyone who can vote.
   */
  starterJoins?: boolean;
}

/** What channels may ask for. Identities become keys here, never in the core. */
export type ServiceCommand =
  | Exclude<Command, { type: 'start' | 'deadlineReached' | 'handOver' }>
  | { type: 'handOver'; to: Identity };

export interface ServiceDeps {
  store: RoundStore;
  scheduler: Scheduler;
  output: ChannelOutput;
  clock: Clock;
  decks: DeckCatalog;
  keys: VoterKeys;
  newId: () => string;
  logger: Logger;
  defaults: RoundDefaults;
  /** Attempts when another instance saved first (optimistic concurrency). */
  maxAttempts?: number;
  /**
   * What the channels remember about rounds (message ids): forgotten with a
   * deleted or purged round (`src/app/privacy.ts`). Absent: nothing to forget.
   */
  channelMemory?: ChannelMemory;
}
