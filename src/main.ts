import { networkInterfaces } from 'node:os';
import { systemClock } from './app/clock.ts';
import { createApp, throttledErrors } from './app/compose.ts';
import { BUILTIN_DECKS_DIR, DeckCatalog } from './app/decks.ts';
import { createLogger } from './app/logger.ts';
import { lateOutput, routeOutput } from './app/output-router.ts';
import { PURGE_FIRST_DELAY_MS, schedulePurge } from './app/privacy.ts';
import { ExportLinks } from './app/signed-links.ts';
import type { SlackChannel } from './channels/slack/index.ts';
import type { TeamsChannel } from './channels/teams/index.ts';
import { createWebChannel } from './channels/web/index.ts';
import { type Config, loadConfig } from './config.ts';
import { createHttpApp, listen } from './http/server.ts';

type ScaleOutOptions = { url: string; prefix: string; onError: (error: unknown) => void };

/** The Redis change bus, loaded only with STORE=redis. */
async function openChangeBus(options: ScaleOutOptions) {
  return (await import('./store/redis-change-bus.ts')).openRedisChangeBus(options);
}

/** The Redis edit gate, loaded only with STORE=redis. */
async function openEditGate(options: ScaleOutOptions) {
  return (await import('./store/redis-edit-gate.ts')).openRedisEditGate(options);
}

/** Composition root: config → store and scheduler → channels → one HTTP server. */
export async function start(config: Config) {
  const logger = createLogger(config.logLevel);
  if (config.secretSource === 'file') {
    logger.warn(
      'DIALOGRUNDE_SECRET is not set: using a generated development secret in DATA_DIR/secret',
    );
  }
  const decks = DeckCatalog.load([BUILTIN_DECKS_DIR, ...config.extraDeckDirs]);
  // Signed, expiring links to a round's exports (the Teams summary card), served by the web channel.
  const exportLinks = new ExportLinks(config.secret, {
    clock: systemClock,
    days: config.exportLinkDays,
  });
  // Several instances on one Redis: web pages hear of changes made on any
  // instance, and each Teams/Slack card is posted once and edited in turn.
  const shared = config.store.kind === 'redis' ? config.store : undefined;
  const degraded = throttledErrors(logger, 'redis scale-out: degraded to one instance for now');
  // Modules of a channel or store that is not configured are never loaded
  // (here and below): each SDK costs start-up time and memory (bench/footprint.ts).
  const changeBus = shared && (await openChangeBus({ ...shared, onError: degraded }));
  const editGate = shared && (await openEditGate({ ...shared, onError: degraded }));
  const web = createWebChannel({
    ...(changeBus && { changeBus }),
    logger,
    clock: systemClock,
    decks,
    defaults: config.defaults,
    exportLinks,
  });
  // The Teams output needs the store's channel memory, and the app needs the output: late binding.
  let teams: TeamsChannel | undefined;
  const teamsOutput = lateOutput(() => teams?.output);
  let slack: SlackChannel | undefined;
  const slackOutput = lateOutput(() => slack?.output);
  const app = await createApp({
    store:
      config.store.kind === 'sqlite'
        ? { ...config.store, pollMs: config.schedulerPollMs }
        : config.store,
    retentionDays: config.retentionDays,
    secret: config.secret,
    clock: systemClock,
    output: routeOutput(
      {
        web: web.output,
        ...(config.teams.enabled && { teams: teamsOutput }),
        ...(config.slack.enabled && { slack: slackOutput }),
      },
      logger,
    ),
    decks,
    defaults: config.defaults,
    logger,
  });
  web.attach(app.service);
  if (config.teams.enabled) {
    const { createTeamsChannel } = await import('./channels/teams/index.ts');
    teams = createTeamsChannel({
      ...(editGate && { editGate }),
      config: config.teams,
      logger,
      clock: systemClock,
      channelMemory: app.store.channelMemory,
      store: app.store,
      service: app.service,
      // Only a configured PUBLIC_URL: Teams clients fetch the picture, a LAN address will not do.
      summaryLinks: { signer: exportLinks, publicUrl: config.publicUrl },
    });
  }
  if (config.slack.enabled) {
    const { createSlackChannel } = await import('./channels/slack/index.ts');
    slack = createSlackChannel({
      ...(editGate && { editGate }),
      config: config.slack,
      logger,
      clock: systemClock,
      channelMemory: app.store.channelMemory,
      store: app.store,
      service: app.service,
      // OAuth installs: kept in the store, their tokens sealed with a key from the app secret.
      installations: app.store.installations,
      secret: config.secret,
      publicUrl: config.publicUrl,
    });
    // Not awaited: a slow or unreachable Slack must not hold up the web channel.
    void slack.start();
  }
  const http = createHttpApp({ logger, ready: () => app.store.ping() }, (express) => {
    teams?.mount(express);
    // Before the web channel: Bolt must read the raw body to verify Slack's signature.
    slack?.mount(express);
    web.mount(express);
  });
  const server = await listen(http, config.port, config.host);
  // Bound to loopback only, phones cannot reach a LAN address: do not advertise one.
  const local = ['127.0.0.1', '::1', 'localhost'].includes(config.host);
  web.setPublicUrl(config.publicUrl ?? (local ? undefined : lanUrl(server.port)) ?? server.url);
  app.scheduler.start((job) => app.service.handleJob(job));
  // Retention: the first purge shortly after start, then daily (each schedules the next).
  await schedulePurge(app.service.deps, PURGE_FIRST_DELAY_MS).catch((error: unknown) => {
    logger.error({ err: error }, 'scheduling the retention purge failed');
  });
  logger.info({ url: server.url, store: config.store.kind }, 'dialogrunde is running');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('shutting down: finishing requests in flight');
      web.close();
      await server.close();
      await teams?.close();
      await slack?.close();
      await changeBus?.close();
      await editGate?.close();
      await app.close();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url: server.url, publicUrl: web.publicUrl(), stop };
}

/** The first LAN address, so phones in the room can open the join link. */
function lanUrl(port: number): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return `http://${v4.address}:${port}`;
  }
  return undefined;
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const running = await start(config).catch((error: unknown) => {
    // The usual cause: STORE=redis and Redis is not reachable. Say so, without a stack.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
    process.stderr.write(
      `dialogrunde could not start: ${(error as Error).message}${cause ? ` (${cause})` : ''}\n`,
    );
    process.exit(1);
  });
  process.stdout.write(
    `\ndialogrunde is running.\n  Open ${running.url}/ to start a round` +
      (running.publicUrl !== running.url
        ? `\n  Phones in the room can use ${running.publicUrl}/`
        : '') +
      '\n  Stop with Ctrl+C.\n\n',
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      running.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
}
