/**
 * The app on a SQLite file in a temp dir with a manual clock and every log
 * line captured, for the retention, delete, export and forget tests; plus
 * rounds in the shapes those tests need (ended and done, with ballots, with
 * owners who are platform users).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/app/clock.ts';
import { createEmbeddedApp, type EmbeddedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { VoterKeys } from '../../src/app/identity.ts';
import type { ConversationRef, PlanItem, RoundState } from '../../src/core/model.ts';
import { planItemFixture, roundFixture } from '../fixtures/round.ts';
import { DEFAULTS } from '../web/harness.ts';
import { captureLogs } from './log-capture.ts';

export const SECRET = 'privacy-test-secret-0123456789-abcdefghij';
export const DAY = 86_400_000;
/** The default retention period (RETENTION_DAYS 400). */
export const RETENTION = 400 * DAY;

export interface PrivacyWorld {
  app: EmbeddedApp;
  clock: ManualClock;
  /** Every log line (JSON), at trace level. */
  lines: string[];
  path: string;
  close(): Promise<void>;
}

export async function privacyWorld(options: { retentionDays?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dialogrunde-privacy-'));
  const path = join(dir, 'dialogrunde.db');
  const clock = new ManualClock();
  const { logger, lines } = captureLogs();
  const app = await createEmbeddedApp({
    sqlitePath: path,
    secret: SECRET,
    clock,
    output: { send: async () => undefined },
    decks: DeckCatalog.load(),
    defaults: DEFAULTS,
    logger,
    ...(options.retentionDays !== undefined && { retentionDays: options.retentionDays }),
  });
  const world: PrivacyWorld = {
    app,
    clock,
    lines,
    path,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** A round of a Slack channel, ended with every follow-up item done, last changed at `updatedAt`. */
export function finishedRound(id: string, updatedAt: number, overrides: Partial<RoundState> = {}) {
  return roundFixture({
    id,
    conversation: { platform: 'slack', tenant: 'T1', conversationId: 'C1' },
    status: 'ended',
    step: 'summary',
    cards: { mentorordninger: 'closed', 'interne-lederfora': 'closed' },
    plan: [planItemFixture({ status: 'done' })],
    updatedAt,
    ...overrides,
  });
}

/** Stores `state` as the app would have: created while active, then saved as it is. */
export async function putRound(app: EmbeddedApp, state: RoundState): Promise<void> {
  await app.store.create({ ...state, status: 'active' });
  const saved = await app.store.save(state, 1);
  if (!saved.ok) throw new Error(`saving ${state.id} failed: ${saved.reason}`);
}

/** A follow-up item owned by a platform user, with the round key the app would give them. */
export function ownedItem(
  id: string,
  round: { id: string; conversation: ConversationRef },
  userId: string,
  name: string,
): PlanItem {
  const { platform, tenant } = round.conversation;
  const key = new VoterKeys(SECRET).of(round.id, { platform, tenant, userId });
  return planItemFixture({ id, owner: { name, user: { platform, userId }, key } });
}
