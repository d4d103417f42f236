import type { Deck } from '../core/deck/schema.ts';
import { type DomainError, fail } from '../core/errors.ts';
import type { BallotValue, Lang, RoundCounts, RoundSettings, RoundState } from '../core/model.ts';
import type { Job, RoundRecord, RoundStore } from '../core/ports.ts';
import { ok, type Result } from '../core/result.ts';
import type { Actor, Command } from '../core/round/commands.ts';
import type { Effect, ViewRequest } from '../core/round/effects.ts';
import { transition } from '../core/round/transition.ts';
import { buildView } from '../core/views/build.ts';
import type { ViewInput } from '../core/views/input.ts';
import type { ViewModel } from '../core/views/types.ts';
import { runEffects } from './effects.ts';
import { MissingDeckError } from './errors.ts';
import type { Identity } from './identity.ts';
import { sendNudges } from './nudges.ts';
import { runPurgeJob } from './privacy.ts';
import type { ServiceCommand, ServiceDeps, StartInput } from './service-types.ts';
import { RoundTurns } from './turns.ts';

export type { RoundDefaults, ServiceCommand, ServiceDeps, StartInput } from './service-types.ts';

type Outcome<T> = Result<T, DomainError>;

/** A saved transition whose effects are still to run. */
interface Applied {
  deck: Deck;
  effects: readonly Effect[];
  now: number;
  /** The store version the save produced. */
  version: number;
}

/** The use cases: load → transition → save (compare-and-set) → run effects. */
export class RoundService {
  readonly #d: ServiceDeps;
  readonly #turns = new RoundTurns();

  constructor(deps: ServiceDeps) {
    this.#d = deps;
  }

  keyOf(roundId: string, who: Identity): string {
    return this.#d.keys.of(roundId, who);
  }

  /** The round's language, for answers about it; `fallback` (default: the deployment's) when it is gone. */
  async langOf(roundId: string, fallback: Lang = this.#d.defaults.lang): Promise<Lang> {
    return (await this.#d.store.load(roundId))?.state.settings.lang ?? fallback;
  }

  deckOf(state: RoundState): Deck {
    const deck = this.#d.decks.get(state.settings.deckId);
    if (!deck) throw new MissingDeckError(state.settings.deckId);
    return deck;
  }

  /** Starts a round; the starter becomes its facilitator. */
  async start(
    who: Identity,
    input: StartInput,
  ): Promise<Outcome<{ roundId: string; state: RoundState }>> {
    const d = this.#d.defaults;
    const deckId = input.deckId ?? d.deckId;
    const deck = this.#d.decks.get(deckId);
    if (!deck) return fail('deck_not_found', { deck: deckId });
    const roundId = this.#d.newId();
    const settings: RoundSettings = {
      ...d,
      deckId,
      lang: input.lang ?? d.lang,
      mode: input.mode ?? d.mode,
      k: input.k ?? d.k,
      maxPriorities: input.maxPriorities ?? d.maxPriorities,
      timeZone: input.timeZone ?? d.timeZone,
    };
    const now = this.#d.clock.now();
    const command: Command = {
      type: 'start',
      roundId,
      settings,
      conversation: input.conversation,
      scope: input.scope ?? { kind: 'all' },
    };
    const actor: Actor = { kind: 'user', key: this.keyOf(roundId, who) };
    const result = transition(undefined, command, { now, deck, actor });
    if (!result.ok) return result;
    const { state, effects } = result.value;
    const created = await this.#d.store.create(state);
    if (input.starterJoins !== false) await this.#d.store.join(roundId, actor.key, now);
    await runEffects(this.#d, deck, state, effects, now, created.version);
    this.#d.logger.info({ roundId, mode: settings.mode, deck: deckId }, 'round started');
    return ok({ roundId, state });
  }

  /** Applies a participant's or facilitator's command, retrying when another save won. */
  async command(
    roundId: string,
    who: Identity,
    command: ServiceCommand,
    options: { idempotencyKey?: string } = {},
  ): Promise<Outcome<{ state: RoundState; duplicate: boolean }>> {
    const actor: Actor = { kind: 'user', key: this.keyOf(roundId, who) };
    return this.#apply(roundId, actor, (state) => this.#toCore(state, command), options);
  }

  /** Identities in a command become round-scoped keys. */
  #toCore(state: RoundState, command: ServiceCommand): Command {
    if (command.type === 'handOver') {
      return { type: 'handOver', toKey: this.keyOf(state.id, command.to) };
    }
    if (command.type !== 'addPlanItem' && command.type !== 'editPlanItem') return command;
    // An owner who is a platform user gets a key, so they may report progress themselves.
    const { name, user } = command.input.owner;
    const owner = user
      ? {
          name,
          user,
          key: this.keyOf(state.id, {
            platform: user.platform,
            tenant: state.conversation.tenant,
            userId: user.userId,
          }),
        }
      : { name };
    return { ...command, input: { ...command.input, owner } };
  }

  async #apply(
    roundId: string,
    actor: Actor,
    build: (state: RoundState) => Command,
    options: { idempotencyKey?: string },
  ): Promise<Outcome<{ state: RoundState; duplicate: boolean }>> {
    // One load → transition → save at a time per round in this process: a burst of
    // commands (20 notes at once) would otherwise all load the same version, and all
    // but one would burn an attempt per round of retries until they give up as busy.
    // Conflicts then only come from other processes. Effects run after the turn.
    const outcome = await this.#turns.run(roundId, () =>
      this.#commit(roundId, actor, build, options),
    );
    if (!outcome.ok) return outcome;
    const { state, duplicate, applied } = outcome.value;
    if (applied) {
      const { deck, effects, now, version } = applied;
      await runEffects(this.#d, deck, state, effects, now, version);
    }
    return ok({ state, duplicate });
  }

