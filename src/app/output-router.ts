import type { ConversationRef, Platform } from '../core/model.ts';
import type { ChannelOutput, NudgeMessage, OutboundMessage } from '../core/ports.ts';
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
    async members(conversation: ConversationRef) {
      return channels[conversation.platform]?.members?.(conversation);
    },
    async nudge(message: NudgeMessage) {
      return (await channels[message.conversation.platform]?.nudge?.(message)) ?? false;
    },
  };
}

/**
 * An output whose channel is made later (the channel needs the app's store,
 * the app needs the output): every call goes to `current()` at call time;
 * nothing happens while it is undefined.
 */
export function lateOutput(current: () => ChannelOutput | undefined): ChannelOutput {
  return {
    send: (message) => current()?.send(message) ?? Promise.resolve(),
    members: async (conversation) => current()?.members?.(conversation),
    nudge: async (message) => (await current()?.nudge?.(message)) ?? false,
  };
}
