import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DECK_ID } from '../../src/app/decks.ts';
import { loadConfig } from '../../src/config.ts';
import { configError, SECRET } from '../fixtures/config.ts';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has sensible defaults', () => {
    const config = loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET });
    expect(config.env).toBe('development');
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toBe(dir);
    expect(config.sqlitePath).toBe(join(dir, 'dialogrunde.db'));
    expect(config.secret).toBe(SECRET);
    expect(config.secretSource).toBe('env');
    expect(config.extraDeckDirs).toEqual([]);
    expect(config.schedulerPollMs).toBe(1000);
    expect(config.defaults).toEqual({
      deckId: DEFAULT_DECK_ID,
      lang: 'da',
      mode: 'sync',
      timeZone: 'Europe/Copenhagen',
      k: 3,
      maxPriorities: 3,
      reminderDaysBefore: 7,
      reminderHour: 9,
      stepMinutes: { status: 1440, rating: 2880, custom: 1440, priority: 1440 },
      nudgeAtPercent: 75,
    });
  });

  it('reads values that are set', () => {
    const config = loadConfig({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      SQLITE_PATH: join(dir, 'other.db'),
      DEFAULT_LANG: 'en',
      DEFAULT_MODE: 'async',
      DEFAULT_TIME_ZONE: 'UTC',
      ANONYMITY_K: '5',
      REMINDER_HOUR: '0',
      DECKS_DIR: `${join(dir, 'a')}, ${join(dir, 'b')}`,
    });
    expect(config.sqlitePath).toBe(join(dir, 'other.db'));
    expect(config.defaults).toMatchObject({
      lang: 'en',
      mode: 'async',
      timeZone: 'UTC',
      k: 5,
      reminderHour: 0,
    });
    expect(config.extraDeckDirs).toEqual([join(dir, 'a'), join(dir, 'b')]);
  });

  it('lists every problem at once', () => {
    const error = configError({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      ANONYMITY_K: '2',
      DEFAULT_TIME_ZONE: 'Mars/Base',
      REMINDER_HOUR: '25',
      DEFAULT_LANG: 'fr',
    });
    const names = ['ANONYMITY_K', 'DEFAULT_TIME_ZONE', 'REMINDER_HOUR', 'DEFAULT_LANG'];
    for (const name of names) {
      expect(error.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
      expect(error.message).toContain(name);
    }
    expect(error.problems).toHaveLength(4);
  });

  it('requires DIALOGRUNDE_SECRET in production', () => {
    const error = configError({ NODE_ENV: 'production', DATA_DIR: dir });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DIALOGRUNDE_SECRET:/);
    const ok = loadConfig({ NODE_ENV: 'production', DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET });
    expect(ok.secretSource).toBe('env');
  });

  it('generates a development secret once, mode 0600, and reuses it', () => {
    const first = loadConfig({ DATA_DIR: dir });
    const file = join(dir, 'secret');
    expect(first.secretSource).toBe('file');
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dir, NODE_ENV: 'test' });
    expect(second.secret).toBe(first.secret);
    expect(second.secretSource).toBe('file');
  });

  it('creates a missing DATA_DIR for the development secret', () => {
    const nested = join(dir, 'deeper', 'data');
    const config = loadConfig({ DATA_DIR: nested });
    expect(readFileSync(join(nested, 'secret'), 'utf8').trim()).toBe(config.secret);
  });

  it('rejects a short secret', () => {
    const error = configError({ DATA_DIR: dir, DIALOGRUNDE_SECRET: 'too-short' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^DIALOGRUNDE_SECRET:.*32/);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      DEFAULT_LANG: '',
      ANONYMITY_K: '',
      DEFAULT_TIME_ZONE: '',
      SQLITE_PATH: '',
      DECKS_DIR: '',
    });
    expect(config.defaults.lang).toBe('da');
    expect(config.defaults.k).toBe(3);
    expect(config.defaults.timeZone).toBe('Europe/Copenhagen');
    expect(config.sqlitePath).toBe(join(dir, 'dialogrunde.db'));
    expect(config.extraDeckDirs).toEqual([]);
    const error = configError({ NODE_ENV: 'production', DATA_DIR: dir, DIALOGRUNDE_SECRET: '' });
    expect(error.problems[0]).toMatch(/^DIALOGRUNDE_SECRET:/);
  });
});
