import { type BoxId, PRIORITY_BOX, type RoundState, type Tally } from '../core/model.ts';
import type { Job } from '../core/ports.ts';
import { keepUntil } from '../core/round/retention.ts';
import type { PrivacyDeps } from './privacy.ts';

/** A sealed box's counts, or only how many ballots it had when fewer than k rated. */
export type ExportedTally = Tally | { ballots: number; withheld: 'below_threshold' };

/** `dialogrunde round export ID`: everything stored about a round, as JSON. */
export interface RoundExport {
  format: 'dialogrunde.round-export';
  version: 1;
  /** ISO 8601 (UTC). */
  exportedAt: string;
  /** The round document as stored (settings, steps, notes, own initiatives, follow-up plan). */
  round: RoundState;
  /** The store's compare-and-set version of the document. */
  storeVersion: number;
  /** When the retention period ends (ISO 8601), or null while the round must be kept. */
  keepUntil: string | null;
  /** How many joined (m in "n of m"). */
  participants: number;
  /** Open boxes: how many ballots each holds. */
  openBoxes: Partial<Record<BoxId, { ballots: number }>>;
  /** Sealed boxes: their tallies. */
  sealedBoxes: Partial<Record<BoxId, ExportedTally>>;
  /** Reminders, deadlines and nudges still to come. */
  pendingJobs: Job[];
  /** What is stored but deliberately left out, and why. */
  omitted: string[];
}

const OMITTED = [
  'ballots of open boxes per voter key: with the secret and a list of members a voter key names a person, so exporting them would show who voted what (DESIGN.md §4); only their number is exported',
  'counts of a sealed box that fewer than k rated: they could show a single person’s vote, as the round itself would not (only the number of ballots is exported)',
  'platform message ids the channels remember for the round: they only say where a card was posted',
];

/**
 * Everything stored about a round, or undefined when there is none. Per-voter
 * ballots of open boxes are NOT exported, nor the counts of a sealed box
 * below the anonymity threshold k: the export leaves the system (a data
 * request, an archive), and anonymity must hold outside it as well as inside
 * (DESIGN.md §4: nobody, the facilitator included, sees who voted what; a
 * result only with at least k raters). `retentionMs`: the deployment's
 * retention period, for `keepUntil`.
 */
export async function exportRound(
  deps: PrivacyDeps,
  roundId: string,
  options: { retentionMs: number },
): Promise<RoundExport | undefined> {
  const record = await deps.store.load(roundId);
  if (!record) return undefined;
  const { state } = record;
  const counts = await deps.store.counts(roundId);
  const openBoxes: RoundExport['openBoxes'] = {};
  for (const [box, ballots] of Object.entries(counts.ballots) as [BoxId, number][]) {
    openBoxes[box] = { ballots };
  }
  const sealedBoxes: RoundExport['sealedBoxes'] = {};
  for (const [box, tally] of Object.entries(counts.tallies) as [BoxId, Tally][]) {
    sealedBoxes[box] = releasable(box, tally, state.settings.k)
      ? tally
      : { ballots: tally.ballots, withheld: 'below_threshold' };
  }
  const until = keepUntil(state, options.retentionMs);
  return {
    format: 'dialogrunde.round-export',
    version: 1,
    exportedAt: new Date(deps.clock.now()).toISOString(),
    round: state,
    storeVersion: record.version,
    keepUntil: until === null ? null : new Date(until).toISOString(),
    participants: counts.participants,
    openBoxes,
    sealedBoxes,
    pendingJobs: await deps.scheduler.pending(roundId),
    omitted: OMITTED,
  };
}

/**
 * Whether a sealed box's counts may leave: as the round shows results, at
 * least k ratings 1–5 for a card ("don't know" does not count towards k),
 * at least k ballots for the prioritisation.
 */
function releasable(box: BoxId, tally: Tally, k: number): boolean {
  if (box === PRIORITY_BOX) return tally.ballots >= k;
  const rated = ['1', '2', '3', '4', '5'].reduce((n, r) => n + (tally.counts[r] ?? 0), 0);
  return rated >= k;
}
