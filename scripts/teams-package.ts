/**
 * Builds the Teams app package (`dist/teams-app.zip`) from `manifest/teams/`.
 *
 * Usage: npm run teams:package [-- --out path/to/teams-app.zip]
 *
 * Environment:
 *   TEAMS_APP_ID       required: the Microsoft Entra (Azure) app id of the bot registration
 *   PUBLIC_URL    required: the bot's public https URL; its host goes into validDomains
 *   TEAMS_MANIFEST_ID  optional: the Teams app id (GUID); default: a stable GUID derived from TEAMS_APP_ID
 *
 * The committed manifest holds `${{NAME}}` placeholders; they are replaced in
 * its string values, the result is validated offline against the schema that
 * `@microsoft/app-manifest` bundles, and the zip gets manifest.json, the
 * localisation files and the two icons at its root.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type AppManifest, AppManifestUtils } from '@microsoft/app-manifest';
import { createZip, type ZipEntry } from './zip.ts';

const ROOT = join(import.meta.dirname, '..');
export const TEAMS_DIR = join(ROOT, 'manifest', 'teams');
export const DEFAULT_OUT = join(ROOT, 'dist', 'teams-app.zip');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const PLACEHOLDER = /\$\{\{([A-Z0-9_]+)\}\}/g;
/** Namespace for deriving the Teams app id from the bot id (UUID v5); never change it. */
const APP_ID_NAMESPACE = 'd6024a29-5617-4dcf-9874-ab7d15801d4a';

/** The values that replace the manifest's `${{NAME}}` placeholders. */
export interface PackageValues {
  TEAMS_MANIFEST_ID: string;
  BOT_ID: string;
  PUBLIC_HOST: string;
  APP_VERSION: string;
}

type Schema = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A name-based (version 5) UUID, RFC 9562. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The default Teams app id: the same bot id always gives the same app id. */
export function deriveTeamsAppId(botId: string): string {
  return uuidV5(`dialogrunde/teams-app/${botId.toLowerCase()}`, APP_ID_NAMESPACE);
}

/**
 * Reads the package values from the environment. Returns every problem at
 * once (missing and malformed variables) rather than the first.
 */
export function readPackageValues(
  env: NodeJS.ProcessEnv,
  appVersion: string,
): { ok: true; values: PackageValues } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const botId = env.TEAMS_APP_ID?.trim() ?? '';
  if (botId === '') {
    problems.push('TEAMS_APP_ID is missing: the Microsoft Entra (Azure) app id of the bot, a GUID');
  } else if (!GUID.test(botId)) {
    problems.push(`TEAMS_APP_ID must be a GUID such as 00000000-0000-0000-0000-000000000000`);
  }

  const publicUrl = env.PUBLIC_URL?.trim() ?? '';
  let publicHost = '';
  if (publicUrl === '') {
    problems.push(
      'PUBLIC_URL is missing: the public https URL of the bot (e.g. the dev tunnel), for validDomains',
    );
  } else {
    const url = URL.parse(publicUrl);
    if (url === null || url.protocol !== 'https:') {
      problems.push('PUBLIC_URL must be an https:// URL such as https://dialog.example.dk');
    } else {
      publicHost = url.hostname;
    }
  }

  const teamsAppId = env.TEAMS_MANIFEST_ID?.trim() ?? '';
  if (teamsAppId !== '' && !GUID.test(teamsAppId)) {
    problems.push('TEAMS_MANIFEST_ID must be a GUID (or unset, to derive it from TEAMS_APP_ID)');
  }
  if (!SEMVER.test(appVersion)) {
    problems.push(`package.json version "${appVersion}" is not a semantic version`);
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    values: {
      TEAMS_MANIFEST_ID: (teamsAppId || deriveTeamsAppId(botId)).toLowerCase(),
      BOT_ID: botId.toLowerCase(),
      PUBLIC_HOST: publicHost,
      APP_VERSION: appVersion,
    },
  };
}

/**
 * Replaces `${{NAME}}` in every string value of a parsed JSON document.
 * Throws on a placeholder that has no value.
 */
export function substitute(doc: Json, values: Readonly<Record<string, string>>): Json {
  if (typeof doc === 'string') {
    return doc.replace(PLACEHOLDER, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`manifest placeholder \${{${name}}} has no value`);
      return value;
    });
  }
  if (Array.isArray(doc)) return doc.map((item) => substitute(item, values));
  if (doc !== null && typeof doc === 'object') {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, substitute(v, values)]));
  }
  return doc;
}

/** Path of a schema file that `@microsoft/app-manifest` bundles, for offline validation. */
export function bundledSchemaPath(manifestVersion: string, file: string): string {
  const pkg = createRequire(import.meta.url).resolve('@microsoft/app-manifest/package.json');
  const path = join(dirname(pkg), 'build', 'json-schemas', 'teams', `v${manifestVersion}`, file);
  if (!existsSync(path)) {
    throw new Error(
      `@microsoft/app-manifest bundles no ${file} for manifest version ${manifestVersion}`,
    );
  }
  return path;
}

async function loadSchema(manifestVersion: string, file: string): Promise<Schema> {
  return JSON.parse(await readFile(bundledSchemaPath(manifestVersion, file), 'utf8')) as Schema;
}

/** Validates a Teams manifest against its version's bundled schema (no network). */
export async function validateManifest(manifest: unknown): Promise<string[]> {
  const version = (manifest as { manifestVersion?: unknown }).manifestVersion;
  if (typeof version !== 'string') return ['manifestVersion is missing'];
  const schema = await loadSchema(version, 'MicrosoftTeams.schema.json');
  return AppManifestUtils.validateAgainstSchema(manifest as AppManifest, schema);
}

