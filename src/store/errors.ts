/**
 * Infrastructure failure in a store or scheduler (disk, locks, corrupt rows).
 * Messages name the operation, never user ids or vote values.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
