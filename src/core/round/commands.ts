import type {
  ConversationRef,
  PlanItem,
  PlanStatus,
  RoundSettings,
  Scope,
  StepId,
} from '../model.ts';

/** Limits a round enforces (the guide's 9 blank cards; sane bounds elsewhere). */
export const LIMITS = {
  customCards: 9,
  statusNotes: 100,
  planItems: 50,
  noteLength: 500,
  customTitleLength: 80,
  customDescriptionLength: 400,
  planTextLength: 500,
  ownerLength: 120,
  minK: 3,
  maxK: 50,
  maxPriorities: 10,
} as const;

/** The fields of a follow-up item a user fills in. */
export type PlanInput = Pick<PlanItem, 'what' | 'goal' | 'actions' | 'owner' | 'due' | 'link'>;

/**
 * Everything that changes a round. Ids of new things (round, note, card, item)
 * come in with the command, so the core stays deterministic.
 * Ratings and priority ballots are not commands: see `ballots.ts`.
 */
export type Command =
  | {
      type: 'start';
      roundId: string;
      settings: RoundSettings;
      conversation: ConversationRef;
      scope: Scope;
    }
  | { type: 'handOver'; toKey: string }
  /**
   * `from`: the step the facilitator saw when pressing. A second press of the
   * same button (double click, two devices) then cannot skip a step.
   */
  | { type: 'next'; from?: StepId }
  | { type: 'back'; from?: StepId }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'end' }
  | { type: 'setScope'; scope: Scope }
  | { type: 'addStatusNote'; noteId: string; areaId: string | null; text: string }
  | { type: 'removeStatusNote'; noteId: string }
  | { type: 'openCard'; cardId: string }
  | { type: 'closeCard'; cardId: string }
  | { type: 'openMission'; missionId: string }
  | { type: 'closeMission'; missionId: string }
  /** `from`: the card that was open when pressed ('' when none), for the same reason. */
  | { type: 'openNextCard'; from?: string }
  | {
      type: 'addCustomCard';
      cardId: string;
      missionId: string;
      title: string;
      description: string;
    }
  | { type: 'removeCustomCard'; cardId: string }
  | { type: 'addPlanItem'; itemId: string; input: PlanInput }
  | { type: 'editPlanItem'; itemId: string; input: PlanInput }
  | { type: 'removePlanItem'; itemId: string }
  | { type: 'setPlanStatus'; itemId: string; status: PlanStatus }
  | { type: 'postponePlanItem'; itemId: string; days: number }
  | { type: 'deadlineReached'; step: StepId; deadline: number };

export type CommandType = Command['type'];

/** Who issues a command: a participant (by keyed hash) or the bot itself (deadlines). */
export type Actor = { kind: 'user'; key: string } | { kind: 'system' };

/** Commands only the facilitator may give. */
export const FACILITATOR_COMMANDS: ReadonlySet<CommandType> = new Set<CommandType>([
  'handOver',
  'next',
  'back',
  'pause',
  'resume',
  'end',
  'setScope',
  'removeStatusNote',
  'openCard',
  'closeCard',
  'openMission',
  'closeMission',
  'openNextCard',
  'removeCustomCard',
  'addPlanItem',
  'editPlanItem',
  'removePlanItem',
]);
