import { beforeAll, describe, expect, it } from 'vitest';
import { fold, icsText } from '../../src/channels/web/exports/ics.ts';
import { planIcs } from '../../src/channels/web/exports/index.ts';
import { reminderTimes } from '../../src/core/time.ts';
import type { ViewInput } from '../../src/core/views/input.ts';
import { PLAN, round, writeArtifact } from './round.ts';

const URL_BASE = 'https://dialog.example.org/runde/';

let input: ViewInput;
let ics: string;

beforeAll(async () => {
  input = await round();
  ics = planIcs(input, URL_BASE);
  writeArtifact('plan.ics', ics);
});

/** Content lines (unfolded) as [name with parameters, value]. */
function contentLines(text: string): [string, string][] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1)];
    });
}

/** The components, each with its own properties (nested ones kept apart). */
function components(text: string) {
  const out: { type: string; props: [string, string][] }[] = [];
  const stack: { type: string; props: [string, string][] }[] = [];
  for (const [name, value] of contentLines(text)) {
    if (name === 'BEGIN') stack.push({ type: value, props: [] });
    else if (name === 'END') {
      const done = stack.pop();
      if (done?.type !== value) throw new Error(`END:${value} closes ${done?.type}`);
      out.push(done);
    } else stack.at(-1)?.props.push([name, value]);
  }
  if (stack.length > 0) throw new Error('unbalanced BEGIN/END');
  return out;
}

const prop = (c: { props: [string, string][] }, name: string) =>
  c.props.find(([n]) => n === name)?.[1];

describe('planIcs', () => {
  it('is RFC 5545 text: CRLF, lines of at most 75 octets, balanced components', () => {
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    const physical = ics.split('\r\n').slice(0, -1);
    for (const line of physical) {
      expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
    }
    expect(physical.some((l) => l.startsWith(' '))).toBe(true);
    const all = components(ics);
    expect(all.at(-1)?.type).toBe('VCALENDAR');
    const calendar = all.at(-1) ?? { props: [] };
    expect(prop(calendar, 'VERSION')).toBe('2.0');
    expect(prop(calendar, 'PRODID')).toMatch(/^-\/\/dialogrunde\/\//);
  });

  it('has one all-day event per item not done, with reminders at the bot’s own instants (DST)', () => {
    const events = components(ics).filter((c) => c.type === 'VEVENT');
    expect(events.map((e) => prop(e, 'SUMMARY'))).toEqual([
      icsText(PLAN.stress.what),
      icsText(PLAN.blocked.what),
    ]);
    const stress = events[0] ?? { props: [] };
    expect(prop(stress, 'DTSTART;VALUE=DATE')).toBe('20270401');
    expect(prop(stress, 'DTEND;VALUE=DATE')).toBe('20270402');
    expect(prop(stress, 'DTSTAMP')).toBe('20261123T090000Z');
    expect(prop(stress, 'URL')).toBe(`https://dialog.example.org/runde/s/${input.state.id}`);
    expect(prop(stress, 'UID')).toBe(`${input.state.id}.plan-1@dialogrunde`);
    const alarms = components(ics).filter((c) => c.type === 'VALARM');
    const triggers = alarms.map((a) => prop(a, 'TRIGGER;VALUE=DATE-TIME'));
    // 25 March 2027 09:00 CET = 08:00Z; 1 April 2027 09:00 CEST = 07:00Z.
    expect(triggers.slice(0, 2)).toEqual(['20270325T080000Z', '20270401T070000Z']);
    const expected = reminderTimes(PLAN.stress.due, 7, 9, 'Europe/Copenhagen').map(
      (r) => `${new Date(r.at).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`,
    );
    expect(triggers.slice(0, 2)).toEqual(expected);
    // 10 January 2027 and 3 January: winter time.
    expect(triggers.slice(2)).toEqual(['20270103T080000Z', '20270110T080000Z']);
    for (const alarm of alarms) {
      expect(prop(alarm, 'ACTION')).toBe('DISPLAY');
      expect(prop(alarm, 'DESCRIPTION')).toBeTruthy();
    }
  });

  it('escapes commas, semicolons, backslashes and newlines', () => {
    const events = components(ics).filter((c) => c.type === 'VEVENT');
    const description = prop(events[0] ?? { props: [] }, 'DESCRIPTION') ?? '';
    expect(description).toContain('Færre sygedage\\, mindre stress\\; mere ro\\\\pause\\n');
    expect(description).toContain('Hvem står for det? Åse Ørsted');
    const plan = input.state.plan.map((p) =>
      p.id === 'plan-1' ? { ...p, goal: 'first line\nsecond, line\r\nthird' } : p,
    );
    const other = planIcs({ ...input, state: { ...input.state, plan } }, URL_BASE);
    expect(other.replace(/\r\n /g, '')).toContain('first line\\nsecond\\, line\\nthird');
  });

  it('keeps UIDs stable and DTSTAMP from the given time', () => {
    expect(planIcs(input, URL_BASE)).toBe(ics);
    const later = planIcs({ ...input, now: input.now + 86_400_000 }, URL_BASE);
    expect(later).toContain('DTSTAMP:20261124T090000Z');
    expect(later.match(/UID:[^\r]*/g)).toEqual(ics.match(/UID:[^\r]*/g));
  });

  it('folds by octets without splitting a character', () => {
    const line = `SUMMARY:${'æøå€😀'.repeat(30)}`;
    const folded = fold(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(fold('SHORT:x')).toBe('SHORT:x');
    expect(icsText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });
});
