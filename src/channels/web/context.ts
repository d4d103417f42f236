import type { DeckCatalog } from '../../app/decks.ts';
import type { Logger } from '../../app/logger.ts';
import type { RoundDefaults, RoundService } from '../../app/round-service.ts';
import type { Clock } from '../../core/ports.ts';
import type { EventHub } from './hub.ts';
import type { RateLimits } from './limits.ts';
import type { ReminderBoard } from './output.ts';

/** What every route of the web channel shares. */
export interface WebContext {
  logger: Logger;
  clock: Clock;
  decks: DeckCatalog;
  defaults: RoundDefaults;
  hub: EventHub;
  reminders: ReminderBoard;
  limits: RateLimits;
  /** The round service; throws until `attach` was called (a wiring bug, not a user error). */
  service(): RoundService;
  /** Base URL for links and QR codes, without a trailing slash ('' = relative links). */
  publicUrl(): string;
  /** True once shutdown began. */
  closing(): boolean;
}

/** Round ids are ours (`newId()`); anything else cannot name a round. */
const ROUND_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const isRoundId = (value: string): boolean => ROUND_ID.test(value);
