import type { RoundCounts } from '../core/model.ts';
import type { MessageRevision } from '../core/ports.ts';

/**
 * The revision of a rendering built from the round at store version
 * `version` with `counts`: progress is participants plus ballots in open
 * boxes, the only things that move without a new version.
 */
export function revisionOf(version: number, counts: RoundCounts): MessageRevision {
  let progress = counts.participants;
  for (const ballots of Object.values(counts.ballots)) progress += ballots ?? 0;
  return { version, progress };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareRevisions(a: MessageRevision, b: MessageRevision): number {
  return a.version !== b.version ? a.version - b.version : a.progress - b.progress;
}
