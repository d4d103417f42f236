import { readFileSync } from 'node:fs';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { DeckError } from '../app/decks.ts';
import { newSecret } from '../app/identity.ts';
import { showCommand, validateCommand } from './deck.ts';
import { CliError } from './errors.ts';
import {
  askOnTerminal,
  deleteRoundCommand,
  exportRoundCommand,
  forgetUserCommand,
  type PrivacyIo,
} from './privacy.ts';
import { simulate } from './simulate.ts';
import { DECK_USAGE, ROUND_USAGE, SIMULATE_USAGE, USAGE, USER_USAGE } from './usage.ts';
import { VotesFileError } from './votes-file.ts';

/** Runs the command line; returns the exit code. Output goes through the given writers. */
export async function main(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
  err: (text: string) => void = (t) => process.stderr.write(`${t}\n`),
  io: Partial<PrivacyIo> = {},
): Promise<number> {
  try {
    out(await run(argv, { env: io.env ?? process.env, ask: io.ask ?? askOnTerminal }));
    return 0;
  } catch (error) {
    if (
      error instanceof CliError ||
      error instanceof VotesFileError ||
      error instanceof DeckError
    ) {
      err(error.message);
      return 2;
    }
    err(
      `dialogrunde: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}

async function run(argv: string[], io: PrivacyIo): Promise<string> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return USAGE;
    case '--version':
    case '-v':
      return version();
    case 'simulate':
      return simulateCommand(rest);
    case 'deck':
      return deckCommand(rest);
    case 'secret':
      return newSecret();
    case 'round':
      return roundCommand(rest, io);
    case 'user':
      return userCommand(rest, io);
    default:
      throw new CliError(`unknown command "${command}".\n\n${USAGE}`);
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Every option is a string except --help; values come back through `get`. */
function parse(args: string[], names: readonly string[], usage: string) {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
  for (const name of names) options[name] = { type: 'string' };
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    const values = parsed.values as Record<string, string | boolean | undefined>;
    const get = (name: string): string | undefined => {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    };
    return { get, help: values.help === true, positionals: parsed.positionals };
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${usage}`);
  }
}

function integer(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) {
    throw new CliError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new CliError(`--${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

async function simulateCommand(args: string[]): Promise<string> {
  const names = ['participants', 'seed', 'deck', 'lang', 'mode', 'k', 'votes'];
  const { get, help, positionals } = parse(args, names, SIMULATE_USAGE);
  if (help) return SIMULATE_USAGE;
  if (positionals.length > 0) {
    throw new CliError(`unexpected argument "${positionals[0]}"\n\n${SIMULATE_USAGE}`);
  }
  const deckFile = get('deck');
  const votesFile = get('votes');
  const report = await simulate({
    participants: integer('participants', get('participants'), 12, 2, 500),
    seed: integer('seed', get('seed'), 1, 0, 2 ** 31),
    lang: oneOf('lang', get('lang'), ['da', 'en'], 'da'),
    mode: oneOf('mode', get('mode'), ['sync', 'async'], 'sync'),
    k: integer('k', get('k'), 3, 3, 50),
    ...(deckFile ? { deckFile } : {}),
    ...(votesFile ? { votesFile } : {}),
  });
  return report.text;
}

function deckCommand(args: string[]): string {
  const { get, help, positionals } = parse(args, ['lang'], DECK_USAGE);
  const [sub, target, extra] = positionals;
  if (help || sub === undefined) return DECK_USAGE;
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"\n\n${DECK_USAGE}`);
  const lang = oneOf('lang', get('lang'), ['da', 'en'], 'da');
  if (sub === 'validate') return validateCommand(target);
  if (sub === 'show') return showCommand(target, lang);
  throw new CliError(`unknown deck command "${sub}"\n\n${DECK_USAGE}`);
}

/** `round delete ID [--yes]`, `round export ID`. */
async function roundCommand(args: string[], io: PrivacyIo): Promise<string> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof ROUND_OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: ROUND_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${ROUND_USAGE}`);
  }
  const [sub, id, extra] = parsed.positionals;
  if (parsed.values.help || sub === undefined) return ROUND_USAGE;
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"\n\n${ROUND_USAGE}`);
  if (sub !== 'delete' && sub !== 'export') {
    throw new CliError(`unknown round command "${sub}"\n\n${ROUND_USAGE}`);
  }
  if (id === undefined || id.trim() === '') throw new CliError(`ID is missing\n\n${ROUND_USAGE}`);
  if (sub === 'export') {
    if (parsed.values.yes) throw new CliError(`--yes is for "round delete"\n\n${ROUND_USAGE}`);
    return exportRoundCommand(id, io);
  }
  return deleteRoundCommand(id, parsed.values.yes === true, io);
}

const ROUND_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  yes: { type: 'boolean', short: 'y' },
} as const;

/** `user forget PLATFORM USER`. */
async function userCommand(args: string[], io: PrivacyIo): Promise<string> {
  const { help, positionals } = parse(args, [], USER_USAGE);
  const [sub, platform, user, extra] = positionals;
  if (help || sub === undefined) return USER_USAGE;
  if (sub !== 'forget') throw new CliError(`unknown user command "${sub}"\n\n${USER_USAGE}`);
  if (extra !== undefined) throw new CliError(`unexpected argument "${extra}"\n\n${USER_USAGE}`);
  if (platform === undefined || user === undefined) {
    throw new CliError(`PLATFORM and USER are needed\n\n${USER_USAGE}`);
  }
  return forgetUserCommand(platform, user, io);
}
