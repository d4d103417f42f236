import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/channels/text/render.ts';
import { simulate } from '../../src/cli/simulate.ts';
import type { CardResultView } from '../../src/core/views/types.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TINY = [
  '--deck',
  'tests/fixtures/tiny-deck.json',
  '--votes',
  'tests/fixtures/tiny-votes.json',
];

/** Runs the real command line in a child process, as a user would. */
function cli(...args: string[]): string {
  return execFileSync(process.execPath, ['bin/dialogrunde.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const tiny = (lang: 'da' | 'en') => cli('simulate', '--participants', '4', ...TINY, '--lang', lang);

/*
 * The tiny round, computed by hand. Deck (tests/fixtures/tiny-deck.json = the test deck):
 *
 *   Udvikling/Development   Ledere/Managers        mentorordninger, lederfora
 *                           Medarbejdere/Staff     supervision, kompetenceudvikling
 *   Fastholdelse/Retention  Trivsel/Well-being     omsorgssamtaler, naervaer
 *
 * Ratings (participant 1..4; "na" = don't know, not counted in n; null = no vote), k = 3:
 *
 *   mentorordninger      1, 3, 3, 3      n=4  sum 10  mean 10/4 = 2.5        median (3+3)/2 = 3
 *   lederfora            5, 4, 4, 5      n=4  sum 18  mean 18/4 = 4.5        median (4+5)/2 = 4.5
 *   supervision          1, 5, 1, 5      n=4  sum 12  mean 12/4 = 3          median (1+5)/2 = 3
 *                        low (1–2) 2/4 ≥ 1/4 and high (4–5) 2/4 ≥ 1/4 → disagreement
 *   kompetenceudvikling  3, null, na, 4  n=2 < k=3 → withheld (no mean, no median)
 *   omsorgssamtaler      2, na, 3, 2     n=3  sum 7   mean 7/3 = 2.333… → 2.3  median of 2,2,3 = 2
 *                        1 abstention
 *   naervaer             4, 4, 5, 3      n=4  sum 16  mean 16/4 = 4          median (4+4)/2 = 4
 *
 *   No other card is polarised: mentorordninger has low 1/4 but high 0/4; the rest have no 1–2
 *   or no 4–5.
 *
 * Missions = mean of the released card means:
 *   Ledere        (2.5 + 4.5) / 2      = 3.5
 *   Medarbejdere  3 (supervision only; kompetenceudvikling is withheld) = 3
 *   Trivsel       (2.333… + 4) / 2     = 3.1666… → 3.2
 * Areas = mean of the scored missions:
 *   Udvikling     (3.5 + 3) / 2        = 3.25 → toFixed(1) = 3.3 (3.25 is exact in binary; a tie
 *                                         picks the larger digit)
 *   Fastholdelse  3.1666…              → 3.2
 *
 * Lowest first:
 *   areas     Fastholdelse 3.2 < Udvikling 3.3
 *   missions  Medarbejdere 3 < Trivsel 3.2 < Ledere 3.5
 *   cards     omsorgssamtaler 2.3 < mentorordninger 2.5 < supervision 3 (naervaer 4 and
 *             lederfora 4.5 are listed under "strong", not among the lowest)
 * Strong (mean ≥ 4, highest first): lederfora 4.5, naervaer 4
 * Disagreements: supervision
 * Withheld: 1 card (kompetenceudvikling)
 *
 * Priorities (4 ballots ≥ k=3 → released):
 *   p1 supervision, mentorordninger, omsorgssamtaler
 *   p2 mentorordninger, kompetenceudvikling
 *   p3 supervision, mentorordninger
 *   p4 omsorgssamtaler, supervision
 *   counts: mentorordninger 3, supervision 3, omsorgssamtaler 2, kompetenceudvikling 1
 *   the 3–3 tie keeps deck order: mentorordninger before supervision. A withheld card can still
 *   be prioritised and is listed by its title.
 *
 * Plan: the 3 lowest missions (Staff, Well-being at work, Managers), due 30, 60 and 90 days after
 * the simulated day 2026-11-23: 2026-12-23, 2027-01-22, 2027-02-21; two reminders each → 6.
 */

const SUMMARY_EN = `4 participants
Areas, lowest first:
  1. Retention 3.2
  2. Development 3.3
Missions, lowest first:
  1. Staff (Development) 3
  2. Well-being at work (Retention) 3.2
  3. Managers (Development) 3.5
Lowest-scoring initiatives:
  1. Care conversations (Well-being at work) 2.3
  2. Mentoring schemes (Managers) 2.5
  3. Supervision and sparring (Staff) 3
What works well (4–5):
  1. Internal manager forums (Managers) 4.5
  2. Presence factors (Well-being at work) 4
Where we disagree:
  1. Supervision and sparring (Staff) 3
What we prioritise:
  1. Mentoring schemes 3 picks
  2. Supervision and sparring 3 picks
  3. Care conversations 2 picks
  4. Skills development 1 pick
1 card has fewer than 3 ratings, so its result is not shown.`;

const SUMMARY_DA = `4 deltagere
Områder, laveste først:
  1. Fastholdelse 3,2
  2. Udvikling 3,3
Målsætninger, laveste først:
  1. Medarbejdere (Udvikling) 3
  2. Trivsel på arbejdspladsen (Fastholdelse) 3,2
  3. Ledere (Udvikling) 3,5
Indsatser med lavest score:
  1. Omsorgssamtaler (Trivsel på arbejdspladsen) 2,3
  2. Mentorordninger (Ledere) 2,5
  3. Supervision og sparring (Medarbejdere) 3
Det lykkes vi med (4–5):
  1. Interne lederfora (Ledere) 4,5
  2. Nærværsfaktorer (Trivsel på arbejdspladsen) 4
Her er vi uenige:
  1. Supervision og sparring (Medarbejdere) 3
Det prioriterer vi:
  1. Mentorordninger 3 valg
  2. Supervision og sparring 3 valg
  3. Omsorgssamtaler 2 valg
  4. Kompetenceudvikling 1 valg
1 kort har færre end 3 vurderinger, så dets resultat vises ikke.`;

describe('simulate with recorded votes on the tiny deck (computed by hand)', () => {
  it('the fixture deck is valid', () => {
    expect(cli('deck', 'validate', 'tests/fixtures/tiny-deck.json')).toContain(
      'valid deck "test-deck" – 2 areas, 3 missions, 6 cards',
    );
  });

  it('prints the hand-computed summary in English', () => {
    const out = tiny('en');
    const lines = out.split('\n');
    expect(lines[0]).toBe('Dialogrunde – Test deck · 4 participants · seed 1 · sync');
    expect(lines).toContain('== Step 7 of 7 · Summary ==');
    expect(out).toContain(SUMMARY_EN);
  });

  it('prints the same summary in Danish with decimal commas', () => {
    const out = tiny('da');
    expect(out).toContain('== Trin 7 af 7 · Opsamling og afrunding ==');
    expect(out).toContain(SUMMARY_DA);
    expect(out).toContain('Mentorordninger (Ledere) 2,5');
    expect(out).not.toMatch(/\d\.\d/);
  });

  it('puts the three lowest missions in the plan, lowest first, 30 days apart', () => {
    const out = tiny('en');
    const plan = out.slice(out.indexOf('== Follow-up plan =='));
    const items = plan.split('\n').filter((l) => /^ {2}\d\. /.test(l));
    expect(items).toEqual([
      '  1. Staff (Open)',
      '  2. Well-being at work (Open)',
      '  3. Managers (Open)',
    ]);
    expect(plan).toContain('When? 23 December 2026');
    expect(plan).toContain('When? 22 January 2027');
    expect(plan).toContain('When? 21 February 2027');
    expect(out.trimEnd().split('\n').at(-1)).toBe('Scheduled reminders: 6');

    const da = tiny('da');
    expect(da).toContain('== Opfølgningsplan ==\n  1. Medarbejdere (Åben)');
    expect(da).toContain('Hvornår? 23. december 2026');
    expect(da.trimEnd().split('\n').at(-1)).toBe('Planlagte påmindelser: 6');
  });

  it('adds no custom cards when replaying recorded votes', () => {
    const out = tiny('en');
    expect(out).not.toContain('Shared morning meeting');
    expect(out).not.toContain('Buddy scheme');
  });

  it('posts each card result with the hand-computed mean and median', async () => {
    const report = await simulate({
      participants: 4,
      seed: 1,
      lang: 'en',
      mode: 'sync',
      k: 3,
      deckFile: `${ROOT}tests/fixtures/tiny-deck.json`,
      votesFile: `${ROOT}tests/fixtures/tiny-votes.json`,
    });
    const results = report.messages
      .map((m) => m.view)
      .filter((v): v is CardResultView => v.kind === 'cardResult');
    const byCard = Object.fromEntries(results.map((v) => [v.cardId, v]));
    expect(Object.keys(byCard)).toEqual([
      'mentorordninger',
      'lederfora',
      'supervision',
      'kompetenceudvikling',
      'omsorgssamtaler',
      'naervaer',
    ]);
    expect(byCard.mentorordninger?.text).toBe('Mean 2.5 · median 3 · 4 rated');
    expect(byCard.lederfora?.text).toBe('Mean 4.5 · median 4.5 · 4 rated');
    expect(byCard.supervision?.text).toBe('Mean 3 · median 3 · 4 rated');
    expect(byCard.omsorgssamtaler?.text).toBe('Mean 2.3 · median 2 · 3 rated');
    expect(byCard.naervaer?.text).toBe('Mean 4 · median 4 · 4 rated');

    expect(byCard.omsorgssamtaler?.abstentions).toBe("1 answered “don't know / not relevant”");
    expect(byCard.supervision?.disagreement).toBe('Opinions differ – talk about why.');
    const polarised = results.filter((v) => v.disagreement !== undefined).map((v) => v.cardId);
    expect(polarised).toEqual(['supervision']);
    expect(byCard.supervision?.distribution?.map((d) => d.count)).toEqual([2, 0, 0, 0, 2]);

    const withheld = byCard.kompetenceudvikling;
    expect(withheld?.released).toBe(false);
    expect(withheld?.distribution).toBeUndefined();
    expect(renderText(withheld as CardResultView)).not.toMatch(/\d(\.\d)?\s*·|mean|median/i);

    expect(report.state.status).toBe('ended');
    expect(report.state.plan.map((p) => p.link?.id)).toEqual(['medarbejdere', 'trivsel', 'ledere']);
  });
});

describe('simulate on the default deck', () => {
  it('gives identical output for the same seed and different output for another seed', () => {
    const args = ['simulate', '--participants', '8', '--seed', '7'];
    const first = cli(...args);
    const second = cli(...args);
    expect(second).toBe(first);
    expect(first).toContain('· 8 deltagere · seed 7 · sync');
    expect(cli('simulate', '--participants', '8', '--seed', '8')).not.toBe(first);
  });

  it('runs a whole round in async mode and prints a summary', () => {
    const out = cli('simulate', '--mode', 'async', '--participants', '6');
    expect(out.split('\n')[0]).toMatch(/ · 6 deltagere · seed 1 · async$/);
    expect(out).toContain('== Trin 7 af 7 · Opsamling og afrunding ==');
    expect(out).toContain('\n6 deltagere\n');
    expect(out).toContain('Områder, laveste først:');
    expect(out).toContain('== Opfølgningsplan ==');
    expect(out).toMatch(/Planlagte påmindelser: \d+\n?$/);
  });

  it('prints the number of participants it was given', () => {
    const out = cli('simulate', '--participants', '13', '--lang', 'en');
    expect(out.split('\n')[0]).toContain('· 13 participants ·');
    expect(out).toContain('\n13 participants\n');
  });
});
