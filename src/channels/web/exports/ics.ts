import { t } from '../../../core/i18n/index.ts';
import { addDays, reminderTimes } from '../../../core/time.ts';
import { langOf, type ViewInput } from '../../../core/views/input.ts';
import { planItemView, reminderView } from '../../../core/views/plan.ts';

/**
 * The follow-up plan as an iCalendar file (RFC 5545): one all-day event per
 * item not yet done, on its due date, with an alarm at each instant the bot
 * itself will remind (so a calendar and the bot agree, DST included).
 */

const CRLF = '\r\n';
const MAX_OCTETS = 75;

/** TEXT value escaping: backslash, semicolon, comma, newline. Other control characters are dropped. */
export function icsText(text: string): string {
  return (
    text
      .replace(/[\\;,]/g, '\\$&')
      .replace(/\r\n|\r|\n/g, '\\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
  );
}

/**
 * Folds a content line to at most 75 octets per physical line (RFC 5545 §3.1):
 * continuation lines start with one space; a UTF-8 sequence is never split.
 */
export function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}

/** `YYYYMMDD` of an ISO date. */
const icsDate = (iso: string) => iso.replaceAll('-', '');

/** `YYYYMMDDTHHMMSSZ` of an instant. */
export function icsUtc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** A URI value: no line breaks or other control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
const icsUri = (uri: string) => uri.replace(/[\u0000-\u001f\u007f\s]/g, '');

/**
 * `publicUrl` is the base of the round's summary page (`/s/<round>`) each event
 * links to; null leaves the link out (a round whose people have no web page).
 */
export function planIcs(input: ViewInput, publicUrl: string | null): string {
  const lang = langOf(input);
  const { state, deck } = input;
  const { reminderDaysBefore, reminderHour, timeZone } = state.settings;
  const roundUrl =
    publicUrl === null
      ? null
      : `${publicUrl.replace(/\/+$/, '')}/s/${encodeURIComponent(state.id)}`;
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:-//dialogrunde//dialogrunde//${lang.toUpperCase()}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(`${t(lang, 'plan.title')} – ${deck.title[lang]}`)}`,
  ];
  for (const item of state.plan) {
    if (item.status === 'done') continue;
    const view = planItemView(input, item);
    const description = [
      `${t(lang, 'plan.goal')} ${view.goal}`,
      `${t(lang, 'plan.actions')} ${view.actions}`,
      `${t(lang, 'plan.owner')} ${view.owner}`,
      ...(view.link ? [`${t(lang, 'plan.link')}: ${view.link}`] : []),
      ...(view.status === 'blocked' ? [view.statusLabel] : []),
      ...(view.postponed ? [view.postponed] : []),
    ].join('\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${icsText(`${state.id}.${item.id}@dialogrunde`)}`,
      `DTSTAMP:${icsUtc(input.now)}`,
      `LAST-MODIFIED:${icsUtc(item.updatedAt)}`,
      `DTSTART;VALUE=DATE:${icsDate(item.due)}`,
      `DTEND;VALUE=DATE:${icsDate(addDays(item.due, 1))}`,
      `SUMMARY:${icsText(view.what)}`,
      `DESCRIPTION:${icsText(description)}`,
      ...(roundUrl === null ? [] : [`URL:${icsUri(roundUrl)}`]),
      'TRANSP:TRANSPARENT',
    );
    for (const reminder of reminderTimes(item.due, reminderDaysBefore, reminderHour, timeZone)) {
      const text = reminderView(input, item.id, reminder.daysBefore)?.text ?? view.what;
      lines.push(
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        `DESCRIPTION:${icsText(text)}`,
        `TRIGGER;VALUE=DATE-TIME:${icsUtc(reminder.at)}`,
        'END:VALARM',
      );
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join(CRLF)}${CRLF}`;
}
