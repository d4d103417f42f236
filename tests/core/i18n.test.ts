import { describe, expect, it } from 'vitest';
import { type DomainError, ERROR_CODES, type ErrorCode } from '../../src/core/errors.ts';
import { da } from '../../src/core/i18n/da.ts';
import { en } from '../../src/core/i18n/en.ts';
import {
  catalogs,
  errorMessage,
  formatList,
  formatNumber,
  type MessageKey,
  t,
} from '../../src/core/i18n/index.ts';
import { LANGS } from '../../src/core/model.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** The params the core passes with each refusal (see `fail(...)` calls in src/core). */
const ERROR_PARAMS: Partial<Record<ErrorCode, Record<string, string | number>>> = {
  too_many_priorities: { max: 3 },
  text_too_long: { max: 500 },
  custom_card_limit: { max: 9 },
  plan_limit: { max: 20 },
  invalid_settings: { field: 'reminderHour' },
  invalid_time_zone: { timeZone: 'Mars/Olympus' },
  threshold_too_low: { min: 3 },
  deck_not_found: { deck: 'mit-dæk' },
  // Passed by the core but not shown in the message; must not break it.
  area_not_found: { area: 'udvikling' },
  card_not_found: { card: 'mentorordninger' },
  mission_not_found: { mission: 'ledere' },
  invalid_date: { date: '2026-13-01' },
  wrong_step: { step: 'rating' },
};

describe('catalogs', () => {
  it('da and en have exactly the same keys', () => {
    const daKeys = Object.keys(da).sort();
    const enKeys = Object.keys(en).sort();
    const onlyDa = daKeys.filter((k) => !(k in en));
    const onlyEn = enKeys.filter((k) => !(k in da));
    expect({ onlyDa, onlyEn }).toEqual({ onlyDa: [], onlyEn: [] });
    expect(enKeys).toEqual(daKeys);
  });

  it('every error code has a message in both languages', () => {
    const missing = LANGS.flatMap((lang) =>
      ERROR_CODES.filter((code) => !(`error.${code}` in catalogs[lang])).map(
        (code) => `${lang}: error.${code}`,
      ),
    );
    expect(missing).toEqual([]);
  });

  it('has no error message for a code that does not exist', () => {
    const known = new Set<string>([...ERROR_CODES, 'title', 'unexpected', 'unavailable']);
    const stray = Object.keys(da)
      .filter((k) => k.startsWith('error.'))
      .map((k) => k.slice('error.'.length))
      .filter((code) => !known.has(code));
    expect(stray).toEqual([]);
  });

  it('both languages use the same {placeholders} for each key', () => {
    const differ = (Object.keys(da) as MessageKey[])
      .filter((key) => placeholders(da[key]).join() !== placeholders(en[key]).join())
      .map((key) => `${key}: da {${placeholders(da[key])}} en {${placeholders(en[key])}}`);
    expect(differ).toEqual([]);
  });

  it('has no empty or padded messages', () => {
    const bad = LANGS.flatMap((lang) =>
      Object.entries(catalogs[lang])
        .filter(([, text]) => text.trim() === '' || text !== text.trim())
        .map(([key]) => `${lang}: ${key}`),
    );
    expect(bad).toEqual([]);
  });

  it('placeholders are well-formed: no stray braces', () => {
    const bad = LANGS.flatMap((lang) =>
      Object.entries(catalogs[lang])
        .filter(([, text]) => /[{}]/.test(text.replace(/\{\w+\}/g, '')))
        .map(([key]) => `${lang}: ${key}`),
    );
    expect(bad).toEqual([]);
  });
});

describe('t', () => {
  it('fills placeholders', () => {
    expect(t('da', 'step.counter', { n: 4, total: 7 })).toBe('Trin 4 af 7');
    expect(t('en', 'step.counter', { n: 4, total: 7 })).toBe('Step 4 of 7');
    expect(t('da', 'progress.voted', { n: 3, m: 7 })).toBe('3 af 7 har stemt');
    expect(t('en', 'result.stats', { mean: '3.4', median: 3, n: 8 })).toBe(
      'Mean 3.4 · median 3 · 8 rated',
    );
  });

  it('fills the same placeholder twice and ignores extra params', () => {
    expect(t('da', 'scope.chosen', { scope: 'Alle', extra: 'x' })).toBe('Omfang: Alle');
  });

  it('leaves a missing value visible instead of printing "undefined"', () => {
    expect(t('da', 'step.counter', { n: 1 })).toBe('Trin 1 af {total}');
    expect(t('en', 'step.counter')).toBe('Step {n} of {total}');
  });

  it('does not treat "$" in a value as a replacement pattern', () => {
    expect(t('en', 'reminder.owner', { owner: '$& $1 Ann' })).toBe('Responsible: $& $1 Ann');
  });

  it('returns messages without placeholders as they are', () => {
    expect(t('da', 'app.name')).toBe('Dialogrunde');
    expect(t('en', 'round.paused')).toBe('The round is paused.');
  });
});

