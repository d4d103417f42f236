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
    serializers: { err: errorForLog },
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

/** The fields of an error that go into a log line (pino's `type`, `message`, `stack`, and codes). */
const ERROR_FIELDS = [
  'type',
  'message',
  'stack',
  'code',
  'status',
  'statusCode',
  'retryAfter',
  'permanent',
] as const;

/**
 * What of an error goes into the log. SDK errors carry the request they
 * failed on: the Teams SDK's HttpError holds the whole outgoing activity (the
 * recipient's name and Entra object id, and the card's texts: status notes,
 * plan items, owners). So only the error's kind, message (with its causes'),
 * stack and codes are kept, never its other fields.
 */
export function errorForLog(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const full = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const field of ERROR_FIELDS) {
    if (full[field] !== undefined) kept[field] = full[field];
  }
  return kept;
}

/** A logger that drops everything (CLI simulations, tests that do not inspect logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
