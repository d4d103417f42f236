import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from '../app/logger.ts';

export interface HttpOptions {
  logger: Logger;
  /** True when the store answers; /readyz reports 503 otherwise. */
  ready: () => Promise<boolean>;
}

/**
 * The one HTTP server all channels share: /healthz (process up), /readyz
 * (store reachable), then whatever the channels mount.
 */
export function createHttpApp(options: HttpOptions, mount: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await options.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ ok: ready });
  });
  mount(app);
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    // Body parser errors carry a status (413 too large, 400 bad JSON); others are bugs.
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    if (status >= 500) options.logger.error({ err: error, path: req.path }, 'request failed');
    if (res.headersSent) return;
    const code = status === 413 ? 'too_large' : status === 400 ? 'bad_request' : 'unexpected';
    res.status(status).json({ ok: false, error: { code, message: politeMessage(code) } });
  };
  app.use(onError);
  return app;
}

function politeMessage(code: string): string {
  if (code === 'too_large') return 'Beskeden er for stor. / The request is too large.';
  if (code === 'bad_request')
    return 'Forespørgslen kunne ikke læses. / The request could not be read.';
  return 'Noget gik galt hos os. Prøv igen om lidt. / Something went wrong on our side. Please try again shortly.';
}

export interface RunningServer {
  server: Server;
  /** e.g. http://127.0.0.1:3978 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes. */
  close(graceMs?: number): Promise<void>;
}

export function listen(app: Express, port: number, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        server,
        port: address.port,
        url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`,
        close: (graceMs = 10_000) => closeGracefully(server, graceMs),
      });
    });
  });
}

function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // Keep-alive sockets hold close() open until they idle out; drop each one as
    // soon as its last request has been answered.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
