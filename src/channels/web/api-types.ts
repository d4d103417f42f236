/**
 * The web channel's HTTP contract, shared by the server routes, the browser
 * client and the tests. JSON everywhere; errors are
 * `{ ok: false, error: { code, message } }` with a 4xx status and a message in
 * the round's (or the page's) language.
 */
import type { Lang, Mode, RoundStatus, StepId } from '../../core/model.ts';
import type {
  CardResultView,
  CardVoteView,
  ErrorView,
  FacilitatorView,
  MaaloversigtView,
  PlanView,
  ReminderView,
  ViewModel,
} from '../../core/views/types.ts';

/** POST /api/rounds */
export interface CreateRoundRequest {
  deckId?: string;
  lang?: Lang;
  mode?: Mode;
  /** 'all' or an area id. */
  scope?: string;
  k?: number;
  /** Picks per participant in step 6 (1–10); the deployment's default otherwise. */
  maxPriorities?: number;
  timeZone?: string;
}

export interface CreateRoundResponse {
  ok: true;
  roundId: string;
  /** `/f/<roundId>#<secret>`: the secret never reaches server logs or referrers. */
  facilitatorUrl: string;
  /** `/r/<roundId>`: share with participants (also as a QR code). */
  joinUrl: string;
  screenUrl: string;
  /** `/s/<roundId>`: the summary page. */
  summaryUrl: string;
}

/** GET /api/rounds/:id/state — everything a page shows, for this caller only. */
export interface RoundStateResponse {
  ok: true;
  roundId: string;
  /** Increases with every change; the client refetches when an event carries a newer one. */
  version: number;
  lang: Lang;
  mode: Mode;
  step: StepId;
  status: RoundStatus;
  deckTitle: string;
  participants: number;
  /** Whether this browser has joined (participant cookie known to the round). */
  joined: boolean;
  /** The current step's group message. */
  stepView: ViewModel;
  /** Open cards (vote form, with `yourVote` for this participant) and closed ones (results). */
  cards: (CardVoteView | CardResultView)[];
  /** The priority form with `yours`, while the priority box is open. */
  priority?: ViewModel;
  plan: PlanView;
  maaloversigt: MaaloversigtView;
  /** Reminders due today or within the reminder window, not done. */
  notices: ReminderView[];
  /** Only with a valid facilitator secret. */
  facilitator?: FacilitatorView;
}

export interface ApiError {
  ok: false;
  error: {
    code: ErrorView['code'] | 'bad_request' | 'rate_limited' | 'too_large' | 'not_found';
    message: string;
  };
}

/** Server-sent event on GET /api/rounds/:id/events. */
export interface ChangeEvent {
  version: number;
}

/**
 * Request bodies (JSON; unknown fields are refused with 400 bad_request) and
 * their answers. Mutating requests may send an Idempotency-Key header (≤ 100
 * characters): a retry with the same key has no second effect.
 */

/** POST /api/rounds/:id/join (no body) → `{ ok: true, participants }`. */
export interface JoinResponse {
  ok: true;
  participants: number;
}

/** POST /api/rounds/:id/vote → `{ ok: true, outcome, view }` (the card with `yourVote`). */
export interface VoteRequest {
  cardId: string;
  /** Sent as is: "3" or 3.5 are refused (invalid_rating). */
  value: 1 | 2 | 3 | 4 | 5 | 'na';
}

/** POST /api/rounds/:id/priorities → `{ ok: true, outcome, view }` (the form with `yours`). */
export interface PrioritiesRequest {
  cardIds: string[];
}

/** POST /api/rounds/:id/notes → 201 `{ ok: true, duplicate: false, noteId }`. */
export interface NoteRequest {
  /** null: about the round as a whole. */
  areaId: string | null;
  text: string;
}

/** POST /api/rounds/:id/custom-cards → 201 `{ ok: true, duplicate: false, cardId }`. */
export interface CustomCardRequest {
  missionId: string;
  title: string;
  description?: string;
}

/** Fields of a follow-up item; the owner is a typed name. */
export interface PlanItemFields {
  what: string;
  goal: string;
  actions: string;
  owner: { name: string };
  /** YYYY-MM-DD in the round's time zone. */
  due: string;
  link?: { kind: 'mission' | 'card'; id: string } | null;
}

/**
 * POST /api/rounds/:id/command with the facilitator header → `{ ok: true, duplicate }`
 * (addPlanItem: 201 with `itemId`). `from` on next/back/openNextCard: what the page
 * showed when pressed, so a double click cannot skip ahead (409 already_moved_on).
 */
export type CommandRequest =
  | { type: 'next' | 'back'; from?: StepId }
  | { type: 'pause' | 'resume' | 'end' }
  | { type: 'openNextCard'; from?: string }
  | { type: 'openCard' | 'closeCard' | 'removeCustomCard'; cardId: string }
  | { type: 'openMission' | 'closeMission'; missionId: string }
  | { type: 'setScope'; scope: string }
  | { type: 'removeStatusNote'; noteId: string }
  | ({ type: 'addPlanItem' } & PlanItemFields)
  | ({ type: 'editPlanItem'; itemId: string } & PlanItemFields)
  | { type: 'removePlanItem'; itemId: string };

/** POST /api/rounds/:id/plan/:itemId with the facilitator header (postpone = 7 days). */
export interface PlanActionRequest {
  action: 'done' | 'postpone' | 'blocked' | 'open';
}

/** Headers the client sends. */
export const FACILITATOR_HEADER = 'x-facilitator-secret';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const PARTICIPANT_COOKIE = 'dr_pid';
