/**
 * Infrastructure failure in a store or scheduler (disk, locks, connection,
 * corrupt rows). Messages name the operation, never user ids or vote values.
 * `permanent`: trying again will not help (a caller bug or corrupt data), as
 * opposed to a store that cannot be reached right now.
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly permanent: boolean;

  constructor(message: string, options?: { cause?: unknown; permanent?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options?.permanent ?? false;
  }
}
