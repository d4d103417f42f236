/**
 * Renders the Teams app icons from their SVG sources:
 *   manifest/teams/color.svg   → color.png   192×192 (full colour)
 *   manifest/teams/outline.svg → outline.png  32×32  (white on transparent)
 *
 * Usage: node scripts/teams-icons.ts
 * The PNGs are committed; run this again after changing an SVG.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

export const TEAMS_DIR = join(import.meta.dirname, '..', 'manifest', 'teams');

export const ICONS = [
  { svg: 'color.svg', png: 'color.png', size: 192 },
  { svg: 'outline.svg', png: 'outline.png', size: 32 },
] as const;

/** Renders one SVG to a square PNG of `size` pixels, with a transparent background. */
export function renderIcon(svg: string, size: number): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: size },
    font: { loadSystemFonts: false },
  });
  const rendered = resvg.render();
  if (rendered.width !== size || rendered.height !== size) {
    throw new Error(`expected ${size}×${size}, got ${rendered.width}×${rendered.height}`);
  }
  return rendered.asPng();
}

async function main(): Promise<void> {
  for (const icon of ICONS) {
    const svg = await readFile(join(TEAMS_DIR, icon.svg), 'utf8');
    const png = renderIcon(svg, icon.size);
    await writeFile(join(TEAMS_DIR, icon.png), png);
    console.log(`${icon.png}: ${icon.size}×${icon.size}, ${png.length} bytes`);
  }
}

if (import.meta.main) await main();
