/** Pictures and files made from a round: måloversigt (SVG/PNG), CSV, minutes, calendar, QR. */
export { summaryCsv } from './csv.ts';
export { planIcs } from './ics.ts';
export { maaloversigtSvg } from './maaloversigt-svg.ts';
export { minutesMarkdown } from './minutes.ts';
export { svgToPng } from './png.ts';
export { qrSvg } from './qr.ts';
