import type { Response } from 'express';
import { type ChangeBus, LocalChangeBus } from '../../app/change-bus.ts';
import type { Logger } from '../../app/logger.ts';
import type { ChangeEvent } from './api-types.ts';

export interface HubOptions {
  logger: Logger;
  /** At most one event per round per this many ms: a burst of 40 votes is one refetch. */
  coalesceMs?: number;
  /** A comment line this often keeps proxies and browsers from dropping an idle stream. */
  pingMs?: number;
  /** Open streams in this process; more are refused (each holds a socket). */
  maxStreams?: number;
  /**
   * Carries `publish` to every instance's hub (this one's included), each of
   * which tells the streams it holds. Not closed by the hub. Default: in-process.
   */
  changes?: ChangeBus;
}

type VersionSource = (roundId: string) => Promise<number | undefined>;

/**
 * Server-Sent Events: each page keeps one stream per round and is told only
 * "version N"; it then refetches its own state. Events carry no content, so
 * one stream serves everyone alike and nothing private can leak through it.
 */
export class EventHub {
  readonly #logger: Logger;
  readonly #coalesceMs: number;
  readonly #pingMs: number;
  readonly #maxStreams: number;
  /** Per round: each open stream and the last version it was sent. */
  readonly #streams = new Map<string, Map<Response, number>>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  #ping: NodeJS.Timeout | undefined;
  #versionOf: VersionSource = async () => undefined;
  #count = 0;
  #closed = false;
  readonly #changes: ChangeBus;
  readonly #unsubscribe: () => void;

  constructor(options: HubOptions) {
    this.#logger = options.logger;
    this.#coalesceMs = options.coalesceMs ?? 200;
    this.#pingMs = options.pingMs ?? 25_000;
    this.#maxStreams = options.maxStreams ?? 5_000;
    this.#changes = options.changes ?? new LocalChangeBus();
    this.#unsubscribe = this.#changes.subscribe((roundId) => this.#changed(roundId));
  }

  setVersionSource(source: VersionSource): void {
    this.#versionOf = source;
  }

  /** Starts a stream and sends the current version at once, so a reconnect resynchronises. */
  subscribe(roundId: string, res: Response, version: number): boolean {
    if (this.#closed || this.#count >= this.#maxStreams) return false;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      // nginx and friends would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    let round = this.#streams.get(roundId);
    if (!round) {
      round = new Map();
      this.#streams.set(roundId, round);
    }
    round.set(res, version);
    this.#count++;
    this.#write(res, version);
    res.on('close', () => this.#drop(roundId, res));
    this.#ping ??= setInterval(() => this.#pingAll(), this.#pingMs).unref();
    return true;
  }

  /** Something in the round changed; every instance's streams hear of it within `coalesceMs`. */
  publish(roundId: string): void {
    if (!this.#closed) this.#changes.publish(roundId);
  }

  /** A change published by any instance: tell the streams of the round held here. */
  #changed(roundId: string): void {
    if (this.#closed || this.#pending.has(roundId) || !this.#streams.has(roundId)) return;
    const timer = setTimeout(() => {
      this.#pending.delete(roundId);
      void this.#flush(roundId);
    }, this.#coalesceMs);
    this.#pending.set(roundId, timer);
  }

  /** Ends every stream (shutdown): the server can then close without waiting for them. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const timer of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    if (this.#ping) clearInterval(this.#ping);
    this.#ping = undefined;
    for (const round of this.#streams.values()) for (const res of round.keys()) res.end();
    this.#streams.clear();
    this.#count = 0;
  }

  get streams(): number {
    return this.#count;
  }

  async #flush(roundId: string): Promise<void> {
    const round = this.#streams.get(roundId);
    if (!round) return;
    let version: number | undefined;
    try {
      version = await this.#versionOf(roundId);
    } catch (error) {
      this.#logger.error({ err: error, roundId }, 'could not read the round version for events');
      return;
    }
    if (this.#closed) return;
    if (version === undefined) {
      // The round is gone (deleted): one last event makes every page refetch and
      // learn it; its streams end, since nothing will change any more.
      for (const res of round.keys()) {
        this.#write(res, Number.MAX_SAFE_INTEGER);
        res.end();
      }
      return;
    }
    for (const [res, sent] of round) {
      if (sent >= version) continue;
      round.set(res, version);
      this.#write(res, version);
    }
  }

  #write(res: Response, version: number): void {
    const event: ChangeEvent = { version };
    res.write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
  }

  #pingAll(): void {
    for (const round of this.#streams.values())
      for (const res of round.keys()) res.write(': ping\n\n');
  }

  #drop(roundId: string, res: Response): void {
    const round = this.#streams.get(roundId);
    if (!round?.delete(res)) return;
    this.#count--;
    if (round.size === 0) this.#streams.delete(roundId);
    if (this.#count === 0 && this.#ping) {
      clearInterval(this.#ping);
      this.#ping = undefined;
    }
  }
}
