/**
 * Issue 8, items 3 and 4, beyond tests/teams/security.test.ts and
 * tests/app/config-teams.test.ts:
 *
 * - the bot process itself (`node src/main.ts`) refuses to start in
 *   production when Teams would run without credentials, and never listens;
 * - the tenant allowlist reads the tenant the way identity does: an activity
 *   whose conversation names a foreign tenant is ignored even when its
 *   channelData names a listed one, and one naming no tenant is ignored too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cardBox } from '../../src/core/model.ts';
import { spawnLines } from '../scale/fixtures/helpers.ts';
import { openFirstCard } from '../teams/driving.ts';
import { invoke, type Json, type Member, post, threadOf, useTeamsWorld } from '../teams/harness.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('the bot process in production without Teams credentials', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-security-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const production = {
    NODE_ENV: 'production',
    DIALOGRUNDE_SECRET: 'security-start-secret-0123456789-abcdefghij',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    PATH: process.env.PATH,
  };

  it.each([
    ['anonymous requests allowed', { TEAMS_ALLOW_ANONYMOUS: 'true' }, 'TEAMS_ALLOW_ANONYMOUS'],
    ['an app id without its password', { TEAMS_APP_ID: 'app-id-only' }, 'TEAMS_APP_PASSWORD'],
  ])('refuses to start with %s, and never listens', async (_name, teams, named) => {
    const bot = spawnLines('bot', [MAIN], { ...production, ...teams });
    // A bot that starts after all is stopped, not waited for.
    const listening = bot
      .line((l) => /Open http/.test(l), 15_000)
      .then(
        () => 'listening',
        () => 'not listening',
      );
    const outcome = await Promise.race([bot.exit.then(() => 'exited'), listening]);
    await bot.kill();
    expect(outcome).toBe('exited');
    expect((await bot.exit).code).toBe(1);
    expect(bot.stderr.join('')).toContain(named);
    expect(bot.lines.join('\n')).not.toMatch(/Open http/);
  });
});

describe('tenant allowlist: the tenant of the conversation decides', () => {
  const TENANT = 'tenant-listed';
  const CHANNEL = '19:5ec0000000000000000000000000000a@thread.tacv2';
  const START = '1795424700000';
  const THREAD = threadOf(CHANNEL, START);
  const FACILITATOR: Member = { aad: '5ec00000-0000-4000-8000-000000000000', name: 'Mødeleder' };
  const EVE: Member = { aad: '5ec00000-0000-4000-8000-00000000000e', name: 'Eve' };

  // The harness lists exactly TENANT.
  const world = useTeamsWorld({ tenant: TENANT });

  it('ignores a foreign conversation that names a listed tenant in channelData, and one naming none', async () => {
    const w = world();
    const { roundId, cardId } = await openFirstCard(w, FACILITATOR, THREAD, START);
    const version = (await w.app.store.load(roundId))?.version;
    const vote = invoke(w, EVE, THREAD, {
      verb: 'vote',
      data: { command: 'vote', cardId, value: '1' },
    }) as unknown as Json & { id: string; conversation: Json; channelData: Json };
    const foreign = {
      ...vote,
      conversation: { ...vote.conversation, tenantId: 'tenant-evil' },
      channelData: { ...vote.channelData, tenant: { id: TENANT } },
    };
    const { tenantId: _, ...noTenant } = vote.conversation;
    const nameless = { ...vote, id: `${vote.id}-2`, conversation: noTenant, channelData: {} };
    for (const activity of [foreign, nameless]) {
      const answer = await post(w, activity);
      expect(answer.status).toBe(200);
      expect(answer.body).toBeUndefined();
    }
    expect((await w.app.store.counts(roundId)).ballots[cardBox(cardId)]).toBe(0);
    expect((await w.app.store.load(roundId))?.version).toBe(version);
    expect(
      await w.app.store.channelMemory.conversation('teams', 'tenant-evil', THREAD.conversationId),
    ).toBeUndefined();
    expect(w.logs).toContain('info: teams: activity from a tenant not on the allowlist ignored');
  });
});
