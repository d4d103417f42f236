import type { MessageRevision } from '../../core/ports.ts';
import { compareRevisions } from '../revision.ts';
import { type EditGate, gateKey, POST_CLAIM_TTL_MS } from './edit-gate.ts';
import type { Outbox, OutboxStats } from './outbox.ts';
import type { TimerHandle, Timers } from './timers.ts';

/** How often a loser of a post claim looks for the winner's platform message id, in ms. */
export const POST_POLL_MS = 250;

export interface PostOnceOptions {
  /**
   * Several instances: the first to claim a new message posts it; the others
   * hold their newest value until the winner saved the message id, then
   * edit. Absent: this process alone decides (as with one instance).
   */
  gate?: EditGate;
  /** Needed with a gate: the losers' polling runs on these timers. */
  timers?: Timers;
  /** How long a post claim lives, in ms. Default 2 minutes. */
  claimTtlMs?: number;
  /** Losers look for the message id this often, in ms. Default 250. */
  pollMs?: number;
  /**
   * How many posted messages are remembered here (default 10,000); older
   * ones are found again through `known` (the channel memory) when edited.
   */
  rememberPosted?: number;
}

/** A value waiting for the claim's answer or for another instance's post. */
interface Held<T> {
  thread: string;
  key: string;
  value: T;
  revision?: MessageRevision;
  known: () => Promise<string | undefined>;
  timer?: TimerHandle;
}

/**
 * A channel outbox for messages that are posted once and edited afterwards.
 * Remembers which messages (thread + key) this process has posted or is
 * posting; for the others it asks `known` (the platform message id kept in
 * ChannelMemory) so that a message posted before a restart is edited, not
 * posted again. A post given up is forgotten, so the next send posts anew.
 *
 * With a gate, "posted once" holds across instances: a new message is
 * posted by the instance that claims it first; the others keep the newest
 * value they were given and edit once `known` finds the winner's id. When
 * the winner gives up (its claim is released) or dies (its claim expires),
 * the next loser to claim posts instead.
 */
/** Posted messages remembered in memory by default (about 100 bytes each). */
const REMEMBER_POSTED = 10_000;

export class PostOnceThenEdit<T> {
  readonly #outbox: Outbox<T>;
  readonly #options: PostOnceOptions;
  /**
   * Messages posted (true) or being posted (false, until the platform
   * answers), oldest first. Only answered ones are forgotten when there are
   * too many: one still in flight has no id in the channel memory yet, and
   * forgetting it would post the message twice.
   */
  readonly #posted = new Map<string, boolean>();
  /** Messages claimed by no one yet from here, or posted by another instance not yet known. */
  readonly #held = new Map<string, Held<T>>();
  #closed = false;

  constructor(outbox: Outbox<T>, options: PostOnceOptions = {}) {
    if (options.gate && !options.timers) throw new Error('PostOnceThenEdit: a gate needs timers');
    this.#outbox = outbox;
    this.#options = options;
  }

