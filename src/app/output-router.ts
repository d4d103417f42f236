import type { Platform } from '../core/model.ts';
import type { ChannelOutput, OutboundMessage } from '../core/ports.ts';
import type { Logger } from './logger.ts';

/** Sends each message to the channel its round lives on. */
export function routeOutput(
  channels: Partial<Record<Platform, ChannelOutput>>,
  logger: Logger,
): ChannelOutput {
  return {
    async send(message: OutboundMessage) {
      const channel = channels[message.conversation.platform];
      if (!channel) {
        logger.warn(
          { platform: message.conversation.platform, view: message.view.kind },
          'no channel for message',
        );
        return;
      }
      await channel.send(message);
    },
  };
}
