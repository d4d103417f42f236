import type { Clock, MessageRevision } from '../../core/ports.ts';
import { compareRevisions } from '../revision.ts';
import { type EditGate, GATE_ENTRY_TTL_MS } from './edit-gate.ts';

interface Entry<V> {
  value: V;
  /** Epoch ms after which the entry is gone. */
  expiresAt: number;
}

/**
 * What the in-process gates of one "backend" share: the stand-in for Redis
 * when there is only one process (or in tests, several simulated instances).
 */
export class MemoryGateBackend {
  readonly revisions = new Map<string, Entry<{ revision: MessageRevision; owner: string }>>();
  readonly leases = new Map<string, Entry<string>>();
  readonly posts = new Map<string, Entry<string>>();
  #sweepAt = 0;

  /** The live entry of `key`, dropping it when expired; now and then sweeps them all. */
  live<V>(map: Map<string, Entry<V>>, key: string, now: number): Entry<V> | undefined {
    if (now >= this.#sweepAt) {
      this.#sweepAt = now + GATE_ENTRY_TTL_MS;
      for (const m of [this.revisions, this.leases, this.posts] as Map<string, Entry<unknown>>[]) {
        for (const [k, e] of m) if (e.expiresAt <= now) m.delete(k);
      }
    }
    const entry = map.get(key);
    if (entry && entry.expiresAt <= now) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }
}

let instances = 0;

/**
 * The EditGate in memory, on an injected clock. One gate per instance; gates
 * sharing a `MemoryGateBackend` behave like instances sharing one Redis. Its
 * answers resolve in call order, like a Redis connection's.
 */
export class MemoryEditGate implements EditGate {
  readonly #clock: Clock;
  readonly #backend: MemoryGateBackend;
  /** Tells this instance's offers, leases and claims from other instances'. */
  readonly #owner = `memory-${++instances}`;

  constructor(clock: Clock, backend: MemoryGateBackend = new MemoryGateBackend()) {
    this.#clock = clock;
    this.#backend = backend;
  }

  async offer(messageKey: string, revision: MessageRevision): Promise<boolean> {
    const now = this.#clock.now();
    const map = this.#backend.revisions;
    const entry = this.#backend.live(map, messageKey, now);
    const newest = !entry || this.#beats(revision, entry.value);
    const expiresAt = now + GATE_ENTRY_TTL_MS;
    if (newest) map.set(messageKey, { value: { revision, owner: this.#owner }, expiresAt });
    else if (entry) entry.expiresAt = expiresAt;
    return newest;
  }

  async acquire(messageKey: string, intervalMs: number): Promise<number> {
    const now = this.#clock.now();
    const lease = this.#backend.live(this.#backend.leases, messageKey, now);
    if (lease) return Math.max(1, lease.expiresAt - now);
    if (intervalMs > 0) {
      this.#backend.leases.set(messageKey, { value: this.#owner, expiresAt: now + intervalMs });
    }
    return 0;
  }

  async isNewest(messageKey: string, revision: MessageRevision): Promise<boolean> {
    const now = this.#clock.now();
    const entry = this.#backend.live(this.#backend.revisions, messageKey, now);
    return !entry || this.#beats(revision, entry.value);
  }

  async claimPost(messageKey: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    if (this.#backend.live(this.#backend.posts, messageKey, now)) return false;
    this.#backend.posts.set(messageKey, { value: this.#owner, expiresAt: now + ttlMs });
    return true;
  }

  async releasePost(messageKey: string): Promise<void> {
    const now = this.#clock.now();
    const claim = this.#backend.live(this.#backend.posts, messageKey, now);
    if (claim?.value === this.#owner) this.#backend.posts.delete(messageKey);
  }

  /** Newer than the recorded one, or the same and recorded by this instance. */
  #beats(revision: MessageRevision, held: { revision: MessageRevision; owner: string }): boolean {
    const order = compareRevisions(revision, held.revision);
    return order > 0 || (order === 0 && held.owner === this.#owner);
  }
}
