import { describe, expect, it } from 'vitest';
import { throttledErrors } from '../../src/app/compose.ts';
import type { Logger } from '../../src/app/logger.ts';

describe('throttledErrors', () => {
  it('logs the first error, then one per interval with the count left out', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
    } as unknown as Logger; // only `error` is used
    let now = 1_000;
    const report = throttledErrors(logger, 'scheduler error', 30_000, () => now);
    report(new Error('ECONNREFUSED'));
    for (let i = 0; i < 40; i++) {
      now += 500;
      report(new Error('ECONNREFUSED'));
    }
    expect(lines).toHaveLength(1);
    now += 30_000;
    report(new Error('ECONNREFUSED'));
    expect(lines).toHaveLength(2);
    expect(lines[0]?.fields.skipped).toBeUndefined();
    expect(lines[1]?.fields.skipped).toBe(40);
    expect(lines[1]?.message).toBe('scheduler error');
  });
});
