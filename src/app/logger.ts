import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured logs. We log ids of rounds and jobs, step names and error codes;
 * never user ids, names, free text or vote values. The redact list is a
 * safety net for mistakes, not the mechanism.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'dialogrunde' },
    redact: {
      paths: [
        'userId',
        '*.userId',
        'identity',
        '*.identity',
        'text',
        '*.text',
        'value',
        '*.value',
        'owner',
        '*.owner',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything (CLI simulations, tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
