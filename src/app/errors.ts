import type { Failure } from '../core/views/types.ts';
import { StoreError } from '../store/errors.ts';

/** Infrastructure or programming failures (not user mistakes), with their cause. */
export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** A deck referenced by a stored round is missing from this deployment. */
export class MissingDeckError extends AppError {
  constructor(deckId: string) {
    super(`deck "${deckId}" is not loaded`);
    this.name = 'MissingDeckError';
  }
}

/**
 * What to tell a user about a thrown error: `unavailable` when the store or
 * scheduler could not be reached (a StoreError that is not permanent,
 * anywhere in the cause chain: nothing was saved, trying again later will
 * work), else `unexpected`.
 */
export function failureOf(error: unknown): Failure {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof StoreError) return e.permanent ? 'unexpected' : 'unavailable';
  }
  return 'unexpected';
}
