import { Resvg } from '@resvg/resvg-js';

/** Width of the PNG chat channels post; the SVG scales to it. */
export const PNG_WIDTH = 1600;

/**
 * Fallback when none of the SVG's font families is installed. resvg draws no
 * text at all without a font: the machine needs one (Debian: fonts-dejavu-core,
 * which `.ci/run` installs).
 */
const DEFAULT_FONT = 'DejaVu Sans';

/** Renders an SVG (the måloversigt) to PNG with the system's fonts. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'width', value: PNG_WIDTH },
    background: '#ffffff',
    font: {
      loadSystemFonts: true,
      defaultFontFamily: DEFAULT_FONT,
      sansSerifFamily: DEFAULT_FONT,
    },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
