import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts `server` on a free port of 127.0.0.1, keeping idle keep-alive
 * sockets 30 s (so the load's connection pool is reused, as with the real
 * platforms). Returns its base URL (no trailing slash) and a close that also
 * drops open sockets.
 */
export async function listenLocal(
  server: Server,
): Promise<{ base: string; close: () => Promise<void> }> {
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
