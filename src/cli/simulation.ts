import type { ManualClock } from '../app/clock.ts';
import type { EmbeddedApp } from '../app/compose.ts';
import type { Identity } from '../app/identity.ts';
import type { ServiceCommand } from '../app/round-service.ts';
import { prioritize, vote } from '../app/voting.ts';
import type { DomainError } from '../core/errors.ts';
import type { Rating, RoundState } from '../core/model.ts';
import type { Result } from '../core/result.ts';
import { summarize } from '../core/summary.ts';
import { addDays, epochToZonedDate } from '../core/time.ts';
import { seededRandom } from './rng.ts';
import type { SimulateOptions } from './simulate.ts';
import type { RecordedVotes } from './votes-file.ts';

// The virtual participants of `dialogrunde simulate`: what they write, how they rate.
const SAMPLE = {
  da: {
    notes: [
      'Vi har indført faste sparringsmøder i teamet.',
      'Trivselsmålingen viste, at travlhed fylder meget.',
    ],
    custom: [
      { missionId: 'organisation', title: 'Fælles morgenmøde' },
      { missionId: 'trivsel-paa-arbejdspladsen', title: 'Makkerordning for nye kolleger' },
    ],
    goal: 'En tydelig forbedring inden næste måling',
    actions: 'Drøft indsatsen på personalemødet og aftal første skridt',
    owner: 'Arbejdsmiljørepræsentanten',
  },
  en: {
    notes: [
      'We introduced regular peer sparring in the team.',
      'The wellbeing survey showed workload is a big issue.',
    ],
    custom: [
      { missionId: 'organisation', title: 'Shared morning meeting' },
      { missionId: 'trivsel-paa-arbejdspladsen', title: 'Buddy scheme for new colleagues' },
    ],
    goal: 'A clear improvement before the next survey',
    actions: 'Discuss the initiative at the staff meeting and agree on first steps',
    owner: 'The safety representative',
  },
} as const;

export class Simulation {
  readonly #random: () => number;
  readonly people: Identity[];
  readonly app: EmbeddedApp;
  readonly clock: ManualClock;
  readonly options: SimulateOptions;
  readonly recorded: RecordedVotes | undefined;
  roundId = '';

  constructor(
    app: EmbeddedApp,
    clock: ManualClock,
    options: SimulateOptions,
    recorded: RecordedVotes | undefined,
  ) {
    this.app = app;
    this.clock = clock;
    this.options = options;
    this.recorded = recorded;
    this.#random = seededRandom(options.seed);
    this.people = Array.from({ length: options.participants }, (_, i) => ({
      platform: 'cli',
      tenant: 'local',
      userId: `participant-${i + 1}`,
    }));
  }

  get facilitator(): Identity {
    return this.people[0] as Identity;
  }

  async run(): Promise<RoundState> {
    const started = must(
      await this.app.service.start(this.facilitator, {
        conversation: { platform: 'cli', tenant: 'local', conversationId: 'simulation' },
      }),
    );
    this.roundId = started.roundId;
    for (const p of this.people) must(await this.app.service.join(this.roundId, p));
    const sync = this.options.mode === 'sync';
    if (sync) await this.next(2); // intro → scope → status
    await this.statusNotes();
    await this.advance(); // → rating
    await this.rateStep(sync);
    await this.advance(); // → custom
    if (!this.recorded) await this.customCards();
    await this.rateStep(sync);
    await this.advance(); // → priority
    await this.priorities();
    await this.advance(); // → summary
    await this.plan();
    return (await this.next(1)).state; // summary → ended
  }

  async command(command: ServiceCommand, who = this.facilitator) {
    return must(await this.app.service.command(this.roundId, who, command));
  }

  async next(times: number) {
    let last = await this.command({ type: 'next' });
    for (let i = 1; i < times; i++) last = await this.command({ type: 'next' });
    return last;
  }

  /** Sync: the facilitator presses "next"; async: the deadline passes and the scheduler moves on. */
  async advance() {
    if (this.options.mode === 'sync') return void (await this.next(1));
    const state = await this.state();
    if (state.deadline === null) throw new Error('async step without a deadline');
    this.clock.set(state.deadline);
    await this.app.scheduler.pollOnce((job) => this.app.service.handleJob(job));
  }