/**
 * The bundled localisation schemas carry two patterns with a lone `]`
 * (`…\\b]\\.description$`), which Ajv rejects because it compiles patterns with
 * the `u` flag. Escaping that `]` keeps the meaning (outside the `u` flag a
 * lone `]` is a literal). Any other pattern that does not compile is an error.
 */
function unicodeSafePatterns(node: unknown): unknown {
  const fix = (pattern: string): string => {
    const fixed = pattern.replaceAll('\\b]', '\\b\\]');
    new RegExp(fixed, 'u'); // throws on a pattern we cannot repair
    return fixed;
  };
  if (Array.isArray(node)) return node.map(unicodeSafePatterns);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === 'pattern' && typeof value === 'string') return [key, fix(value)];
      if (key === 'patternProperties' && value !== null && typeof value === 'object') {
        const entries = Object.entries(value).map(([p, v]) => [fix(p), unicodeSafePatterns(v)]);
        return [key, Object.fromEntries(entries)];
      }
      return [key, unicodeSafePatterns(value)];
    }),
  );
}

/** Validates a localisation file against the bundled localisation schema (no network). */
export async function validateLocalization(
  file: unknown,
  manifestVersion: string,
): Promise<string[]> {
  const schema = await loadSchema(manifestVersion, 'MicrosoftTeams.Localization.schema.json');
  return AppManifestUtils.validateAgainstSchema(
    file as AppManifest,
    unicodeSafePatterns(schema) as Schema,
  );
}

/** Width and height from a PNG's IHDR chunk; throws if it is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const signature = '89504e470d0a1a0a';
  if (buf.length < 24 || buf.subarray(0, 8).toString('hex') !== signature) {
    throw new Error('not a PNG file');
  }
  if (buf.subarray(12, 16).toString('latin1') !== 'IHDR') throw new Error('PNG without IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Resolves a localisation key such as `bots[0].commandLists[1].commands[2].title`. */
function lookup(doc: Json, key: string): Json | undefined {
  let node: Json | undefined = doc;
  for (const part of key.split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (match === null || node === null || typeof node !== 'object' || Array.isArray(node)) {
      return undefined;
    }
    node = node[match[1] ?? ''];
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(node)) return undefined;
      node = node[Number(index[1])];
    }
  }
  return node;
}

interface ManifestShape {
  manifestVersion: string;
  icons: { color: string; outline: string };
  localizationInfo?: {
    defaultLanguageFile?: string;
    additionalLanguages?: { languageTag: string; file: string }[];
  };
}

/** Builds the zip for the given values; throws with every validation problem found. */
export async function buildTeamsPackage(
  values: PackageValues,
  teamsDir = TEAMS_DIR,
): Promise<{ zip: Buffer; manifest: Json; entries: string[] }> {
  const template = JSON.parse(await readFile(join(teamsDir, 'manifest.json'), 'utf8')) as Json;
  const manifest = substitute(template, { ...values });
  const shape = manifest as unknown as ManifestShape;
  const problems = (await validateManifest(manifest)).map((p) => `manifest.json: ${p}`);

  const files: ZipEntry[] = [
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
  ];
  const localizationFiles = [
    ...(shape.localizationInfo?.defaultLanguageFile
      ? [shape.localizationInfo.defaultLanguageFile]
      : []),
    ...(shape.localizationInfo?.additionalLanguages ?? []).map((l) => l.file),
  ];
  for (const name of localizationFiles) {
    const loc = JSON.parse(await readFile(join(teamsDir, name), 'utf8')) as Json;
    for (const p of await validateLocalization(loc, shape.manifestVersion)) {
      problems.push(`${name}: ${p}`);
    }
    for (const key of Object.keys(loc as object)) {
      if (key === '$schema' || key === 'localizationKeys') continue;
      if (typeof lookup(manifest, key) !== 'string') {
        problems.push(`${name}: "${key}" names no string in manifest.json`);
      }
    }
    files.push({ name, data: Buffer.from(`${JSON.stringify(loc, null, 2)}\n`) });
  }

  for (const [name, size] of [
    [shape.icons.color, 192],
    [shape.icons.outline, 32],
  ] as const) {
    const png = await readFile(join(teamsDir, name));
    const actual = pngSize(png);
    if (actual.width !== size || actual.height !== size) {
      problems.push(`${name}: must be ${size}×${size}, is ${actual.width}×${actual.height}`);
    }
    files.push({ name, data: png });
  }

  if (problems.length > 0) {
    throw new Error(`the Teams manifest is not valid:\n  - ${problems.join('\n  - ')}`);
  }
  return { zip: createZip(files), manifest, entries: files.map((f) => f.name) };
}

async function main(argv: string[]): Promise<number> {
  const { values: args } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
  const out = resolve(args.out ?? DEFAULT_OUT);
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const read = readPackageValues(process.env, pkg.version);
  if (!read.ok) {
    console.error(
      `teams:package: cannot build the Teams app package:\n  - ${read.problems.join('\n  - ')}`,
    );
    return 1;
  }
  try {
    const built = await buildTeamsPackage(read.values);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, built.zip);
    console.log(
      `teams:package: wrote ${relative(process.cwd(), out) || out} (${built.entries.join(', ')})\n` +
        `  Teams app id ${read.values.TEAMS_MANIFEST_ID}, bot id ${read.values.BOT_ID}, ` +
        `valid domain ${read.values.PUBLIC_HOST}, version ${read.values.APP_VERSION}`,
    );
    return 0;
  } catch (error) {
    console.error(`teams:package: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
