import type { Logger } from '../../app/logger.ts';
import type { ExportLinkSet, ExportLinks } from '../../app/signed-links.ts';
import type { SummaryView, ViewModel } from '../../core/views/types.ts';
import type { CardJson } from '../cards/bind.ts';
import type { TeamsCardExtras } from './cards.ts';

/**
 * The Teams summary card's extras: the måloversigt as a picture and buttons
 * to the CSV, the Markdown minutes and the `.ics` calendar, all as signed,
 * expiring links served by this bot (`/x/…`, see `app/signed-links.ts`).
 * Teams clients fetch the picture themselves, so the links need a base they
 * can reach: `PUBLIC_URL` (https in production).
 */

export interface SummaryLinkOptions {
  signer: ExportLinks;
  /** The configured public base URL (`PUBLIC_URL`); null = the card goes out without extras. */
  publicUrl: string | null;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Makes the summary's links at send time (fresh expiry with every post or edit). */
export class SummaryLinks {
  readonly #options: SummaryLinkOptions | undefined;
  readonly #logger: Logger;
  #warned = false;

  constructor(options: SummaryLinkOptions | undefined, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
    const base = options?.publicUrl ? URL.parse(options.publicUrl) : null;
    if (base && base.protocol !== 'https:' && !LOOPBACK.has(base.hostname)) {
      logger.warn(
        'teams: PUBLIC_URL is not https; Teams clients may not load the summary picture from it',
      );
    }
  }

  /** The links for a summary view; undefined for other views and when there is no public URL. */
  linksFor(view: ViewModel): ExportLinkSet | undefined {
    if (view.kind !== 'summary') return undefined;
    const options = this.#options;
    if (!options?.publicUrl) {
      if (!this.#warned) {
        this.#warned = true;
        this.#logger.warn(
          'teams: PUBLIC_URL is not set, so the summary card goes out without the måloversigt picture and the export links',
        );
      }
      return undefined;
    }
    return options.signer.links(options.publicUrl, view.roundId);
  }

  /** The card extras for a view: `teamsCard(view, { ...other, ...summaryLinks.extrasFor(view) })`. */
  extrasFor(view: ViewModel): Pick<TeamsCardExtras, 'exportLinks'> {
    const exportLinks = this.linksFor(view);
    return exportLinks ? { exportLinks } : {};
  }
}

/** Adds the picture and the buttons to a bound summary card (in place). */
export function addSummaryExports(card: CardJson, view: SummaryView, links: ExportLinkSet): void {
  const body = Array.isArray(card.body) ? (card.body as unknown[]) : [];
  const open = (title: string, url: string) => ({ type: 'Action.OpenUrl', title, url });
  body.push(
    {
      type: 'TextBlock',
      text: view.maaloversigt.title,
      weight: 'Bolder',
      wrap: true,
      spacing: 'Medium',
    },
    {
      type: 'Image',
      url: links.png,
      altText: view.exports.maaloversigtAlt,
      size: 'Stretch',
      // The picture full size in the browser.
      selectAction: { type: 'Action.OpenUrl', title: view.maaloversigt.title, url: links.png },
    },
    {
      type: 'ActionSet',
      actions: [
        open(view.exports.csv, links.csv),
        open(view.exports.minutes, links.md),
        open(view.exports.calendar, links.ics),
      ],
    },
  );
  card.body = body;
}
