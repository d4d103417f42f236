import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configProblems, SECRET } from '../fixtures/config.ts';

describe('loadConfig: the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-config-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the embedded SQLite file by default, keeping ended rounds 400 days', () => {
    const config = loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET });
    expect(config.store).toEqual({ kind: 'sqlite', path: join(dir, 'dialogrunde.db') });
    expect(config.retentionDays).toBe(400);
  });

  it('selects Redis with STORE=redis and REDIS_URL, with the default or a given prefix', () => {
    const env = {
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      STORE: 'redis',
      REDIS_URL: 'redis://:pw@redis.internal:6380/2',
      RETENTION_DAYS: '30',
    };
    expect(loadConfig(env).store).toEqual({
      kind: 'redis',
      url: 'redis://:pw@redis.internal:6380/2',
      prefix: 'dialogrunde:',
    });
    expect(loadConfig({ ...env, REDIS_PREFIX: 'kommune-a:' }).store).toMatchObject({
      prefix: 'kommune-a:',
    });
    expect(loadConfig(env).retentionDays).toBe(30);
  });

  it('lists what STORE=redis is missing: the URL and a shared secret', () => {
    const found = configProblems({ DATA_DIR: dir, STORE: 'redis' });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^REDIS_URL: required with STORE=redis/);
    expect(found[1]).toMatch(/^DIALOGRUNDE_SECRET: required with STORE=redis, the same on every/);
  });

  it('rejects a wrong store, URL, prefix or retention, naming each', () => {
    const found = configProblems({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      STORE: 'postgres',
      REDIS_URL: 'http://127.0.0.1:6379',
      REDIS_PREFIX: 'a{b}:',
      RETENTION_DAYS: '0',
    });
    for (const name of ['STORE', 'REDIS_URL', 'REDIS_PREFIX', 'RETENTION_DAYS']) {
      expect(found.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
    expect(found).toHaveLength(4);
  });
});
