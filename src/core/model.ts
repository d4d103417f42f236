/**
 * The domain vocabulary shared by every layer. Pure data, no behaviour.
 * Times are epoch milliseconds (UTC); dates without time are ISO `YYYY-MM-DD`
 * in the round's time zone.
 */

export const LANGS = ['da', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** A text in every supported language. */
export type Localized = Record<Lang, string>;

/** The seven steps of the procedure, in order. */
export const STEPS = [
  'intro',
  'scope',
  'status',
  'rating',
  'custom',
  'priority',
  'summary',
] as const;
export type StepId = (typeof STEPS)[number];

/** sync: a facilitator drives a meeting; async: steps close at deadlines. */
export type Mode = 'sync' | 'async';

export type Scope = { kind: 'all' } | { kind: 'area'; areaId: string };

/** A rating of one card: 1 (works poorly here) … 5 (works very well), or "don't know / not relevant". */
export type Rating = 1 | 2 | 3 | 4 | 5 | 'na';

export type Platform = 'web' | 'teams' | 'slack' | 'cli';

/** Where a round lives. Channel-specific details (service url…) are kept by the channel. */
export interface ConversationRef {
  platform: Platform;
  /** Teams tenant, Slack team/enterprise id, or 'local'. */
  tenant: string;
  conversationId: string;
}

export type CardPhase = 'pending' | 'open' | 'closed';
export type RoundStatus = 'active' | 'paused' | 'ended';

/** A participant's own initiative ("blank card"). At most 9 per round. */
export interface CustomCard {
  id: string;
  missionId: string;
  title: string;
  description: string;
  addedAt: number;
}

/** A short free-text status note. The author is deliberately not stored. */
export interface StatusNote {
  id: string;
  /** null: about the round as a whole. */
  areaId: string | null;
  text: string;
  at: number;
}

export interface PlanOwner {
  /** Display name as typed by the group. */
  name: string;
  /** Set when the owner is a platform user: used to mention/DM on reminders. */
  user?: { platform: Platform; userId: string };
  /** Keyed hash of the owner within this round, so the owner may update the status. */
  key?: string;
}

export type PlanStatus = 'open' | 'done' | 'blocked';

/** One row of the opfølgningsskema. */
export interface PlanItem {
  id: string;
  /** Hvad vil vi prioritere? */
  what: string;
  /** Hvad vil vi gerne opnå? */
  goal: string;
  /** Hvad kan vi gøre? */
  actions: string;
  /** Hvem? */
  owner: PlanOwner;
  /** Hvornår? ISO date in the round's time zone. */
  due: string;
  link: { kind: 'mission' | 'card'; id: string } | null;
  status: PlanStatus;
  /** How many times "postpone a week" was pressed. */
  postponed: number;
  createdAt: number;
  updatedAt: number;
}

export interface RoundSettings {
  deckId: string;
  lang: Lang;
  mode: Mode;
  /** IANA time zone, e.g. Europe/Copenhagen. */
  timeZone: string;
  /** Anonymity threshold: no result for a card rated by fewer than k. Never below 3. */
  k: number;
  /** How many initiatives each participant may pick in the prioritisation. */
  maxPriorities: number;
  /** Reminders fire on the due date and this many days before (0 = only on the day). */
  reminderDaysBefore: number;
  /** Local hour (0–23) at which reminders fire. */
  reminderHour: number;
  /** Async mode: how long each step with a deadline stays open, in minutes. */
  stepMinutes: Record<DeadlineStep, number>;
  /**
   * Async mode: when this share (per cent, 1–99) of a voting step's time
   * (rating, custom, priority) has passed, members of the conversation who
   * have not answered yet get one private reminder (a nudge). 0 or absent: no
   * nudges (rounds saved before nudges existed have none).
   */
  nudgeAtPercent?: number;
}

/** Steps with ballots: async rounds nudge those who have not answered (see `nudgeAtPercent`). */
export const NUDGE_STEPS = ['rating', 'custom', 'priority'] as const;
export type NudgeStep = (typeof NUDGE_STEPS)[number];

/** Steps that close at a deadline in async mode. */
export const DEADLINE_STEPS = ['status', 'rating', 'custom', 'priority'] as const;
export type DeadlineStep = (typeof DEADLINE_STEPS)[number];

export interface RoundState {
  id: string;
  createdAt: number;
  updatedAt: number;
  settings: RoundSettings;
  conversation: ConversationRef;
  /** Keyed hash of the facilitator within this round (never the raw user id). */
  facilitatorKey: string;
  step: StepId;
  status: RoundStatus;
  /** True when the facilitator ended the round before the summary. */
  endedEarly: boolean;
  scope: Scope;
  /** Phase of every card in scope, deck cards and custom cards alike. */
  cards: Record<string, CardPhase>;
  /** Phase of the prioritisation ballot box. */
  priority: CardPhase;
  customCards: CustomCard[];
  statusNotes: StatusNote[];
  plan: PlanItem[];
  /** Async mode: when the current step closes by itself (epoch ms); null otherwise. */
  deadline: number | null;
  /** When the round was paused (epoch ms); null while not paused. */
  pausedAt: number | null;
}

/** Ballot boxes: one per card (ratings) and one for the prioritisation. */
export type BoxId = `card:${string}` | 'priority';
export const PRIORITY_BOX = 'priority' as const;
export const cardBox = (cardId: string): BoxId => `card:${cardId}`;

/** What a participant puts in a box: a rating for a card box, card ids for the priority box. */
export type BallotValue = Rating | string[];

/**
 * Sealed result of a box: only counts survive closing, never who voted what.
 * Card boxes count by '1'…'5' and 'na'; the priority box counts by card id.
 */
export interface Tally {
  ballots: number;
  counts: Record<string, number>;
}

/** What the store knows beyond the round document. */
export interface RoundCounts {
  /** Participants who joined (m in "n of m"). */
  participants: number;
  /** Ballots currently in each open box (n in "n of m"). */
  ballots: Partial<Record<BoxId, number>>;
  /** Sealed boxes. */
  tallies: Partial<Record<BoxId, Tally>>;
}