  /**
   * Posts the message once, then edits it (coalesced by the outbox).
   * `revision` orders renderings of the message (see MessageRevision).
   */
  async send(
    thread: string,
    key: string,
    value: T,
    known: () => Promise<string | undefined>,
    revision?: MessageRevision,
  ): Promise<void> {
    const mk = gateKey(thread, key);
    if (this.#route(mk, thread, key, value, revision)) return;
    const id = await known();
    if (this.#route(mk, thread, key, value, revision)) return;
    if (id !== undefined) {
      this.#remember(mk, true);
      this.#outbox.update(thread, key, value, revision);
      return;
    }
    const { gate } = this.#options;
    if (!gate) {
      this.#post(mk, thread, key, value, revision);
      return;
    }
    const held: Held<T> = { thread, key, value, known, ...(revision && { revision }) };
    this.#held.set(mk, held);
    // A failing gate answers as if alone: post.
    const won = await gate.claimPost(mk, this.#claimTtlMs).catch(() => true);
    if (this.#closed) {
      if (won) await gate.releasePost(mk).catch(() => undefined);
      return;
    }
    if (won) this.#postHeld(mk, held);
    else this.#poll(mk, held);
  }

  /**
   * Sends every waiting edit now and resolves when nothing is queued. Values
   * held for another instance's post are not waited for.
   */
  flush(): Promise<void> {
    return this.#outbox.flush();
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const held of this.#held.values()) {
      if (held.timer !== undefined) this.#options.timers?.clearTimeout(held.timer);
    }
    this.#held.clear();
    return this.#outbox.close();
  }

  stats(): OutboxStats {
    return this.#outbox.stats();
  }

  get #claimTtlMs(): number {
    return this.#options.claimTtlMs ?? POST_CLAIM_TTL_MS;
  }

  /** Handles a send whose fate is decided already (posted, or held); false when it is not. */
  #route(
    mk: string,
    thread: string,
    key: string,
    value: T,
    revision: MessageRevision | undefined,
  ): boolean {
    if (this.#posted.has(mk)) {
      this.#outbox.update(thread, key, value, revision);
      return true;
    }
    const held = this.#held.get(mk);
    if (!held) return false;
    // Latest wins, unless both have a revision and this one is older.
    if (!revision || !held.revision || compareRevisions(revision, held.revision) >= 0) {
      held.value = value;
      if (revision) held.revision = revision;
      else delete held.revision;
    }
    return true;
  }

  #post(
    mk: string,
    thread: string,
    key: string,
    value: T,
    revision: MessageRevision | undefined,
  ): void {
    this.#remember(mk, false);
    // Not awaited: the outbox queues it (later edits of the key ride along or follow it).
    void this.#outbox.post(thread, key, value, revision).then(async (sent) => {
      if (sent) {
        if (this.#posted.has(mk)) this.#posted.set(mk, true);
        return;
      }
      this.#posted.delete(mk);
      // Given up: let the next send (here or elsewhere) post it.
      await this.#options.gate?.releasePost(mk).catch(() => undefined);
    });
  }

  /** Notes `mk` as posted (`answered`) or being posted, and forgets the oldest answered ones over the limit. */
  #remember(mk: string, answered: boolean): void {
    this.#posted.delete(mk);
    this.#posted.set(mk, answered);
    const limit = this.#options.rememberPosted ?? REMEMBER_POSTED;
    if (this.#posted.size <= limit) return;
    for (const [key, done] of this.#posted) {
      if (this.#posted.size <= limit) break;
      if (done) this.#posted.delete(key);
    }
  }

  #postHeld(mk: string, held: Held<T>): void {
    this.#held.delete(mk);
    this.#post(mk, held.thread, held.key, held.value, held.revision);
  }

  /** Another instance posts the message: look for its id now and then; claim again when its claim is gone. */
  #poll(mk: string, held: Held<T>): void {
    const { timers, gate } = this.#options;
    if (!timers || !gate || this.#closed) return;
    held.timer = timers.setTimeout(async () => {
      held.timer = undefined;
      if (this.#closed || this.#held.get(mk) !== held) return;
      try {
        const id = await held.known();
        if (this.#closed || this.#held.get(mk) !== held) return;
        if (id !== undefined) {
          this.#held.delete(mk);
          this.#remember(mk, true);
          this.#outbox.update(held.thread, held.key, held.value, held.revision);
          return;
        }
        if (await gate.claimPost(mk, this.#claimTtlMs)) {
          if (this.#closed || this.#held.get(mk) !== held) {
            await gate.releasePost(mk);
            return;
          }
          this.#postHeld(mk, held);
          return;
        }
      } catch {
        // ChannelMemory or the gate failed: look again later.
      }
      this.#poll(mk, held);
    }, this.#options.pollMs ?? POST_POLL_MS);
  }
}
