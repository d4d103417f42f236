/**
 * Starts the bot in anonymous development mode and the Microsoft 365 Agents
 * Playground against it (a local Teams-like chat in the browser, no Microsoft
 * account or tunnel needed).
 *
 * Usage: npm run playground
 *
 * Environment:
 *   PORT        the bot's port (default 3978); the Playground's UI runs on 56150
 *   PUBLIC_URL  default http://localhost:PORT, so the summary card's picture and
 *               export links work in the Playground's chat on this machine
 *
 * The bot runs with TEAMS_ALLOW_ANONYMOUS=true and NODE_ENV=development, and
 * without TEAMS_APP_ID/TEAMS_APP_PASSWORD (the Playground sends no tokens).
 * The bot listens on 127.0.0.1 only (HOST), since it accepts anonymous requests.
 * The Playground runs with `--disable-telemetry` and APPLICATION_INSIGHTS_NO_STATSBEAT=true
 * (without the latter its SDK still tries to reach Azure at start).
 * Ctrl-C stops both.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const PLAYGROUND_CLI = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const port = process.env.PORT ?? '3978';
const endpoint = `http://127.0.0.1:${port}/api/messages`;

async function waitForBot(): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

const botEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  TEAMS_ALLOW_ANONYMOUS: 'true',
  PORT: port,
  // The bot takes anonymous requests here: only this machine may reach it.
  HOST: process.env.HOST || '127.0.0.1',
  PUBLIC_URL: process.env.PUBLIC_URL || `http://localhost:${port}`,
};
delete botEnv.TEAMS_APP_ID;
delete botEnv.TEAMS_APP_PASSWORD;
delete botEnv.TEAMS_TENANT_ID;

const children: ChildProcess[] = [];
let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const bot = spawn(process.execPath, [join(ROOT, 'src', 'main.ts')], {
  env: botEnv,
  stdio: 'inherit',
});
children.push(bot);
bot.on('exit', (code) => stopAll(code ?? 1));

if (!(await waitForBot())) {
  process.stderr.write(`The bot did not answer on http://127.0.0.1:${port}/healthz\n`);
  stopAll(1);
} else if (!existsSync(PLAYGROUND_CLI)) {
  process.stdout.write(
    [
      '',
      `The bot is running; its messaging endpoint is ${endpoint}.`,
      'The Microsoft 365 Agents Playground is not installed (npm install restores it).',
      'Or run it yourself:',
      `  npx @microsoft/m365agentsplayground -e ${endpoint} -c msteams --disable-telemetry`,
      '',
    ].join('\n'),
  );
} else {
  const playground = spawn(
    process.execPath,
    [PLAYGROUND_CLI, '-e', endpoint, '-c', 'msteams', '--disable-telemetry'],
    {
      env: {
        ...process.env,
        BOT_ENDPOINT: endpoint,
        // Its Application Insights SDK phones home ("statsbeat") even with --disable-telemetry.
        APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
      },
      stdio: 'inherit',
    },
  );
  children.push(playground);
  playground.on('exit', (code) => stopAll(code ?? 0));
}
