import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, inflateSync } from 'node:zlib';
import { type AppManifest, AppManifestUtils } from '@microsoft/app-manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIcon } from '../../scripts/teams-icons.ts';
import {
  deriveTeamsAppId,
  readPackageValues,
  validateLocalization,
} from '../../scripts/teams-package.ts';
import { createZip } from '../../scripts/zip.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TEAMS_DIR = join(ROOT, 'manifest', 'teams');
const SCRIPT = join(ROOT, 'scripts', 'teams-package.ts');
const SCHEMAS = join(
  dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json')),
  'build',
  'json-schemas',
  'teams',
);

const TEST_APP_ID = '0f9d2c1e-7a55-4c3b-9e21-5b8a6d4c3f10';
const TEST_BOT_ID = '6a1f4e2b-93c8-4d7e-8b05-2c9e7f1a3d64';
const TEST_HOST = 'dialogrunde-test.example.dk';

const DA_COMMANDS = ['start', 'status', 'stop', 'hjælp'];
const EN_COMMANDS = ['start', 'status', 'stop', 'help'];
/** Deleting a round belongs where the round is: a channel or group chat, not the 1:1 chat. */
const daCommands = (personal: boolean) => (personal ? DA_COMMANDS : [...DA_COMMANDS, 'slet']);
const enCommands = (personal: boolean) => (personal ? EN_COMMANDS : [...EN_COMMANDS, 'delete']);

type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;

interface Command {
  title: string;
  description?: string;
}
interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  version: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  developer: { websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  icons: { color: string; outline: string };
  localizationInfo: {
    defaultLanguageTag: string;
    defaultLanguageFile?: string;
    additionalLanguages: { languageTag: string; file: string }[];
  };
  bots: {
    botId: string;
    scopes: string[];
    isNotificationOnly: boolean;
    supportsFiles: boolean;
    commandLists: { scopes: string[]; commands: Command[] }[];
  }[];
  validDomains: string[];
  webApplicationInfo?: unknown;
}

/** `${{NAME}}`, the form of a placeholder in the committed manifest. */
const placeholder = (name: string): string => `\${{${name}}}`;

const readJson = async <T>(path: string): Promise<T> =>
  JSON.parse(await readFile(path, 'utf8')) as T;

const committedText = () => readFile(join(TEAMS_DIR, 'manifest.json'), 'utf8');

/** The committed manifest with its placeholders replaced by test values (independently of the script). */
async function substitutedManifest(): Promise<Manifest> {
  const text = (await committedText())
    .replaceAll(placeholder('TEAMS_MANIFEST_ID'), TEST_APP_ID)
    .replaceAll(placeholder('BOT_ID'), TEST_BOT_ID)
    .replaceAll(placeholder('PUBLIC_HOST'), TEST_HOST)
    .replaceAll(placeholder('APP_VERSION'), '1.2.3');
  expect(text).not.toMatch(/\$\{\{/);
  return JSON.parse(text) as Manifest;
}

/** Teams schema versions bundled by @microsoft/app-manifest, newest last (no previews). */
async function bundledVersions(): Promise<string[]> {
  const dirs = await readdir(SCHEMAS);
  const versions = dirs.filter((d) => /^v\d+\.\d+$/.test(d)).map((d) => d.slice(1));
  const key = (v: string) => v.split('.').map(Number) as [number, number];
  return versions.sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

// ---------------------------------------------------------------- PNG ----

interface Image {
  width: number;
  height: number;
  colorType: number;
  /** RGBA, 4 bytes a pixel. */
  rgba: Uint8Array;
}

/** A minimal PNG decoder: 8-bit RGB or RGBA, not interlaced (what resvg writes). */
function decodePng(png: Buffer): Image {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (offset === 8) expect(type).toBe('IHDR');
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colorType = data[9] ?? -1;
      expect(bitDepth).toBe(8);
      expect([2, 6]).toContain(colorType);
      expect(data[12]).toBe(0); // not interlaced
    }
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else expect(filter).toBe(0);
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let ch = 0; ch < 4; ch++) {
      rgba[i * 4 + ch] = ch < channels ? (pixels[i * channels + ch] ?? 0) : 255;
    }
  }
  return { width, height, colorType, rgba };
}

// ---------------------------------------------------------------- ZIP ----

