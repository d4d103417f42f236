import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { configError, SECRET } from '../fixtures/config.ts';

describe('loadConfig: Microsoft Teams', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialogrunde-config-teams-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is disabled by default', () => {
    const config = loadConfig({ DATA_DIR: dir, DIALOGRUNDE_SECRET: SECRET });
    expect(config.teams).toEqual({
      enabled: false,
      appId: null,
      appPassword: null,
      tenantId: null,
      allowAnonymous: false,
      tenantAllowlist: [],
    });
  });

  it('is enabled by an app id with its password, and reads every variable', () => {
    const config = loadConfig({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      NODE_ENV: 'production',
      TEAMS_APP_ID: '00000000-0000-0000-0000-0000000a9900',
      TEAMS_APP_PASSWORD: 'client-secret',
      TEAMS_TENANT_ID: 'tenant-home',
      TEAMS_TENANT_ALLOWLIST: ' tenant-a, tenant-b ,,',
    });
    expect(config.teams).toEqual({
      enabled: true,
      appId: '00000000-0000-0000-0000-0000000a9900',
      appPassword: 'client-secret',
      tenantId: 'tenant-home',
      allowAnonymous: false,
      tenantAllowlist: ['tenant-a', 'tenant-b'],
    });
  });

  it('is enabled by the anonymous development flag', () => {
    const config = loadConfig({ DATA_DIR: dir, TEAMS_ALLOW_ANONYMOUS: 'true' });
    expect(config.teams).toMatchObject({ enabled: true, appId: null, allowAnonymous: true });
  });

  it('refuses anonymous requests in production, listed with other problems', () => {
    const error = configError({
      DATA_DIR: dir,
      NODE_ENV: 'production',
      TEAMS_ALLOW_ANONYMOUS: 'true',
    });
    expect(error.problems).toHaveLength(2);
    expect(error.problems.some((p) => p.startsWith('DIALOGRUNDE_SECRET'))).toBe(true);
    const teams = error.problems.find((p) => p.startsWith('TEAMS_ALLOW_ANONYMOUS'));
    expect(teams).toMatch(/refuses to start in production without credentials/);
    expect(error.message).toContain('TEAMS_ALLOW_ANONYMOUS');
  });

  it('needs the password with the app id', () => {
    const error = configError({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      TEAMS_APP_ID: '00000000-0000-0000-0000-0000000a9900',
    });
    expect(error.problems).toEqual([expect.stringMatching(/^TEAMS_APP_PASSWORD: required/)]);
  });

  it('rejects a flag that is not true or false', () => {
    const error = configError({
      DATA_DIR: dir,
      DIALOGRUNDE_SECRET: SECRET,
      TEAMS_ALLOW_ANONYMOUS: 'yes',
    });
    expect(error.problems).toEqual([expect.stringMatching(/^TEAMS_ALLOW_ANONYMOUS: /)]);
  });
});
