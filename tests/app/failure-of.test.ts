import { describe, expect, it } from 'vitest';
import { AppError, failureOf } from '../../src/app/errors.ts';
import { StoreError } from '../../src/store/errors.ts';

describe('failureOf', () => {
  it('calls an unreachable store "unavailable", also deep in the cause chain', () => {
    const down = new StoreError('redis store: castBallot failed', {
      cause: new Error('connect ECONNREFUSED'),
    });
    expect(failureOf(down)).toBe('unavailable');
    expect(failureOf(new AppError('turn failed', { cause: down }))).toBe('unavailable');
  });

  it('calls bugs, permanent store errors and non-errors "unexpected"', () => {
    expect(failureOf(new Error('boom'))).toBe('unexpected');
    expect(failureOf(new StoreError('round r already exists', { permanent: true }))).toBe(
      'unexpected',
    );
    expect(failureOf('a string')).toBe('unexpected');
    expect(failureOf(undefined)).toBe('unexpected');
  });
});