  async #commit(
    roundId: string,
    actor: Actor,
    build: (state: RoundState) => Command,
    options: { idempotencyKey?: string },
  ): Promise<Outcome<{ state: RoundState; duplicate: boolean; applied?: Applied }>> {
    const attempts = this.#d.maxAttempts ?? 8;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const record = await this.#d.store.load(roundId);
      if (!record) return fail('round_not_found');
      const deck = this.deckOf(record.state);
      const now = this.#d.clock.now();
      const command = build(record.state);
      const result = transition(record.state, command, { now, deck, actor });
      if (!result.ok) {
        // A retry of a request that already went through is refused by the rules
        // (the note exists, the step moved on); it is a duplicate, not a mistake.
        const key = options.idempotencyKey;
        if (key && (await this.#d.store.wasSaved(roundId, key))) {
          return ok({ state: record.state, duplicate: true });
        }
        return result;
      }
      const saved = await this.#d.store.save(result.value.state, record.version, options);
      if (saved.ok) {
        const { state, effects } = result.value;
        const applied = { deck, effects, now, version: saved.version };
        return ok({ state, duplicate: false, applied });
      }
      if (saved.reason === 'duplicate') return ok({ state: record.state, duplicate: true });
      this.#d.logger.debug(
        { roundId, attempt, command: command.type },
        'version conflict, retrying',
      );
    }
    this.#d.logger.warn({ roundId }, 'gave up after repeated version conflicts');
    return fail('busy');
  }

  /** A scheduled job is due: a step deadline, a nudge (async rounds), a follow-up reminder, a purge. */
  async handleJob(job: Job): Promise<void> {
    if (job.type === 'purge') return runPurgeJob(this.#d, job);
    if (job.type === 'deadline') {
      const command: Command = { type: 'deadlineReached', step: job.step, deadline: job.deadline };
      const result = await this.#apply(job.roundId, { kind: 'system' }, () => command, {});
      if (!result.ok)
        this.#d.logger.info({ roundId: job.roundId, code: result.error.code }, 'deadline skipped');
      return;
    }
    if (job.type === 'nudge') return sendNudges(this, job);
    const record = await this.#d.store.load(job.roundId);
    const item = record?.state.plan.find((p) => p.id === job.itemId);
    if (!record || !item || item.status === 'done' || item.due !== job.due) {
      this.#d.logger.info({ roundId: job.roundId, job: job.id }, 'reminder no longer applies');
      return;
    }
    const deck = this.deckOf(record.state);
    await runEffects(
      this.#d,
      deck,
      record.state,
      [
        {
          type: 'show',
          view: { kind: 'reminder', itemId: item.id, daysBefore: job.daysBefore },
          audience: 'group',
        },
      ],
      this.#d.clock.now(),
      record.version,
    );
  }

  /** Saved state plus counts, for channels that render pages on request. */
  async snapshot(roundId: string): Promise<(ViewInput & { version: number }) | undefined> {
    const record = await this.#d.store.load(roundId);
    if (!record) return undefined;
    return this.snapshotOf(record, await this.#d.store.counts(roundId));
  }

  /** A snapshot from a round and counts the caller already holds (no store call). */
  snapshotOf(record: RoundRecord, counts: RoundCounts): ViewInput & { version: number } {
    return {
      deck: this.deckOf(record.state),
      state: record.state,
      counts,
      now: this.#d.clock.now(),
      version: record.version,
    };
  }

  async view(roundId: string, request: ViewRequest): Promise<ViewModel | undefined> {
    const snap = await this.snapshot(roundId);
    return snap ? buildView(request, snap) : undefined;
  }

  /** Records a participant; returns how many have joined. */
  async join(roundId: string, who: Identity): Promise<Outcome<{ participants: number }>> {
    if (!(await this.#d.store.load(roundId))) return fail('round_not_found');
    const participants = await this.#d.store.join(
      roundId,
      this.keyOf(roundId, who),
      this.#d.clock.now(),
    );
    return ok({ participants });
  }

  /** The ballot this person has in an open box (for "your vote: 4"). */
  async ballotOf(
    roundId: string,
    who: Identity,
    box: Parameters<RoundStore['ballotOf']>[1],
  ): Promise<BallotValue | undefined> {
    return this.#d.store.ballotOf(roundId, box, this.keyOf(roundId, who));
  }

  get deps(): Readonly<ServiceDeps> {
    return this.#d;
  }
}