describe('errorMessage', () => {
  for (const lang of LANGS) {
    it(`gives a complete message for every code in ${lang}`, () => {
      const problems: string[] = [];
      for (const code of ERROR_CODES) {
        const params = ERROR_PARAMS[code];
        const error: DomainError = params ? { code, params } : { code };
        const message = errorMessage(lang, error);
        if (message.trim() === '') problems.push(`${code}: empty`);
        if (/\{\w+\}/.test(message)) problems.push(`${code}: unfilled in "${message}"`);
      }
      expect(problems).toEqual([]);
    });
  }

  it('shows the params the core passes', () => {
    expect(errorMessage('da', { code: 'too_many_priorities', params: { max: 3 } })).toBe(
      'Du kan højst vælge 3 indsatser.',
    );
    expect(errorMessage('en', { code: 'threshold_too_low', params: { min: 3 } })).toBe(
      'The anonymity threshold must be at least 3.',
    );
    expect(errorMessage('da', { code: 'deck_not_found', params: { deck: 'x' } })).toContain('«x»');
    expect(
      errorMessage('en', { code: 'invalid_time_zone', params: { timeZone: 'Mars/Olympus' } }),
    ).toContain('“Mars/Olympus”');
  });

  it('every placeholder of an error message is a param the core passes', () => {
    const missing = ERROR_CODES.flatMap((code) =>
      placeholders(da[`error.${code}`])
        .filter((name) => name !== undefined && !(name in (ERROR_PARAMS[code] ?? {})))
        .map((name) => `${code}: {${name}}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('formatNumber', () => {
  it('uses a decimal comma in Danish and a point in English', () => {
    expect(formatNumber('da', 2.5)).toBe('2,5');
    expect(formatNumber('en', 2.5)).toBe('2.5');
    expect(formatNumber('da', 7 / 3)).toBe('2,3');
    expect(formatNumber('en', 7 / 3)).toBe('2.3');
  });

  it('rounds like Number#toFixed: 3.45 is stored as 3.4500000000000002 and becomes 3,5', () => {
    expect((3.45).toFixed(1)).toBe('3.5');
    expect(formatNumber('da', 3.45)).toBe('3,5');
    expect(formatNumber('en', 3.45)).toBe('3.5');
    // 3.25 is exact in binary: a tie, and toFixed picks the larger digit.
    expect(formatNumber('da', 3.25)).toBe('3,3');
    // 2.35 is stored just below 2.35.
    expect(formatNumber('en', 2.35)).toBe('2.4');
    expect(formatNumber('en', 19 / 6)).toBe('3.2');
  });

  it('drops a trailing zero, never a significant one', () => {
    expect(formatNumber('en', 3)).toBe('3');
    expect(formatNumber('da', 3)).toBe('3');
    expect(formatNumber('da', 4.96)).toBe('5');
    expect(formatNumber('en', 10)).toBe('10');
    expect(formatNumber('en', 20.04)).toBe('20');
    expect(formatNumber('en', 100)).toBe('100');
    expect(formatNumber('da', 1.05)).toBe('1,1');
    expect(formatNumber('en', 0)).toBe('0');
  });

  it('honours the number of decimals', () => {
    expect(formatNumber('da', 3.456, 2)).toBe('3,46');
    expect(formatNumber('en', 3.1, 2)).toBe('3.1');
    expect(formatNumber('en', 3.456, 0)).toBe('3');
    expect(formatNumber('en', 30, 0)).toBe('30');
  });
});

describe('formatList', () => {
  it('joins with "og" in Danish and "and" in English, without an Oxford comma', () => {
    expect(formatList('da', ['a', 'b', 'c'])).toBe('a, b og c');
    expect(formatList('en', ['a', 'b', 'c'])).toBe('a, b and c');
    expect(formatList('da', ['a', 'b'])).toBe('a og b');
    expect(formatList('en', ['a', 'b'])).toBe('a and b');
  });

  it('handles one and no items', () => {
    expect(formatList('da', ['Mentorordninger'])).toBe('Mentorordninger');
    expect(formatList('en', [])).toBe('');
  });
});
