import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../app/logger.ts';
import type { ConversationRef } from '../../core/model.ts';
import type { OutboundMessage, RoundStore } from '../../core/ports.ts';
import type { ViewInput } from '../../core/views/input.ts';
import { maaloversigtView } from '../../core/views/summary.ts';
import type { SummaryView } from '../../core/views/types.ts';
import { EXPORTS } from '../web/export-files.ts';
import { maaloversigtSvg, minutesMarkdown, summaryCsv, svgToPng } from '../web/exports/index.ts';

/*
 * When a round's summary is shown in Slack, the måloversigt (PNG), the
 * results (CSV) and the minutes (Markdown) follow it into the channel as
 * files, once per round, with `files.uploadV2` (files.getUploadURLExternal →
 * the upload → files.completeUploadExternal into `channel_id`). Made from the
 * same view models as the summary, so they show nothing the channel may not
 * see (results below k are withheld there too).
 */

/** How long "this round's files were uploaded" is remembered. */
export const SUMMARY_FILES_CLAIM_MS = 365 * 24 * 60 * 60_000;

export const summaryFilesClaim = (roundId: string) => `slack:summary-files:${roundId}`;

export interface SummaryUploadDeps {
  /**
   * Queues a task on the outbox thread of `place` (after the messages already
   * queued there), paced and retried like a post; resolves true when it
   * succeeded, false when given up.
   */
  enqueue(
    tenant: string,
    place: string,
    key: string,
    task: (client: WebClient) => Promise<void>,
  ): Promise<boolean>;
  claims: Pick<RoundStore, 'claim' | 'release'>;
  /** The round's saved state and counts, when it exists. */
  snapshot(roundId: string): Promise<ViewInput | undefined>;
  logger: Logger;
}

interface FileUpload {
  file: Buffer;
  filename: string;
  title: string;
  alt_text?: string;
}

/** The three files of a round, named `dialogrunde-<round>-…` like the web downloads. */
export function summaryFiles(snap: ViewInput, view: SummaryView): FileUpload[] {
  const name = (file: string) => `dialogrunde-${snap.state.id}-${file}`;
  return [
    {
      file: svgToPng(maaloversigtSvg(maaloversigtView(snap))),
      filename: name('maaloversigt.png'),
      title: view.maaloversigt.title,
      alt_text: view.exports.maaloversigtAlt.slice(0, 1000),
    },
    {
      file: Buffer.from(summaryCsv(snap), 'utf8'),
      filename: name(EXPORTS['summary.csv'].filename ?? 'summary.csv'),
      title: EXPORTS['summary.csv'].filename ?? 'summary.csv',
    },
    {
      file: Buffer.from(minutesMarkdown(snap), 'utf8'),
      filename: name(EXPORTS['minutes.md'].filename ?? 'minutes.md'),
      title: EXPORTS['minutes.md'].filename ?? 'minutes.md',
    },
  ];
}

/**
 * Uploads a round's summary files once. The task is queued on the channel's
 * outbox thread right after the summary message itself, so it follows the
 * message, shares its pace, and 429s (with Retry-After) and 5xx are retried
 * by the outbox. The round is claimed in the store on the first attempt (a
 * second process, or the summary shown again, uploads nothing); when the
 * outbox gives up, the claim is given back (the next showing of the summary
 * tries again) and a warning is logged. The summary message goes out either way.
 */
export class SummaryUploads {
  readonly #d: SummaryUploadDeps;
  /** Rounds whose upload this process has queued or done. */
  readonly #queued = new Set<string>();

  constructor(deps: SummaryUploadDeps) {
    this.#d = deps;
  }

  /** Called for every group message the channel sends: only a summary starts an upload. */
  afterSend(message: OutboundMessage): void {
    const { view, conversation } = message;
    if (view.kind !== 'summary' || conversation.platform !== 'slack') return;
    void this.upload(conversation, view);
  }

  /** Resolves true when this call uploaded the files. Never throws. */
  async upload(conversation: ConversationRef, view: SummaryView): Promise<boolean> {
    const roundId = view.roundId;
    if (this.#queued.has(roundId)) return false;
    this.#queued.add(roundId);
    const { claims, logger } = this.#d;
    let claimed = false;
    let files: FileUpload[] | undefined;
    let skipped = false;
    const task = async (client: WebClient) => {
      if (!claimed) {
        claimed = await claims.claim(summaryFilesClaim(roundId), SUMMARY_FILES_CLAIM_MS);
        if (!claimed) {
          skipped = true;
          return;
        }
      }
      if (!files) {
        const snap = await this.#d.snapshot(roundId);
        if (!snap) {
          skipped = true;
          return;
        }
        files = summaryFiles(snap, view);
      }
      await client.files.uploadV2({ channel_id: conversation.conversationId, file_uploads: files });
    };
    const done = await this.#d.enqueue(
      conversation.tenant,
      conversation.conversationId,
      `${roundId}:summary-files`,
      task,
    );
    if (done && !skipped) {
      logger.info({ roundId, files: files?.length ?? 0 }, 'slack: summary files uploaded');
      return true;
    }
    if (!done) {
      this.#queued.delete(roundId);
      if (claimed) {
        await claims.release(summaryFilesClaim(roundId)).catch((error: unknown) => {
          logger.error({ err: error, roundId }, 'slack: releasing the summary files claim failed');
        });
      }
      logger.warn(
        { roundId },
        'slack: the summary files could not be uploaded; the summary message stands (the next showing of the summary tries again)',
      );
    }
    return false;
  }
}
