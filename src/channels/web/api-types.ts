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

/** Headers the client sends. */
export const FACILITATOR_HEADER = 'x-facilitator-secret';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const PARTICIPANT_COOKIE = 'dr_pid';
