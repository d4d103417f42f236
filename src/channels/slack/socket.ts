import { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../app/logger.ts';
import { slackLogger } from './web-client.ts';

/*
 * Socket Mode (SLACK_APP_TOKEN, `xapp-…`) for development: the app opens a
 * WebSocket to Slack (`apps.connections.open` gives the URL) and receives
 * commands, interactions and events over it, acknowledging each envelope on
 * the same socket, so no public URL is needed. Bolt's SocketModeReceiver and
 * @slack/socket-mode 3.1 (undici's WebSocket) do the protocol: `hello`, the
 * envelopes, acks, pings and reconnects.
 *
 * The seam for tests: the receiver takes no WebClient options of its own, but
 * hands `installerOptions.clientOptions` to its SocketModeClient, whose
 * WebClient then calls `apps.connections.open` at our `slackApiUrl` (the
 * fake), and the fake answers with a `ws://127.0.0.1:…` URL. We give no
 * clientId, so the receiver starts no OAuth server of its own (OAuth routes,
 * when configured, stay on our HTTP server: `oauth.ts`).
 */

export interface SocketOptions {
  appToken: string;
  apiUrl: string;
  logger: Logger;
  /** Milliseconds to wait for a pong (default 5000) and between server pings (default 30000). */
  clientPingTimeout?: number;
  serverPingTimeout?: number;
}

export function createSocketReceiver(options: SocketOptions): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: options.appToken,
    logger: slackLogger(options.logger),
    // Reconnects on its own when Slack recycles the connection (`disconnect` message).
    autoReconnectEnabled: true,
    ...(options.clientPingTimeout !== undefined && {
      clientPingTimeout: options.clientPingTimeout,
    }),
    ...(options.serverPingTimeout !== undefined && {
      serverPingTimeout: options.serverPingTimeout,
    }),
    installerOptions: {
      // apps.connections.open keeps the SocketModeClient's default retries (a reconnect
      // should keep trying); only the API URL and a timeout are ours.
      clientOptions: { slackApiUrl: options.apiUrl, timeout: 10_000 },
    },
  });
}
