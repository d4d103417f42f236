import type { StepId } from '../model.ts';
import type { ViewRequest } from '../round/effects.ts';
import { cardView } from './cards.ts';
import { facilitatorView, roundStatusView } from './facilitator.ts';
import type { ViewInput } from './input.ts';
import { planView, reminderView } from './plan.ts';
import { customView, introView, priorityView, ratingView, scopeView, statusView } from './steps.ts';
import { summaryView } from './summary.ts';
import type { ViewModel } from './types.ts';

/** Builds the view model an effect asks for; undefined when its subject is gone. */
export function buildView(request: ViewRequest, input: ViewInput): ViewModel | undefined {
  switch (request.kind) {
    case 'step':
      return stepView(request.step, input);
    case 'facilitator':
      return facilitatorView(input);
    case 'card':
      return cardView(input, request.cardId);
    case 'plan':
      return planView(input);
    case 'reminder':
      return reminderView(input, request.itemId, request.daysBefore);
    case 'roundStatus':
      return roundStatusView(input);
    default: {
      const unknown: never = request;
      return unknown;
    }
  }
}

/** The group's message for a step. */
export function stepView(step: StepId, input: ViewInput): ViewModel {
  switch (step) {
    case 'intro':
      return introView(input);
    case 'scope':
      return scopeView(input);
    case 'status':
      return statusView(input);
    case 'rating':
      return ratingView(input);
    case 'custom':
      return customView(input);
    case 'priority':
      return priorityView(input);
    case 'summary':
      return summaryView(input);
    default: {
      const unknown: never = step;
      return unknown;
    }
  }
}
