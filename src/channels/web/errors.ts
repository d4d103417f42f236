import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { failureOf } from '../../app/errors.ts';
import type { DomainError, ErrorCode } from '../../core/errors.ts';
import { errorMessage, t } from '../../core/i18n/index.ts';
import type { Lang, Localized } from '../../core/model.ts';
import type { ApiError } from './api-types.ts';
import type { WebContext } from './context.ts';

/** Refusals the web channel adds to the core's. */
export type WebCode = 'bad_request' | 'rate_limited' | 'too_large' | 'not_found';

const WEB_MESSAGES: Record<WebCode, Localized> = {
  bad_request: {
    da: 'Forespørgslen kunne ikke forstås.',
    en: 'The request could not be understood.',
  },
  rate_limited: {
    da: 'Det gik lidt for hurtigt. Vent et øjeblik, og prøv igen.',
    en: 'That was a little too fast. Please wait a moment and try again.',
  },
  too_large: { da: 'Beskeden er for stor.', en: 'The request is too large.' },
  not_found: { da: 'Siden findes ikke.', en: 'This page does not exist.' },
};

/**
 * HTTP status of a core refusal: 404 for a missing round, 403 for "not yours
 * to do", 409 when the round's state does not allow it (now), 400 otherwise
 * (the input itself is wrong).
 */
const STATUS: Partial<Record<ErrorCode, 403 | 404 | 409>> = {
  round_not_found: 404,
  not_facilitator: 403,
  not_plan_owner: 403,
  round_exists: 409,
  round_paused: 409,
  round_ended: 409,
  not_paused: 409,
  wrong_step: 409,
  no_previous_step: 409,
  scope_locked: 409,
  card_not_open: 409,
  card_closed: 409,
  card_already_open: 409,
  another_card_open: 409,
  card_not_pending: 409,
  no_pending_cards: 409,
  priority_not_open: 409,
  custom_card_limit: 409,
  duplicate_custom_card: 409,
  too_many_notes: 409,
  plan_limit: 409,
  stale_deadline: 409,
  already_moved_on: 409,
  same_facilitator: 409,
  busy: 409,
};

export const statusOf = (code: ErrorCode): number => STATUS[code] ?? 400;

/** A message in the round's language, or in both when the language is not known. */
export function webMessage(code: WebCode, lang?: Lang): string {
  const m = WEB_MESSAGES[code];
  return lang ? m[lang] : `${m.da} / ${m.en}`;
}

function send(res: Response, status: number, error: ApiError['error']): void {
  const body: ApiError = { ok: false, error };
  res.status(status).json(body);
}

export function sendRefusal(
  res: Response,
  lang: Lang,
  error: DomainError,
  status = statusOf(error.code),
): void {
  send(res, status, { code: error.code, message: errorMessage(lang, error) });
}

export function sendWebError(res: Response, status: number, code: WebCode, lang?: Lang): void {
  send(res, status, { code, message: webMessage(code, lang) });
}

/** A body that does not match the contract: say which field, in the round's language. */
export function sendInvalidBody(res: Response, lang: Lang, issues: z.ZodError['issues']): void {
  const issue = issues[0];
  let detail = '';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `«${k.slice(0, 40)}»`).join(', ');
    detail = lang === 'da' ? ` Ukendt felt: ${keys}.` : ` Unknown field: ${keys}.`;
  } else if (issue && issue.path.length > 0) {
    const field = `«${issue.path.join('.').slice(0, 60)}»`;
    detail =
      lang === 'da'
        ? ` Feltet ${field} mangler eller er ugyldigt.`
        : ` The field ${field} is missing or invalid.`;
  }
  send(res, 400, { code: 'bad_request', message: webMessage('bad_request', lang) + detail });
}

/** Both languages: a failing request may not even know its round. */
const UNEXPECTED = `${t('da', 'error.unexpected')} / ${t('en', 'error.unexpected')}`;
const UNAVAILABLE = `${t('da', 'error.unavailable')} / ${t('en', 'error.unavailable')}`;

/**
 * Wraps an async route: a throw is a bug or an outage, answered with a polite
 * 500 (bug) or 503 (store unreachable) and logged with the round and route only (no ids of people, no bodies).
 */
export function route(
  ctx: WebContext,
  name: string,
  fn: (req: Request, res: Response) => Promise<void>,
): RequestHandler {
  return async (req, res) => {
    // Shutting down: answer, then close the connection instead of keeping it alive,
    // so the server's close() does not wait for idle keep-alive sockets to time out.
    if (ctx.closing()) res.set('Connection', 'close');
    try {
      await fn(req, res);
    } catch (error) {
      const roundId = typeof req.params.id === 'string' ? req.params.id : undefined;
      ctx.logger.error({ err: error, route: name, roundId }, 'web request failed');
      if (res.headersSent) {
        res.end();
        return;
      }
      if (failureOf(error) === 'unavailable') {
        // The store is unreachable: nothing was saved; a retry in a few seconds may work.
        res.set('Retry-After', '5');
        send(res, 503, { code: 'unavailable', message: UNAVAILABLE });
        return;
      }
      send(res, 500, { code: 'unexpected', message: UNEXPECTED });
    }
  };
}
