/**
 * Several bot instances in this process on one real Redis (one key prefix,
 * one secret): each is `createSharedApp` with its own connections, as each
 * process of a scaled-out deployment has. Cheaper than the child processes
 * of tests/scale/, for tests about the store's atomicity rather than HTTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { systemClock } from '../../src/app/clock.ts';
import { type App, createSharedApp } from '../../src/app/compose.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import type { Identity } from '../../src/app/identity.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { deleteKeys, REDIS_URL } from '../fixtures/redis.ts';
import { DEFAULT_ROUND_DEFAULTS } from '../teams/harness.ts';

export const SHARED_SECRET = 'security-redis-apps-secret-0123456789-abcdef';

/** An instance: the app with its Redis store (whose client tests read keys with). */
export type SharedApp = Awaited<ReturnType<typeof createSharedApp>>;

export interface Instances {
  apps: SharedApp[];
  /** Instance `i` (round robin): spreads requests over the instances. */
  at(i: number): SharedApp;
  prefix: string;
  close(): Promise<void>;
}

export async function startInstances(n: number): Promise<Instances> {
  const prefix = `dialogrunde-test:${randomUUID()}:`;
  const decks = DeckCatalog.load();
  const apps: SharedApp[] = [];
  for (let i = 0; i < n; i++) {
    apps.push(
      await createSharedApp({
        url: REDIS_URL,
        prefix,
        secret: SHARED_SECRET,
        clock: systemClock,
        output: { send: async () => undefined },
        decks,
        defaults: DEFAULT_ROUND_DEFAULTS,
        logger: silentLogger(),
      }),
    );
  }
  return {
    apps,
    at: (i) => apps[i % apps.length] as SharedApp,
    prefix,
    async close() {
      await Promise.all(apps.map((a) => a.close()));
      await deleteKeys(REDIS_URL, prefix);
    },
  };
}

/** `n` instances for the enclosing describe block; call the returned function inside tests. */
export function useInstances(n: number): () => Instances {
  let instances: Instances | undefined;
  beforeAll(async () => {
    instances = await startInstances(n);
  }, 30_000);
  afterAll(async () => {
    await instances?.close();
  });
  return () => {
    if (!instances) throw new Error('the instances have not started yet');
    return instances;
  };
}

export const webPerson = (n: number): Identity => ({
  platform: 'web',
  tenant: 'local',
  userId: `person-${n}`,
});

/** A round on the full deck, started by `facilitator`, in the rating step with its first card open. */
export async function openCardRound(
  app: App,
  facilitator: Identity,
): Promise<{ roundId: string; cardId: string }> {
  const started = await app.service.start(facilitator, {
    conversation: { platform: 'web', tenant: 'local', conversationId: randomUUID() },
    starterJoins: false,
  });
  if (!started.ok) throw new Error(started.error.code);
  const { roundId } = started.value;
  for (const command of [
    { type: 'next', from: 'intro' },
    { type: 'next', from: 'scope' },
    { type: 'next', from: 'status' },
    { type: 'openNextCard' },
  ] as const) {
    const done = await app.service.command(roundId, facilitator, command);
    if (!done.ok) throw new Error(`${command.type}: ${done.error.code}`);
  }
  const state = (await app.store.load(roundId))?.state;
  const cardId = Object.keys(state?.cards ?? {}).find((id) => state?.cards[id] === 'open');
  if (!cardId) throw new Error('no open card');
  return { roundId, cardId };
}
