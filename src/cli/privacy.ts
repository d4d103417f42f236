import { createInterface } from 'node:readline/promises';
import { systemClock } from '../app/clock.ts';
import { type App, createApp } from '../app/compose.ts';
import { BUILTIN_DECKS_DIR, DeckCatalog } from '../app/decks.ts';
import { silentLogger } from '../app/logger.ts';
import { deleteRound } from '../app/privacy.ts';
import { exportRound } from '../app/privacy-export.ts';
import { type ForgetReport, forgetUser } from '../app/privacy-forget.ts';
import { ConfigError, loadConfig } from '../config.ts';
import type { Platform } from '../core/model.ts';
import { CliError } from './errors.ts';

/*
 * `dialogrunde round delete|export ID` and `dialogrunde user forget PLATFORM
 * USER`: the operator's side of "a round and a user's data can be deleted"
 * (DESIGN.md §4). They read the same environment as the bot (STORE,
 * SQLITE_PATH/DATA_DIR, REDIS_URL, REDIS_PREFIX, DIALOGRUNDE_SECRET,
 * RETENTION_DAYS) and open its store and scheduler without any channel.
 */

/** What the privacy commands need besides their arguments; tests pass their own. */
export interface PrivacyIo {
  env: NodeJS.ProcessEnv;
  /**
   * Asks a question on the terminal and resolves the answer, or undefined
   * when there is no terminal to ask on (stdin is not a TTY).
   */
  ask: (question: string) => Promise<string | undefined>;
}

export const PLATFORMS: readonly Platform[] = ['web', 'teams', 'slack', 'cli'];

/** The real terminal: asks only when stdin is one. */
export async function askOnTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Runs `use` with the deployment's store and scheduler (not started), then closes them. */
async function withApp<T>(env: NodeJS.ProcessEnv, use: (app: App, days: number) => Promise<T>) {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  // Silent: a failure throws and is printed by main; stdout carries the export, and the
  // queue's clients report their own closing as errors, which is no news here.
  const logger = silentLogger();
  const app = await createApp({
    store: config.store,
    retentionDays: config.retentionDays,
    secret: config.secret,
    clock: systemClock,
    // Nothing is sent from the command line: deleting and forgetting post nothing.
    output: { send: async () => undefined },
    decks: DeckCatalog.load([BUILTIN_DECKS_DIR, ...config.extraDeckDirs]),
    defaults: config.defaults,
    logger,
  });
  try {
    return await use(app, config.retentionDays);
  } finally {
    await app.close();
  }
}

const unknownRound = (id: string) =>
  new CliError(`dialogrunde: there is no round with id "${id}" (nothing was changed)`);

/** `round delete ID [--yes]`: asks on a terminal unless --yes; without a terminal --yes is required. */
export async function deleteRoundCommand(id: string, yes: boolean, io: PrivacyIo) {
  return withApp(io.env, async (app) => {
    const record = await app.store.load(id);
    if (!record) throw unknownRound(id);
    if (!yes) {
      const { conversation, step, status } = record.state;
      const where = `${conversation.platform}, step ${step}, ${status}`;
      const answer = await io.ask(
        `Delete round ${id} (${where}) and everything stored about it? This cannot be undone. Type "yes" to delete: `,
      );
      if (answer === undefined) {
        throw new CliError('dialogrunde: not deleted: confirm with --yes when not on a terminal');
      }
      if (answer.trim().toLowerCase() !== 'yes') throw new CliError('Not deleted.');
    }
    await deleteRound(app.service.deps, id);
    return `Deleted round ${id}: the round, its counts and participants, its follow-up plan and reminders, and what the channels remembered about it.`;
  });
}

/** `round export ID`: everything stored about the round, as JSON. */
export async function exportRoundCommand(id: string, io: PrivacyIo): Promise<string> {
  return withApp(io.env, async (app, days) => {
    const data = await exportRound(app.service.deps, id, { retentionMs: days * 86_400_000 });
    if (!data) throw unknownRound(id);
    return JSON.stringify(data, null, 2);
  });
}

/** `user forget PLATFORM USER`. */
export async function forgetUserCommand(platform: string, userId: string, io: PrivacyIo) {
  if (!(PLATFORMS as readonly string[]).includes(platform)) {
    throw new CliError(`PLATFORM must be one of ${PLATFORMS.join(', ')} (got "${platform}")`);
  }
  if (userId.trim() === '') throw new CliError('USER must not be empty');
  return withApp(io.env, async (app) =>
    describeForget(
      platform,
      userId,
      await forgetUser(app.service.deps, platform as Platform, userId),
    ),
  );
}

function describeForget(platform: string, userId: string, r: ForgetReport): string {
  const lines = [
    `Forgot ${platform} user ${userId} (looked through ${r.rounds} round(s) of ${platform}):`,
    `  follow-up items they owned, now owned by "(slettet bruger)" / "(deleted user)": ${r.owners}`,
    `  records of nudges sent to them, removed: ${r.nudges}`,
    '  installations: none to remove (the installing person is not stored)',
    '  votes: nothing to do (stored under round keys, only counts once a card closes)',
  ];
  if (r.facilitating.length > 0) {
    lines.push(
      `  they facilitate ${r.facilitating.length} round(s), kept as they are; delete one with "dialogrunde round delete ID":`,
      ...r.facilitating.map((id) => `    ${id}`),
    );
  }
  return lines.join('\n');
}
