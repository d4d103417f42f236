import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  epochToZonedDate,
  epochToZonedParts,
  formatDate,
  formatDateTime,
  isIsoDate,
  isValidTimeZone,
  reminderTimes,
  zonedDateTimeToEpoch,
} from '../../src/core/time.ts';

const CPH = 'Europe/Copenhagen';
const NYC = 'America/New_York';
const SYD = 'Australia/Sydney';

const utc = (iso: string): number => Date.parse(iso);

describe('isValidTimeZone', () => {
  it.each(['Europe/Copenhagen', 'UTC', 'America/New_York', 'Australia/Sydney'])(
    'accepts %s',
    (tz) => {
      expect(isValidTimeZone(tz)).toBe(true);
    },
  );
  it.each(['', 'Mars/Olympus', 'Europe/Copenhagenx'])('rejects %j', (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2026-01-05', true],
    ['2028-02-29', true],
    ['2000-02-29', true],
    ['2026-12-31', true],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-04-31', false],
    ['2026-01-00', false],
    ['2026-1-5', false],
    ['2026-01-05T00:00', false],
    [' 2026-01-05', false],
    ['', false],
  ])('%j → %s', (s, ok) => {
    expect(isIsoDate(s)).toBe(ok);
  });
});

describe('addDays', () => {
  it('crosses leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-02-29', 1)).toBe('2028-03-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-29', 365)).toBe('2029-02-28');
    expect(addDays('2028-02-29', 366)).toBe('2029-03-01');
  });
  it('crosses month and year ends, both ways', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-04-02', -7)).toBe('2026-03-26');
    expect(addDays('2026-03-15', 0)).toBe('2026-03-15');
    expect(addDays('0099-12-31', 1)).toBe('0100-01-01');
  });
  it('does not drift across DST (pure calendar arithmetic)', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
  });
  it('rejects bad input', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addDays('2026-02-01', 1.5)).toThrow(RangeError);
  });
});

describe('daysBetween', () => {
  it('counts whole calendar days', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2027-01-01', '2026-12-31')).toBe(-1);
    expect(daysBetween('2026-05-05', '2026-05-05')).toBe(0);
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2028-01-01', '2029-01-01')).toBe(366);
  });
  it('is the inverse of addDays', () => {
    for (const n of [-400, -31, -1, 0, 1, 29, 366, 1000]) {
      expect(daysBetween('2027-06-15', addDays('2027-06-15', n))).toBe(n);
    }
  });
});