/** Reads a store-only ZIP: every entry's name and bytes, checking the CRC. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  expect(p + zip.readUInt32LE(eocd + 12)).toBe(eocd);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    expect(zip.readUInt16LE(p + 10)).toBe(0); // stored
    const crc = zip.readUInt32LE(p + 16);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extra = zip.readUInt16LE(p + 30);
    const comment = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    expect(crc32(data), name).toBe(crc);
    entries.set(name, data);
    p += 46 + nameLength + extra + comment;
  }
  return entries;
}

// -------------------------------------------------------------- tests ----

describe('Teams manifest', () => {
  it('is on the newest manifest schema that @microsoft/app-manifest bundles', async () => {
    const manifest = await readJson<Manifest>(join(TEAMS_DIR, 'manifest.json'));
    const newest = (await bundledVersions()).at(-1);
    expect(manifest.manifestVersion).toBe(newest);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${newest}/MicrosoftTeams.schema.json`,
    );
  });

  it('keeps the ids as placeholders in the committed file', async () => {
    const manifest = await readJson<Manifest>(join(TEAMS_DIR, 'manifest.json'));
    expect(manifest.id).toBe(placeholder('TEAMS_MANIFEST_ID'));
    expect(manifest.bots[0]?.botId).toBe(placeholder('BOT_ID'));
    expect(manifest.validDomains).toEqual([placeholder('PUBLIC_HOST')]);
    expect(await committedText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i);
  });

  it('validates offline with @microsoft/app-manifest once the placeholders are filled in', async () => {
    const manifest = await substitutedManifest();
    const schema = await readJson<Schema>(
      join(SCHEMAS, `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json'),
    );
    const errors = await AppManifestUtils.validateAgainstSchema(
      manifest as unknown as AppManifest,
      schema,
    );
    expect(errors).toEqual([]);
  });

  it('reports schema errors (the validation is not a no-op)', async () => {
    const manifest = await substitutedManifest();
    const schema = await readJson<Schema>(
      join(SCHEMAS, `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json'),
    );
    const broken = { ...manifest, id: 'not-a-guid', accentColor: 'green' };
    const errors = await AppManifestUtils.validateAgainstSchema(
      broken as unknown as AppManifest,
      schema,
    );
    expect(errors.some((e) => e.startsWith('/id '))).toBe(true);
    expect(errors.some((e) => e.startsWith('/accentColor '))).toBe(true);
  });

  it('has one conversational bot in team, groupChat and personal, without files or SSO', async () => {
    const manifest = await substitutedManifest();
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0];
    expect(bot?.scopes.toSorted()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot?.isNotificationOnly).toBe(false);
    expect(bot?.supportsFiles).toBe(false);
    expect(manifest.webApplicationInfo).toBeUndefined();
  });

  it('lists start, status, stop and hjælp in every bot scope, and slet where rounds live', async () => {
    const manifest = await substitutedManifest();
    const bot = manifest.bots[0];
    for (const scope of bot?.scopes ?? []) {
      const lists = bot?.commandLists.filter((l) => l.scopes.includes(scope)) ?? [];
      expect(lists, scope).toHaveLength(1);
      const commands = lists[0]?.commands ?? [];
      expect(commands.map((c) => c.title)).toEqual(daCommands(scope === 'personal'));
      for (const command of commands) expect(command.description?.trim()).toBeTruthy();
    }
  });

  it('uses the placeholder developer URLs on dialogrunde.example.dk', async () => {
    const { developer } = await substitutedManifest();
    for (const url of [developer.websiteUrl, developer.privacyUrl, developer.termsOfUseUrl]) {
      expect(new URL(url).host).toBe('dialogrunde.example.dk');
      expect(new URL(url).protocol).toBe('https:');
    }
  });
});

describe('Teams localisation', () => {
  it('has Danish as the default language and an English file', async () => {
    const manifest = await substitutedManifest();
    expect(manifest.localizationInfo.defaultLanguageTag).toBe('da');
    expect(manifest.localizationInfo.defaultLanguageFile).toBeUndefined();
    expect(manifest.localizationInfo.additionalLanguages).toEqual([
      { languageTag: 'en', file: 'en.json' },
    ]);
    expect(existsSync(join(TEAMS_DIR, 'en.json'))).toBe(true);
  });

  it('en.json validates against the bundled localisation schema', async () => {
    const manifest = await substitutedManifest();
    const en = await readJson<Record<string, unknown>>(join(TEAMS_DIR, 'en.json'));
    expect(en.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.Localization.schema.json`,
    );
    expect(await validateLocalization(en, manifest.manifestVersion)).toEqual([]);
    const bad = { ...en, 'description.short': 'x'.repeat(81), 'name.nickname': 'x' };
    expect(await validateLocalization(bad, manifest.manifestVersion)).toHaveLength(2);
  });

  it('en.json translates exactly the manifest strings, including the required keys', async () => {
    const manifest = await substitutedManifest();
    const en = await readJson<Record<string, string>>(join(TEAMS_DIR, 'en.json'));
    const schema = await readJson<{ required: string[] }>(
      join(SCHEMAS, `v${manifest.manifestVersion}`, 'MicrosoftTeams.Localization.schema.json'),
    );

    const expected = new Map<string, string>([
      ['name.short', manifest.name.short],
      ['name.full', manifest.name.full ?? ''],
      ['description.short', manifest.description.short],
      ['description.full', manifest.description.full],
    ]);
    manifest.bots[0]?.commandLists.forEach((list, i) => {
      list.commands.forEach((command, j) => {
        expected.set(`bots[0].commandLists[${i}].commands[${j}].title`, command.title);
        expected.set(
          `bots[0].commandLists[${i}].commands[${j}].description`,
          command.description ?? '',
        );
      });
    });

    const keys = Object.keys(en).filter((k) => k !== '$schema');
    expect(keys.toSorted()).toEqual([...expected.keys()].toSorted());
    for (const required of schema.required) expect(keys).toContain(required);
    for (const key of keys) expect(en[key]?.trim(), key).toBeTruthy();

    // The English titles are the English command words, in the same order.
    manifest.bots[0]?.commandLists.forEach((list, i) => {
      const titles = list.commands.map(
        (_, j) => en[`bots[0].commandLists[${i}].commands[${j}].title`],
      );
      expect(titles).toEqual(enCommands(list.scopes.includes('personal')));
    });
    // Translated, not copied.
    expect(en['description.full']).not.toBe(manifest.description.full);
    expect(en['description.short']).not.toBe(manifest.description.short);
  });
});

describe('Teams icons', () => {
  it('has a 192×192 colour icon and a 32×32 outline icon (IHDR)', async () => {
    for (const [file, size] of [
      ['color.png', 192],
      ['outline.png', 32],
    ] as const) {
      const png = await readFile(join(TEAMS_DIR, file));
      expect(png.subarray(12, 16).toString('latin1'), file).toBe('IHDR');
      expect(png.readUInt32BE(16), file).toBe(size);
      expect(png.readUInt32BE(20), file).toBe(size);
    }
  });

  it('the outline icon is white on transparent', async () => {
    const { rgba, width, height, colorType } = decodePng(
      await readFile(join(TEAMS_DIR, 'outline.png')),
    );
    expect(colorType).toBe(6);
    let transparent = 0;
    let opaque = 0;
    for (let i = 0; i < width * height; i++) {
      const [r, g, b, a] = rgba.subarray(i * 4, i * 4 + 4);
      if (a === 0) {
        transparent++;
        continue;
      }
      expect([r, g, b], `pixel ${i % width},${Math.floor(i / width)}`).toEqual([255, 255, 255]);
      if (a === 255) opaque++;
    }
    expect(transparent).toBeGreaterThan((width * height) / 2);
    expect(opaque).toBeGreaterThan(50);
  });

  it('the colour icon is fully opaque and uses the three area colours', async () => {
    const { rgba, width, height } = decodePng(await readFile(join(TEAMS_DIR, 'color.png')));
    const colours = new Set<string>();
    for (let i = 0; i < width * height; i++) {
      expect(rgba[i * 4 + 3]).toBe(255);
      colours.add(Buffer.from(rgba.subarray(i * 4, i * 4 + 3)).toString('hex'));
    }
    for (const area of ['1f7a5c', '4a4aa8', 'b5441b']) expect(colours).toContain(area);
  });

  it('the PNGs are up to date with their SVG sources (node scripts/teams-icons.ts)', async () => {
    for (const [name, size] of [
      ['color', 192],
      ['outline', 32],
    ] as const) {
      const svg = await readFile(join(TEAMS_DIR, `${name}.svg`), 'utf8');
      const fresh = decodePng(renderIcon(svg, size));
      const committed = decodePng(await readFile(join(TEAMS_DIR, `${name}.png`)));
      let worst = 0;
      for (let i = 0; i < fresh.rgba.length; i++) {
        worst = Math.max(worst, Math.abs((fresh.rgba[i] ?? 0) - (committed.rgba[i] ?? 0)));
      }
      expect(worst, name).toBeLessThanOrEqual(2);
    }
  });
});

describe('teams:package', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dialogrunde-teams-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the script with only the given Teams variables set. */
  async function run(vars: Record<string, string>, out: string) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['TEAMS_APP_ID', 'TEAMS_MANIFEST_ID', 'PUBLIC_URL']) delete env[name];
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [SCRIPT, '--out', out],
        { cwd: ROOT, env: { ...env, ...vars } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  it('writes a zip with exactly the four files and the ids substituted', async () => {
    const out = join(dir, 'teams-app.zip');
    const result = await run(
      {
        TEAMS_APP_ID: TEST_BOT_ID,
        TEAMS_MANIFEST_ID: TEST_APP_ID,
        PUBLIC_URL: `https://${TEST_HOST}:8443/base/`,
      },
      out,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const entries = readZip(await readFile(out));
    expect([...entries.keys()].toSorted()).toEqual([
      'color.png',
      'en.json',
      'manifest.json',
      'outline.png',
    ]);

    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '') as Manifest;
    const pkg = await readJson<{ version: string }>(join(ROOT, 'package.json'));
    expect(manifest.id).toBe(TEST_APP_ID);
    expect(manifest.bots[0]?.botId).toBe(TEST_BOT_ID);
    expect(manifest.validDomains).toEqual([TEST_HOST]);
    expect(manifest.version).toBe(pkg.version);
    expect(JSON.stringify(manifest)).not.toContain('${{');

    const schema = await readJson<Schema>(
      join(SCHEMAS, `v${manifest.manifestVersion}`, 'MicrosoftTeams.schema.json'),
    );
    expect(
      await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest, schema),
    ).toEqual([]);

    for (const file of ['color.png', 'outline.png']) {
      expect(entries.get(file)?.equals(await readFile(join(TEAMS_DIR, file))), file).toBe(true);
    }
    expect(JSON.parse(entries.get('en.json')?.toString('utf8') ?? '')).toEqual(
      await readJson(join(TEAMS_DIR, 'en.json')),
    );
  });

  it('derives a stable Teams app id from TEAMS_APP_ID when TEAMS_MANIFEST_ID is unset', async () => {
    const out = join(dir, 'derived.zip');
    const result = await run(
      { TEAMS_APP_ID: TEST_BOT_ID, PUBLIC_URL: `https://${TEST_HOST}` },
      out,
    );
    expect(result.code).toBe(0);
    const manifest = JSON.parse(
      readZip(await readFile(out))
        .get('manifest.json')
        ?.toString('utf8') ?? '',
    ) as Manifest;
    expect(manifest.id).toBe(deriveTeamsAppId(TEST_BOT_ID));
    expect(manifest.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(manifest.id).not.toBe(TEST_BOT_ID);
    expect(deriveTeamsAppId(TEST_BOT_ID.toUpperCase())).toBe(manifest.id);
    expect(deriveTeamsAppId(TEST_APP_ID)).not.toBe(manifest.id);
  });

  it('fails with a clear message and writes nothing when TEAMS_APP_ID is missing', async () => {
    const out = join(dir, 'missing.zip');
    const result = await run({ PUBLIC_URL: `https://${TEST_HOST}` }, out);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('TEAMS_APP_ID is missing');
    expect(result.stderr).not.toContain('PUBLIC_URL');
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(existsSync(out)).toBe(false);
  });

  it('lists every missing or malformed variable at once', () => {
    const none = readPackageValues({}, '0.1.0');
    expect(none.ok).toBe(false);
    if (!none.ok) {
      expect(none.problems.join('\n')).toMatch(/TEAMS_APP_ID is missing/);
      expect(none.problems.join('\n')).toMatch(/PUBLIC_URL is missing/);
    }
    const bad = readPackageValues(
      { TEAMS_APP_ID: 'my-bot', TEAMS_MANIFEST_ID: '42', PUBLIC_URL: 'http://insecure.example.dk' },
      'one',
    );
    expect(bad.ok ? [] : bad.problems).toHaveLength(4);
    const good = readPackageValues(
      { TEAMS_APP_ID: TEST_BOT_ID.toUpperCase(), PUBLIC_URL: 'https://x.example.dk:8443/p' },
      '0.1.0',
    );
    expect(good).toEqual({
      ok: true,
      values: {
        TEAMS_MANIFEST_ID: deriveTeamsAppId(TEST_BOT_ID),
        BOT_ID: TEST_BOT_ID,
        PUBLIC_HOST: 'x.example.dk',
        APP_VERSION: '0.1.0',
      },
    });
  });
});

describe('store-only zip writer', () => {
  it('round-trips entries and is byte-for-byte reproducible', () => {
    const files = [
      { name: 'a.txt', data: Buffer.from('hello') },
      { name: 'empty', data: new Uint8Array(0) },
      { name: 'dir/æøå.json', data: Buffer.from('{"å":1}') },
    ];
    const zip = createZip(files);
    const entries = readZip(zip);
    expect([...entries.keys()]).toEqual(files.map((f) => f.name));
    for (const f of files) expect(entries.get(f.name)?.equals(Buffer.from(f.data))).toBe(true);
    expect(createZip(files).equals(zip)).toBe(true);
    expect(() => createZip([files[0] as (typeof files)[0], files[0] as (typeof files)[0]])).toThrow(
      /duplicate/,
    );
  });
});
