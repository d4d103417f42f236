import type { Express } from 'express';
import type { ChangeBus } from '../../app/change-bus.ts';
import type { DeckCatalog } from '../../app/decks.ts';
import type { Logger } from '../../app/logger.ts';
import type { RoundDefaults, RoundService } from '../../app/round-service.ts';
import type { ExportLinks } from '../../app/signed-links.ts';
import type { ChannelOutput, Clock } from '../../core/ports.ts';
import type { WebContext } from './context.ts';
import { sendWebError } from './errors.ts';
import { EventHub } from './hub.ts';
import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimitSpec } from './limits.ts';
import { ReminderBoard, WebOutput } from './output.ts';
import { ballotRoutes } from './routes-ballots.ts';
import { eventRoutes } from './routes-events.ts';
import { exportRoutes } from './routes-exports.ts';
import { facilitatorRoutes } from './routes-facilitator.ts';
import { pageRoutes, securityHeaders } from './routes-pages.ts';
import { roundRoutes } from './routes-rounds.ts';
import { signedRoutes } from './routes-signed.ts';
import { webVersion } from './state.ts';

export interface WebChannelOptions {
  logger: Logger;
  clock: Clock;
  decks: DeckCatalog;
  defaults: RoundDefaults;
  /** Per-client request budgets; tests shrink them. */
  rateLimits?: Partial<RateLimitSpec>;
  /** Event coalescing window in ms (default 200). */
  coalesceMs?: number;
  /** Serves signed export links (`/x/…`, the Teams summary card's); without it there is no such route. */
  exportLinks?: ExportLinks;
  /**
   * Carries "round changed" between instances (`openRedisChangeBus`), so a
   * vote handled elsewhere reaches this instance's streams. Not closed by
   * the channel. Default: in-process.
   */
  changeBus?: ChangeBus;
}

export interface WebChannel {
  output: ChannelOutput;
  attach(service: RoundService): void;
  mount(app: Express): void;
  setPublicUrl(url: string): void;
  publicUrl(): string;
  /** Ends the event streams; requests in flight finish on their own. */
  close(): void;
}

/**
 * The local web channel: pages for the start screen, participants, the
 * facilitator, the big screen and the summary, over a JSON API with live
 * updates by Server-Sent Events. It translates and renders; the core decides.
 */
export function createWebChannel(options: WebChannelOptions): WebChannel {
  const { logger, clock } = options;
  const hub = new EventHub({
    logger,
    ...(options.coalesceMs !== undefined && { coalesceMs: options.coalesceMs }),
    ...(options.changeBus && { changes: options.changeBus }),
  });
  const reminders = new ReminderBoard();
  let service: RoundService | undefined;
  let publicUrl = '';
  let closing = false;

  const ctx: WebContext = {
    logger,
    clock,
    decks: options.decks,
    defaults: options.defaults,
    hub,
    reminders,
    limits: createRateLimits({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }, clock),
    service: () => {
      if (!service) throw new Error('web channel used before attach(service)');
      return service;
    },
    publicUrl: () => publicUrl,
    closing: () => closing,
  };

  return {
    output: new WebOutput(hub, reminders, clock),
    attach(attached) {
      service = attached;
      hub.setVersionSource(async (roundId) => {
        const snap = await attached.snapshot(roundId);
        return snap && webVersion(snap);
      });
    },
    mount(app) {
      app.use(securityHeaders);
      app.use(roundRoutes(ctx));
      app.use(ballotRoutes(ctx));
      app.use(facilitatorRoutes(ctx));
      app.use(eventRoutes(ctx));
      app.use(exportRoutes(ctx));
      if (options.exportLinks) app.use(signedRoutes(ctx, options.exportLinks));
      app.use(pageRoutes(ctx));
      app.use('/api', (_req, res) => sendWebError(res, 404, 'not_found'));
    },
    setPublicUrl(url) {
      publicUrl = url.replace(/\/+$/, '');
    },
    publicUrl: () => publicUrl,
    close() {
      closing = true;
      hub.close();
    },
  };
}
