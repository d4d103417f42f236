import type { DomainError } from '../errors.ts';
import type { Lang } from '../model.ts';
import { da, type MessageKey } from './da.ts';
import { en } from './en.ts';

export type { MessageKey } from './da.ts';

export const catalogs: Record<Lang, Record<MessageKey, string>> = { da, en };

export type Params = Record<string, string | number>;

/** Looks up a message and fills its `{placeholders}`; a missing value stays visible. */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return catalogs[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Keys with a singular form `<key>.one` used when count is 1. */
type Counted = 'priority.votes' | 'summary.withheld' | 'plan.postponed' | 'summary.participants';

/** A message that depends on a count: "1 valg" / "3 valg", "1 card has" / "2 cards have". */
export function tn(lang: Lang, key: Counted, count: number, params: Params = {}): string {
  return t(lang, count === 1 ? `${key}.one` : key, { ...params, count });
}

/** The polite message for a refusal, in the user's language. */
export function errorMessage(lang: Lang, error: DomainError): string {
  return t(lang, `error.${error.code}`, error.params);
}

/** Numbers as people write them: 3,4 in Danish, 3.4 in English. */
export function formatNumber(lang: Lang, value: number, decimals = 1): string {
  const fixed = value.toFixed(decimals);
  const trimmed = decimals > 0 ? fixed.replace(/\.?0+$/, '') : fixed;
  return lang === 'da' ? trimmed.replace('.', ',') : trimmed;
}

/** Lists as people write them: "a, b og c" / "a, b and c". */
export function formatList(lang: Lang, items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  const last = items[items.length - 1];
  return `${items.slice(0, -1).join(', ')} ${lang === 'da' ? 'og' : 'and'} ${last}`;
}
