/**
 * Captures every log line the app writes, at the most verbose level, through
 * the same pino logger production builds (`createLogger`, redact list
 * included) with a destination stream instead of stdout; and checks those
 * lines for personal data: the exact strings a round used (user ids, names,
 * typed text, secrets) and fields that would tie a vote to a voter.
 */
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createLogger, type Logger } from '../../src/app/logger.ts';

/** Free text typed into a round: distinctive, so a match in a log is unambiguous. */
export const TYPED_TEXTS = {
  note: 'PRIVAT-NOTE-7f3a: Zebulon Quarkmann er presset',
  customTitle: 'PRIVAT-TITEL-51b2',
  customDescription: 'PRIVAT-BESKRIVELSE-0d9e',
  what: 'PRIVAT-PLAN-8e4c',
  goal: 'PRIVAT-MAAL-2a61',
  actions: 'PRIVAT-HANDLING-c3f0',
  badVote: 'PRIVAT-STEMME-4b7d',
};

export interface CapturedLogs {
  logger: Logger;
  /** One entry per log line, as written (JSON). */
  lines: string[];
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger('trace', sink), lines };
}

/**
 * Keys that would carry a vote, a pick or a person when they appear in a log
 * object at any depth. The logger's redact list censors some of them one
 * level deep ('[redacted]'); anything else under these names is a leak.
 */
const PERSONAL_KEYS =
  /^(value|values|vote|votes|rating|ratings|ballot|choice|choices|picks|cardIds|userId|userIds|user|users|aadObjectId|from|name|displayName|realName|email|text|owner|who|identity|voterKey)$/i;

/** Every [path, value] of a parsed log line, strings and keys at any depth. */
function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void) {
  visit(path, value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`, visit);
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k, visit);
  }
}

/**
 * Fails listing every line that contains one of `forbidden` (label → exact
 * string, searched in the raw line and in every string of the parsed line, so
 * JSON escaping hides nothing) or a personal key whose value is not censored.
 * `allowedKeys` names keys that are fine in this run (e.g. `key` holding a
 * channel-memory key made of round and card ids).
 */
export function expectNoPersonalData(
  lines: readonly string[],
  forbidden: Record<string, string>,
  allowedKeys: readonly string[] = [],
): void {
  for (const [label, secret] of Object.entries(forbidden)) {
    // A short (or empty) string would match by accident, or everywhere.
    if (secret.length < 8) throw new Error(`"${label}" is too short to search for: "${secret}"`);
  }
  const found: string[] = [];
  for (const [index, line] of lines.entries()) {
    const parsed: unknown = JSON.parse(line);
    const strings: string[] = [line];
    walk(parsed, '', (path, value) => {
      if (typeof value === 'string') strings.push(value);
      // An array's items are checked with the array (its key), not one by one.
      const key = path.endsWith(']') ? '' : (path.split('.').at(-1) ?? '');
      // A serialized error's class name (`err.name`: "StoreError") names no person.
      const errorClass = key === 'name' && /(^|\.)err(\.|$)/.test(path);
      if (
        PERSONAL_KEYS.test(key) &&
        !errorClass &&
        !allowedKeys.includes(key) &&
        value !== '[redacted]'
      ) {
        found.push(`line ${index}: field "${path}" = ${JSON.stringify(value)}: ${line}`);
      }
    });
    for (const [label, secret] of Object.entries(forbidden)) {
      if (strings.some((s) => s.includes(secret))) found.push(`line ${index}: ${label}: ${line}`);
    }
  }
  expect(found, `personal data in ${lines.length} log lines`).toEqual([]);
}

/**
 * The checks of a whole run's logs: each of `logged` was logged at least once
 * (the run really logged, its failures among it), and no line holds personal
 * data (see expectNoPersonalData): none of `forbidden`, none of the `typed`
 * texts.
 */
export function expectCleanLogs(
  lines: readonly string[],
  checks: {
    logged: readonly string[];
    forbidden: Record<string, string>;
    typed: Record<string, string>;
  },
): void {
  const messages = messagesOf(lines);
  for (const message of checks.logged) expect(messages, message).toContain(message);
  const forbidden = { ...checks.forbidden };
  for (const [name, text] of Object.entries(checks.typed)) forbidden[`typed ${name}`] = text;
  expectNoPersonalData(lines, forbidden);
}

/** The log messages (`msg`) of the captured lines, for asserting that the run logged at all. */
export function messagesOf(lines: readonly string[]): string[] {
  return lines.map((line) => String((JSON.parse(line) as { msg?: unknown }).msg ?? ''));
}
