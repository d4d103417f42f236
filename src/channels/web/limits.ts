import express, { type RequestHandler } from 'express';
import type { Clock } from '../../core/ports.ts';
import { sendWebError } from './errors.ts';

/** Request bodies are small forms; anything bigger is a mistake or an attack. */
export const jsonBody: RequestHandler = express.json({ limit: '16kb' });

/** `capacity` requests at once, refilled evenly over `windowMs`. */
export interface BucketSpec {
  capacity: number;
  windowMs: number;
}

export interface RateLimitSpec {
  /** Joining a round. Generous: a meeting room's phones may share one address behind NAT. */
  join: BucketSpec;
  /** Votes, priorities, notes and own initiatives. */
  ballot: BucketSpec;
  /** Creating rounds (each one is a row in the database). */
  create: BucketSpec;
}

export const DEFAULT_RATE_LIMITS: RateLimitSpec = {
  join: { capacity: 30, windowMs: 60_000 },
  ballot: { capacity: 60, windowMs: 10_000 },
  create: { capacity: 10, windowMs: 60_000 },
};

/** Most client addresses remembered per limit; the least recently seen are forgotten first. */
const MAX_CLIENTS = 10_000;

/** Token buckets per client address, bounded so memory cannot grow without limit. */
export class TokenBuckets {
  readonly #spec: BucketSpec;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(spec: BucketSpec, clock: Clock, max = MAX_CLIENTS) {
    this.#spec = spec;
    this.#clock = clock;
    this.#max = max;
  }

  /** Takes one token; when there is none, says after how many seconds there will be. */
  take(client: string): { ok: true } | { ok: false; retryAfterS: number } {
    const { capacity, windowMs } = this.#spec;
    const now = this.#clock.now();
    const perMs = capacity / windowMs;
    const seen = this.#buckets.get(client);
    const tokens = seen
      ? Math.min(capacity, seen.tokens + Math.max(0, now - seen.at) * perMs)
      : capacity;
    // Re-inserting moves the client to the end: the Map's order is least recently seen first.
    this.#buckets.delete(client);
    if (tokens < 1) {
      this.#buckets.set(client, { tokens, at: now });
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    }
    this.#buckets.set(client, { tokens: tokens - 1, at: now });
    while (this.#buckets.size > this.#max) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    return { ok: true };
  }

  get size(): number {
    return this.#buckets.size;
  }
}

export type RateLimits = Record<keyof RateLimitSpec, TokenBuckets>;

export function createRateLimits(spec: RateLimitSpec, clock: Clock): RateLimits {
  return {
    join: new TokenBuckets(spec.join, clock),
    ballot: new TokenBuckets(spec.ballot, clock),
    create: new TokenBuckets(spec.create, clock),
  };
}

/** 429 with Retry-After once a client has used up its bucket. */
export function rateLimit(buckets: TokenBuckets): RequestHandler {
  return (req, res, next) => {
    const taken = buckets.take(req.ip ?? 'unknown');
    if (taken.ok) {
      next();
      return;
    }
    res.set('Retry-After', String(taken.retryAfterS));
    sendWebError(res, 429, 'rate_limited');
  };
}
