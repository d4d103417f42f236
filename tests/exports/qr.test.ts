import { describe, expect, it } from 'vitest';
import { qrSvg } from '../../src/channels/web/exports/index.ts';
import { writeArtifact } from './round.ts';
import { xmlProblems } from './xml.ts';

describe('qrSvg', () => {
  it('draws the join link as an SVG QR code', async () => {
    const url = 'http://localhost:3978/j/Zk3-9xQ?lang=da&x="<>"';
    const svg = await qrSvg(url);
    writeArtifact('join-qr.svg', svg);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<path[^>]* d="M/);
    expect(xmlProblems(svg.trim())).toEqual([]);
    expect(svg).not.toContain(url);
    expect(await qrSvg(url)).toBe(svg);
    // Square: the modules plus a margin of 2 on each side.
    expect(svg).toMatch(/viewBox="0 0 (\d+) \1"/);
  });
});
