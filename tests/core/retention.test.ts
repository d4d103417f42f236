import { describe, expect, it } from 'vitest';
import type { PlanItem } from '../../src/core/model.ts';
import { keepUntil } from '../../src/core/round/retention.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';

const DAY = 86_400_000;
const item = (status: PlanItem['status']) => planItemFixture({ id: `p-${status}`, status });

describe('keepUntil (retention)', () => {
  it('keeps a running or paused round without end', () => {
    expect(keepUntil(roundFixture({ status: 'active' }), 400 * DAY)).toBeNull();
    expect(keepUntil(roundFixture({ status: 'paused' }), 400 * DAY)).toBeNull();
  });

  it('keeps an ended round while a follow-up item is open or blocked', () => {
    const ended = roundFixture({ status: 'ended' });
    expect(keepUntil({ ...ended, plan: [item('done'), item('open')] }, DAY)).toBeNull();
    expect(keepUntil({ ...ended, plan: [item('blocked')] }, DAY)).toBeNull();
  });

  it('counts the period from the last change of an ended round whose items are done', () => {
    const ended = roundFixture({ status: 'ended', updatedAt: 5_000, plan: [item('done')] });
    expect(keepUntil(ended, 400 * DAY)).toBe(5_000 + 400 * DAY);
    expect(keepUntil({ ...ended, plan: [] }, DAY)).toBe(5_000 + DAY);
  });
});