describe('zonedDateTimeToEpoch', () => {
  it('applies summer and winter offsets', () => {
    expect(zonedDateTimeToEpoch('2026-07-01', 9, 0, CPH)).toBe(utc('2026-07-01T07:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-01-15', 9, 0, CPH)).toBe(utc('2026-01-15T08:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-01-15', 9, 0, 'UTC')).toBe(utc('2026-01-15T09:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-01-15', 9, 0, NYC)).toBe(utc('2026-01-15T14:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-07-01', 9, 0, NYC)).toBe(utc('2026-07-01T13:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-01-15', 9, 0, 'Asia/Kolkata')).toBe(
      utc('2026-01-15T03:30:00Z'),
    );
  });

  it('handles midnight and late evening across the UTC date line', () => {
    expect(zonedDateTimeToEpoch('2026-01-01', 0, 0, CPH)).toBe(utc('2025-12-31T23:00:00Z'));
    expect(zonedDateTimeToEpoch('2026-12-31', 23, 59, NYC)).toBe(utc('2027-01-01T04:59:00Z'));
  });

  describe('Europe/Copenhagen spring forward (2026-03-29, 02:00 CET → 03:00 CEST)', () => {
    it('maps times either side of the gap normally', () => {
      expect(zonedDateTimeToEpoch('2026-03-29', 1, 59, CPH)).toBe(utc('2026-03-29T00:59:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-29', 3, 0, CPH)).toBe(utc('2026-03-29T01:00:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-29', 9, 0, CPH)).toBe(utc('2026-03-29T07:00:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-28', 9, 0, CPH)).toBe(utc('2026-03-28T08:00:00Z'));
    });
    it('moves non-existent times forward by the gap', () => {
      expect(zonedDateTimeToEpoch('2026-03-29', 2, 30, CPH)).toBe(utc('2026-03-29T01:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-29', 2, 0, CPH)).toBe(utc('2026-03-29T01:00:00Z'));
      expect(epochToZonedParts(zonedDateTimeToEpoch('2026-03-29', 2, 30, CPH), CPH)).toEqual({
        date: '2026-03-29',
        hour: 3,
        minute: 30,
      });
    });
  });

  describe('Europe/Copenhagen fall back (2026-10-25, 03:00 CEST → 02:00 CET)', () => {
    it('takes the earlier instant for repeated times', () => {
      expect(zonedDateTimeToEpoch('2026-10-25', 2, 30, CPH)).toBe(utc('2026-10-25T00:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-25', 2, 0, CPH)).toBe(utc('2026-10-25T00:00:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-25', 2, 59, CPH)).toBe(utc('2026-10-25T00:59:00Z'));
    });
    it('maps times either side normally', () => {
      expect(zonedDateTimeToEpoch('2026-10-25', 1, 59, CPH)).toBe(utc('2026-10-24T23:59:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-25', 3, 0, CPH)).toBe(utc('2026-10-25T02:00:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-25', 9, 0, CPH)).toBe(utc('2026-10-25T08:00:00Z'));
    });
    it('reads both occurrences back as the same wall time', () => {
      const wall = { date: '2026-10-25', hour: 2, minute: 30 };
      expect(epochToZonedParts(utc('2026-10-25T00:30:00Z'), CPH)).toEqual(wall);
      expect(epochToZonedParts(utc('2026-10-25T01:30:00Z'), CPH)).toEqual(wall);
    });
  });

  describe('America/New_York (2026-03-08 and 2026-11-01)', () => {
    it('spring forward gap', () => {
      expect(zonedDateTimeToEpoch('2026-03-08', 1, 59, NYC)).toBe(utc('2026-03-08T06:59:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-08', 2, 30, NYC)).toBe(utc('2026-03-08T07:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-03-08', 3, 0, NYC)).toBe(utc('2026-03-08T07:00:00Z'));
    });
    it('fall back ambiguity takes EDT', () => {
      expect(zonedDateTimeToEpoch('2026-11-01', 0, 59, NYC)).toBe(utc('2026-11-01T04:59:00Z'));
      expect(zonedDateTimeToEpoch('2026-11-01', 1, 30, NYC)).toBe(utc('2026-11-01T05:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-11-01', 2, 0, NYC)).toBe(utc('2026-11-01T07:00:00Z'));
      expect(epochToZonedParts(utc('2026-11-01T06:30:00Z'), NYC)).toEqual({
        date: '2026-11-01',
        hour: 1,
        minute: 30,
      });
    });
  });

  describe('Australia/Sydney (southern hemisphere)', () => {
    it('is on AEDT (+11) in January and AEST (+10) in July', () => {
      expect(zonedDateTimeToEpoch('2026-01-15', 9, 0, SYD)).toBe(utc('2026-01-14T22:00:00Z'));
      expect(zonedDateTimeToEpoch('2026-07-01', 9, 0, SYD)).toBe(utc('2026-06-30T23:00:00Z'));
    });
    it('fall back in April takes the earlier (AEDT) instant', () => {
      expect(zonedDateTimeToEpoch('2026-04-05', 2, 30, SYD)).toBe(utc('2026-04-04T15:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-04-05', 3, 0, SYD)).toBe(utc('2026-04-04T17:00:00Z'));
    });
    it('spring forward in October skips the gap', () => {
      expect(zonedDateTimeToEpoch('2026-10-04', 1, 59, SYD)).toBe(utc('2026-10-03T15:59:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-04', 2, 30, SYD)).toBe(utc('2026-10-03T16:30:00Z'));
      expect(zonedDateTimeToEpoch('2026-10-04', 3, 0, SYD)).toBe(utc('2026-10-03T16:00:00Z'));
    });
  });

  it('rejects bad input', () => {
    expect(() => zonedDateTimeToEpoch('2026-02-30', 9, 0, CPH)).toThrow(RangeError);
    expect(() => zonedDateTimeToEpoch('2026-02-01', 24, 0, CPH)).toThrow(RangeError);
    expect(() => zonedDateTimeToEpoch('2026-02-01', 9, 60, CPH)).toThrow(RangeError);
    expect(() => zonedDateTimeToEpoch('2026-02-01', 9, 0, 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('epochToZonedDate / epochToZonedParts', () => {
  it('gives the local calendar date', () => {
    const x = utc('2026-12-31T23:30:00Z');
    expect(epochToZonedDate(x, CPH)).toBe('2027-01-01');
    expect(epochToZonedDate(x, NYC)).toBe('2026-12-31');
    expect(epochToZonedDate(x, 'UTC')).toBe('2026-12-31');
    expect(epochToZonedDate(x, SYD)).toBe('2027-01-01');
  });
  it('gives local hour and minute, midnight as 0', () => {
    expect(epochToZonedParts(utc('2026-11-22T23:00:00Z'), CPH)).toEqual({
      date: '2026-11-23',
      hour: 0,
      minute: 0,
    });
    expect(epochToZonedParts(utc('2026-07-01T07:05:59.999Z'), CPH)).toEqual({
      date: '2026-07-01',
      hour: 9,
      minute: 5,
    });
  });
});

describe('formatDate / formatDateTime', () => {
  it('formats dates in both languages', () => {
    expect(formatDate('2026-11-23', 'da')).toBe('23. november 2026');
    expect(formatDate('2026-11-23', 'en')).toBe('23 November 2026');
    expect(formatDate('2026-03-01', 'da')).toBe('1. marts 2026');
    expect(formatDate('2026-05-09', 'en')).toBe('9 May 2026');
  });
  it('formats local wall time', () => {
    const at = zonedDateTimeToEpoch('2026-11-23', 9, 0, CPH);
    expect(formatDateTime(at, CPH, 'da')).toBe('23. november 2026 kl. 09.00');
    expect(formatDateTime(at, CPH, 'en')).toBe('23 November 2026 at 09:00');
    expect(formatDateTime(utc('2026-11-22T23:30:00Z'), CPH, 'da')).toBe(
      '23. november 2026 kl. 00.30',
    );
    expect(formatDateTime(utc('2026-11-22T23:30:00Z'), NYC, 'en')).toBe(
      '22 November 2026 at 18:30',
    );
  });
});

describe('reminderTimes', () => {
  it('keeps 09:00 local on both sides of the spring DST change', () => {
    const r = reminderTimes('2026-04-02', 7, 9, CPH);
    expect(r).toEqual([
      { daysBefore: 7, at: utc('2026-03-26T08:00:00Z') },
      { daysBefore: 0, at: utc('2026-04-02T07:00:00Z') },
    ]);
    for (const { at } of r) {
      expect(epochToZonedParts(at, CPH)).toMatchObject({ hour: 9, minute: 0 });
    }
  });
  it('keeps 09:00 local across the autumn DST change', () => {
    expect(reminderTimes('2026-10-28', 7, 9, CPH)).toEqual([
      { daysBefore: 7, at: utc('2026-10-21T07:00:00Z') },
      { daysBefore: 0, at: utc('2026-10-28T08:00:00Z') },
    ]);
  });
  it('gives only the due-date reminder when daysBefore is 0', () => {
    expect(reminderTimes('2026-04-02', 0, 9, CPH)).toEqual([
      { daysBefore: 0, at: utc('2026-04-02T07:00:00Z') },
    ]);
  });
  it('is earliest first', () => {
    const [a, b] = reminderTimes('2026-01-02', 3, 8, SYD);
    expect(a?.at).toBeLessThan(b?.at ?? 0);
    expect(epochToZonedDate(a?.at ?? 0, SYD)).toBe('2025-12-30');
  });
});

describe('round trip (seeded pseudo-random instants)', () => {
  /** Tiny 32-bit LCG (Numerical Recipes constants); returns floats in [0, 1). */
  function lcg(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  const zones = [
    CPH,
    NYC,
    SYD,
    'UTC',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'America/St_Johns',
    'Australia/Lord_Howe',
    'Pacific/Auckland',
    'America/Sao_Paulo',
  ];
  const from = utc('1995-01-01T00:00:00Z');
  const to = utc('2045-01-01T00:00:00Z');

  it.each(zones)('%s: wall time → instant → wall time', (tz) => {
    const rand = lcg(0x5eed + tz.length * 7919);
    let ambiguous = 0;
    for (let i = 0; i < 300; i++) {
      const x = from + Math.floor(rand() * (to - from));
      const minute = x - (x % 60_000);
      const parts = epochToZonedParts(x, tz);
      const back = zonedDateTimeToEpoch(parts.date, parts.hour, parts.minute, tz);
      if (back !== minute) {
        // Only allowed inside a fall-back repeat: the earlier occurrence of the same wall time.
        expect(back).toBeLessThan(minute);
        expect(epochToZonedParts(back, tz)).toEqual(parts);
        ambiguous++;
      }
    }
    expect(ambiguous).toBeLessThan(5);
  });

  it('every hour around each 2026 transition resolves to that hour or just after the gap', () => {
    for (const [tz, dates] of [
      [CPH, ['2026-03-29', '2026-10-25']],
      [NYC, ['2026-03-08', '2026-11-01']],
      [SYD, ['2026-04-05', '2026-10-04']],
    ] as const) {
      for (const date of dates) {
        for (let h = 0; h < 24; h++) {
          for (const m of [0, 30]) {
            const got = epochToZonedParts(zonedDateTimeToEpoch(date, h, m, tz), tz);
            expect(got.date).toBe(date);
            expect(got.minute).toBe(m);
            expect([h, h + 1]).toContain(got.hour);
          }
        }
      }
    }
  });
});
