import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Identity } from '../../app/identity.ts';
import type { ServiceCommand } from '../../app/round-service.ts';
import type { Lang } from '../../core/model.ts';
import { IDEMPOTENCY_HEADER } from './api-types.ts';
import { isRoundId, type WebContext } from './context.ts';
import { sendInvalidBody, sendRefusal, sendWebError } from './errors.ts';

/** A round a request names, with the language its messages are in. */
export interface RoundRef {
  roundId: string;
  lang: Lang;
}

/**
 * A round's language and platform never change, so they are remembered
 * instead of loading the round each time. `null`: the round exists but is not
 * the web channel's.
 */
const langs = new Map<string, Lang | null>();
const MAX_LANGS = 10_000;

/**
 * The language of a round the web channel may serve. Teams and Slack rounds
 * are not served here: their ids travel in signed export links and must not
 * open their pages, API or joining to anybody who holds one.
 */
export async function webRoundLang(ctx: WebContext, roundId: string): Promise<Lang | undefined> {
  const known = langs.get(roundId);
  if (known !== undefined) return known ?? undefined;
  const record = await ctx.service().deps.store.load(roundId);
  if (!record) return undefined;
  const lang = record.state.conversation.platform === 'web' ? record.state.settings.lang : null;
  langs.set(roundId, lang);
  if (langs.size > MAX_LANGS) {
    const oldest = langs.keys().next().value;
    if (oldest !== undefined) langs.delete(oldest);
  }
  return lang ?? undefined;
}

/** The round in `:id`; answers 404 itself when there is none. */
export async function openRound(
  ctx: WebContext,
  req: Request,
  res: Response,
): Promise<RoundRef | undefined> {
  const roundId = String(req.params.id ?? '');
  const lang = isRoundId(roundId) ? await webRoundLang(ctx, roundId) : undefined;
  if (!lang) {
    sendRefusal(res, ctx.defaults.lang, { code: 'round_not_found' });
    return undefined;
  }
  return { roundId, lang };
}

/** The round with its saved state and counts, for routes that render it; answers 404 itself. */
export async function openSnapshot(ctx: WebContext, req: Request, res: Response) {
  const round = await openRound(ctx, req, res);
  if (!round) return undefined;
  const snap = await ctx.service().snapshot(round.roundId);
  if (!snap) {
    sendRefusal(res, round.lang, { code: 'round_not_found' });
    return undefined;
  }
  return { round, snap };
}

/** The body as the schema describes it; answers 400 itself otherwise. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
  lang: Lang,
): z.infer<S> | undefined {
  // No JSON body at all (or another content type) reads as an empty object.
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  sendInvalidBody(res, lang, parsed.error.issues);
  return undefined;
}

/**
 * Applies a command once per Idempotency-Key: a retried click (lost answer,
 * double tap) has one effect. Answers refusals itself; returns whether it
 * went through and whether it was a repeat.
 */
export async function runCommand(
  ctx: WebContext,
  req: Request,
  res: Response,
  round: RoundRef,
  who: Identity,
  command: ServiceCommand,
): Promise<{ duplicate: boolean } | undefined> {
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key !== undefined && (key.length === 0 || key.length > 100)) {
    sendWebError(res, 400, 'bad_request', round.lang);
    return undefined;
  }
  const options = key ? { idempotencyKey: `web:${round.roundId}:${key}` } : {};
  const result = await ctx.service().command(round.roundId, who, command, options);
  if (!result.ok) {
    sendRefusal(res, round.lang, result.error);
    return undefined;
  }
  // Effects already told the pages; this covers commands whose effects show nothing.
  if (!result.value.duplicate) ctx.hub.publish(round.roundId);
  return { duplicate: result.value.duplicate };
}

/** 201 with the new thing's id; a repeat is 200 without one (the first request's id was sent then). */
export function sendCreated(res: Response, duplicate: boolean, ids: Record<string, string>): void {
  if (duplicate) res.status(200).json({ ok: true, duplicate: true });
  else res.status(201).json({ ok: true, duplicate: false, ...ids });
}
