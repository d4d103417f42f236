/**
 * Pure calendar and time-zone helpers.
 *
 * Instants are epoch milliseconds (UTC). A "date" is an ISO calendar date
 * `YYYY-MM-DD` naming a day on the wall calendar of some IANA time zone.
 * `Date` is used only as a UTC calculator; time zone offsets are read with
 * `Intl.DateTimeFormat`. No clock is read and nothing is done at import time.
 */

import type { Lang } from './model.ts';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** One `Intl.DateTimeFormat` per time zone; building them is comparatively costly. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Epoch ms of a proleptic-Gregorian wall time read as UTC (years 0–99 kept literal). */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.setUTCHours(hour, minute, second, 0);
}

/** The wall clock in `timeZone` at `epochMs`, to the second. */
function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'minute':
      case 'second':
        w[part.type] = Number(part.value);
        break;
      case 'hour':
        // Some engines print midnight as 24 even with h23.
        w.hour = Number(part.value) % 24;
        break;
      default:
        break;
    }
  }
  return w;
}

/** Offset of `timeZone` from UTC at `epochMs`, in milliseconds (local − UTC). */
function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallTimeAt(epochMs, timeZone);
  const local = utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second);
  const truncated = epochMs - (((epochMs % 1000) + 1000) % 1000);
  return local - truncated;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function toIsoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

function parseIsoDate(date: string): { year: number; month: number; day: number } {
  const m = ISO_DATE.exec(date);
  if (m === null) throw new RangeError(`Not an ISO date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(utcMs(year, month, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() + 1 !== month || d.getUTCDate() !== day) {
    throw new RangeError(`Not a calendar date: ${JSON.stringify(date)}`);
  }
  return { year, month, day };
}

/** Epoch ms of 00:00 UTC on `date`; used for day arithmetic only. */
function dateToUtcMidnight(date: string): number {
  const { year, month, day } = parseIsoDate(date);
  return utcMs(year, month, day);
}

function utcMidnightToDate(ms: number): string {
  const d = new Date(ms);
  return toIsoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

function checkTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`Unknown time zone: ${JSON.stringify(timeZone)}`);
  }
}

/** True when `tz` is a time zone name that `Intl.DateTimeFormat` accepts (e.g. 'Europe/Copenhagen', 'UTC'). */
export function isValidTimeZone(tz: string): boolean {
  if (tz === '') return false;
  try {
    formatterFor(tz);
    return true;
  } catch {
    return false;
  }
}

/** True when `s` is strictly `YYYY-MM-DD` and names a real Gregorian calendar date. */
export function isIsoDate(s: string): boolean {
  try {
    parseIsoDate(s);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date `days` (whole days, may be negative) after `date`, as `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`);
  return utcMidnightToDate(dateToUtcMidnight(date) + days * MS_PER_DAY);
}

/** Whole calendar days from `from` to `to` (`to − from`; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dateToUtcMidnight(to) - dateToUtcMidnight(from)) / MS_PER_DAY);
}

/**
 * The instant (epoch ms) at which the wall clock in `timeZone` shows `date` at
 * `hour`:`minute` (0–23, 0–59). Resolves like Temporal's 'compatible'
 * disambiguation: a time inside a spring-forward gap is moved forward by the
 * gap length; a time repeated by a fall-back takes the earlier instant.
 */
export function zonedDateTimeToEpoch(
  date: string,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new RangeError(`hour must be an integer 0–23: ${hour}`);
  }
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new RangeError(`minute must be an integer 0–59: ${minute}`);
  }
  checkTimeZone(timeZone);
  const local = dateToUtcMidnight(date) + hour * 3_600_000 + minute * MS_PER_MINUTE;
  // The offsets in force a day either side; at most one transition lies between.
  const offsetBefore = offsetAt(local - MS_PER_DAY, timeZone);
  const offsetAfter = offsetAt(local + MS_PER_DAY, timeZone);
  const candidates = [local - offsetBefore, local - offsetAfter].filter(
    (t) => t + offsetAt(t, timeZone) === local,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // Gap: read the wall time with the offset from before the jump, which lands after it.
  return local - offsetBefore;
}

/** The wall-clock date (`YYYY-MM-DD`), hour (0–23) and minute (0–59) in `timeZone` at `epochMs`. */
export function epochToZonedParts(
  epochMs: number,
  timeZone: string,
): { date: string; hour: number; minute: number } {
  checkTimeZone(timeZone);
  const w = wallTimeAt(epochMs, timeZone);
  return { date: toIsoDate(w.year, w.month, w.day), hour: w.hour, minute: w.minute };
}

/** The wall-calendar date (`YYYY-MM-DD`) in `timeZone` at the instant `epochMs`. */
export function epochToZonedDate(epochMs: number, timeZone: string): string {
  return epochToZonedParts(epochMs, timeZone).date;
}

const MONTHS: Record<Lang, readonly string[]> = {
  da: [
    'januar',
    'februar',
    'marts',
    'april',
    'maj',
    'juni',
    'juli',
    'august',
    'september',
    'oktober',
    'november',
    'december',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/** A calendar date (`YYYY-MM-DD`) for people: da '23. november 2026', en '23 November 2026'. */
export function formatDate(date: string, lang: Lang): string {
  const { year, month, day } = parseIsoDate(date);
  const name = MONTHS[lang][month - 1] ?? String(month);
  return lang === 'da' ? `${day}. ${name} ${year}` : `${day} ${name} ${year}`;
}

/**
 * The instant `epochMs` as wall time in `timeZone`, to the minute:
 * da '23. november 2026 kl. 09.00', en '23 November 2026 at 09:00'.
 */
export function formatDateTime(epochMs: number, timeZone: string, lang: Lang): string {
  const { date, hour, minute } = epochToZonedParts(epochMs, timeZone);
  return lang === 'da'
    ? `${formatDate(date, lang)} kl. ${pad2(hour)}.${pad2(minute)}`
    : `${formatDate(date, lang)} at ${pad2(hour)}:${pad2(minute)}`;
}

/**
 * Reminder instants (epoch ms) for an item due on `due`: one `daysBefore`
 * whole days earlier (only when `daysBefore` > 0) and one on `due`, each at
 * `hour`:00 wall time in `timeZone`. Earliest first.
 */
export function reminderTimes(
  due: string,
  daysBefore: number,
  hour: number,
  timeZone: string,
): { daysBefore: number; at: number }[] {
  if (!Number.isInteger(daysBefore) || daysBefore < 0) {
    throw new RangeError(`daysBefore must be a non-negative integer: ${daysBefore}`);
  }
  const out: { daysBefore: number; at: number }[] = [];
  if (daysBefore > 0) {
    out.push({
      daysBefore,
      at: zonedDateTimeToEpoch(addDays(due, -daysBefore), hour, 0, timeZone),
    });
  }
  out.push({ daysBefore: 0, at: zonedDateTimeToEpoch(due, hour, 0, timeZone) });
  return out;
}