  async state(): Promise<RoundState> {
    const record = await this.app.store.load(this.roundId);
    if (!record) throw new Error('round missing');
    return record.state;
  }

  async statusNotes() {
    const notes = SAMPLE[this.options.lang].notes;
    for (const [i, text] of notes.entries()) {
      const who = this.people[(i + 1) % this.people.length] as Identity;
      await this.command({ type: 'addStatusNote', noteId: `note-${i}`, areaId: null, text }, who);
    }
  }

  async customCards() {
    const state = await this.state();
    for (const [i, card] of SAMPLE[this.options.lang].custom.entries()) {
      if (!Object.keys(state.cards).length) break;
      const who = this.people[(i + 2) % this.people.length] as Identity;
      const result = await this.app.service.command(this.roundId, who, {
        type: 'addCustomCard',
        cardId: `custom-${i + 1}`,
        missionId: card.missionId,
        title: card.title,
        description: '',
      });
      // A custom deck may not have the sample mission; the round goes on without it.
      if (!result.ok && result.error.code !== 'mission_not_found') must(result);
    }
  }

  /** Sync: open cards one by one; async: everything is open already. */
  async rateStep(sync: boolean) {
    if (!sync) {
      const state = await this.state();
      for (const id of Object.keys(state.cards))
        if (state.cards[id] === 'open') await this.rateCard(id);
      return;
    }
    for (;;) {
      const result = await this.app.service.command(this.roundId, this.facilitator, {
        type: 'openNextCard',
      });
      if (!result.ok && result.error.code === 'no_pending_cards') return;
      const state = must(result).state;
      const open = Object.keys(state.cards).find((id) => state.cards[id] === 'open');
      if (open) await this.rateCard(open);
    }
  }

  async rateCard(cardId: string) {
    const quality = 1 + this.#random() * 4;
    for (const [i, person] of this.people.entries()) {
      const rating = this.ratingFor(cardId, i, quality);
      if (rating === null) continue;
      must(await vote(this.app.service, this.roundId, person, cardId, rating));
    }
  }

  ratingFor(cardId: string, participant: number, quality: number): Rating | null {
    if (this.recorded) return this.recorded.ratings[cardId]?.[participant] ?? null;
    const roll = this.#random();
    if (roll < 0.03) return null;
    if (roll < 0.1) return 'na';
    const bias = (participant % 5) * 0.3 - 0.6;
    const value = Math.round(quality + bias + (this.#random() - 0.5) * 1.5);
    return Math.min(5, Math.max(1, value)) as Rating;
  }

  async priorities() {
    const snap = await this.app.service.snapshot(this.roundId);
    if (!snap) throw new Error('round missing');
    const lowest = summarize(snap.deck, snap.state, snap.counts).lowestCards.map((c) => c.card.id);
    for (const [i, person] of this.people.entries()) {
      const picks = this.recorded ? this.recorded.priorities[i] : this.pick(lowest.slice(0, 8), 3);
      if (!picks || picks.length === 0) continue;
      must(await prioritize(this.app.service, this.roundId, person, picks));
    }
  }

  pick(from: string[], count: number): string[] {
    const pool = [...from];
    const picks: string[] = [];
    while (picks.length < count && pool.length > 0) {
      const [id] = pool.splice(Math.floor(this.#random() * pool.length), 1);
      if (id) picks.push(id);
    }
    return picks;
  }

  async plan() {
    const snap = await this.app.service.snapshot(this.roundId);
    if (!snap) throw new Error('round missing');
    const sample = SAMPLE[this.options.lang];
    const today = epochToZonedDate(this.clock.now(), snap.state.settings.timeZone);
    const lowest = summarize(snap.deck, snap.state, snap.counts).lowestMissions.slice(0, 3);
    for (const [i, m] of lowest.entries()) {
      await this.command({
        type: 'addPlanItem',
        itemId: `plan-${i + 1}`,
        input: {
          what: m.mission.title[this.options.lang],
          goal: sample.goal,
          actions: sample.actions,
          owner: { name: sample.owner },
          due: addDays(today, 30 * (i + 1)),
          link: { kind: 'mission', id: m.mission.id },
        },
      });
    }
  }
}

/** In a simulation every refusal is a bug in the simulation itself. */
function must<T>(result: Result<T, DomainError>): T {
  if (!result.ok) throw new Error(`simulation step refused: ${result.error.code}`);
  return result.value;
}
