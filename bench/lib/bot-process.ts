/**
 * The bot as the benchmarks' server: `node src/main.ts` in a child process on 127.0.0.1 with a
 * free port (PORT=0), LOG_LEVEL=warn, NODE_ENV=production, a temporary DATA_DIR (deleted on stop)
 * and a fixed DIALOGRUNDE_SECRET. `env` adds to or overrides that, e.g. STORE=redis, REDIS_URL,
 * REDIS_PREFIX or Slack/Teams settings (NODE_ENV: 'development' for TEAMS_ALLOW_ANONYMOUS).
 * Nothing else leaks in from the caller's environment except PATH, HOME, TMPDIR, LANG and TZ.
 *
 *   const bot = await startBotProcess({ STORE: 'redis', REDIS_PREFIX: 'bench:x:' });
 *   // bot.url = 'http://127.0.0.1:41234'; sampleProc(bot.pid) for CPU and RSS
 *   await bot.stop();
 *
 * Same idea as tests/scale/fixtures/bot.ts, without collecting every output line (a benchmark
 * runs long) and with production defaults. `benchRedis(name)` gives a unique key prefix on the
 * local Redis and deletes its keys afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { RESULTS_DIR } from './report.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** Fixed, so voter keys (HMACs of it) are the same on every instance and run. */
/** Bots still running: killed should the benchmark process exit without stopping them. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const BENCH_SECRET = 'bench-shared-secret-0123456789-abcdefghijklmnop';

export interface BotProcess {
  /** e.g. 'http://127.0.0.1:41234' (no trailing slash). */
  url: string;
  pid: number;
  /** Last lines of stderr (and stdout), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves once exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartBotOptions {
  /** How long to wait for the "Open http://…/" line (default 30 s). */
  startMs?: number;
  /** Extra node arguments before src/main.ts (e.g. '--max-old-space-size=512'). */
  nodeArgs?: string[];
  /**
   * With `--cpu-prof` on the benchmark's own command line, the child writes a
   * V8 CPU profile to bench/results/profiles/<profileName>.cpuprofile on exit.
   */
  profileName?: string;
}

/** Node arguments that make a child write a CPU profile, when the benchmark runs with --cpu-prof. */
function profileArgs(name: string | undefined): string[] {
  if (!name || !process.argv.includes('--cpu-prof')) return [];
  const dir = join(RESULTS_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
}

/** Starts the bot; resolves once it printed "Open http://…/". Kills it again if that fails. */
export async function startBotProcess(
  env: Record<string, string> = {},
  options: StartBotOptions = {},
): Promise<BotProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialogrunde-bench-'));
  const childEnv: NodeJS.ProcessEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DIALOGRUNDE_SECRET: BENCH_SECRET,
  };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) childEnv[name] = value;
  }
  Object.assign(childEnv, env);

  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...profileArgs(options.profileName), MAIN],
    {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const tail: string[] = [];
  const keep = (text: string) => {
    tail.push(...text.split('\n').filter((l) => l.trim() !== ''));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
      resolve();
    });
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 5000) => {
    if (!exited()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    }
    await exit;
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', keep);
  child.stdout.setEncoding('utf8');

  const startMs = options.startMs ?? 30_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(
        () => reject(new Error(`bot did not start within ${startMs} ms`)),
        startMs,
      );
      const onData = (chunk: string) => {
        keep(chunk);
        seen += chunk;
        const found = /Open (http:\/\/\S+?)\/? /.exec(seen);
        if (found?.[1]) {
          clearTimeout(timer);
          // Keep draining stdout so the child never blocks on a full pipe.
          child.stdout.off('data', onData);
          child.stdout.on('data', keep);
          resolve(found[1]);
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`bot exited (${code ?? signal}) before it started`));
      });
    });
    return { url, pid: child.pid as number, output: () => tail.join('\n'), stop };
  } catch (error) {
    await stop(1000);
    throw new Error(`${(error as Error).message}\n${tail.join('\n')}`);
  }
}

/** A Redis for one benchmark: a unique key prefix on REDIS_URL (default 127.0.0.1:6379). */
export interface BenchRedis {
  url: string;
  /** e.g. 'bench:vote-web:3f2…:' — unique per call. */
  prefix: string;
  /** STORE=redis, REDIS_URL, REDIS_PREFIX: pass to startBotProcess. */
  env: Record<string, string>;
  /** Deletes every key under the prefix (SCAN, not KEYS); resolves with how many. */
  cleanup(): Promise<number>;
}

/** A unique prefix on the benchmark Redis, or undefined when no Redis answers PING within a second. */
export async function benchRedis(name: string): Promise<BenchRedis | undefined> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench:${name}:${randomUUID()}:`;
  const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.close();
  } catch {
    client.destroy();
    return undefined;
  }
  return {
    url,
    prefix,
    env: { STORE: 'redis', REDIS_URL: url, REDIS_PREFIX: prefix },
    cleanup: async () => {
      const c = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
      c.on('error', () => undefined);
      await c.connect();
      let deleted = 0;
      try {
        for await (const keys of c.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
          if (keys.length > 0) deleted += await c.del(keys);
        }
      } finally {
        await c.close();
      }
      return deleted;
    },
  };
}
