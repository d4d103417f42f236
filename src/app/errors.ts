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
