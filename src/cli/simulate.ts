import { ManualClock } from '../app/clock.ts';
import { createEmbeddedApp } from '../app/compose.ts';
import { DeckCatalog, loadDeckFile } from '../app/decks.ts';
import { silentLogger } from '../app/logger.ts';
import type { RoundDefaults } from '../app/round-service.ts';
import { renderText } from '../channels/text/render.ts';
import type { Lang, Mode, RoundState } from '../core/model.ts';
import type { OutboundMessage } from '../core/ports.ts';
import { planView } from '../core/views/plan.ts';
import { summaryView } from '../core/views/summary.ts';
import { Simulation } from './simulation.ts';
import { checkVotesAgainstDeck, loadVotesFile } from './votes-file.ts';

export interface SimulateOptions {
  participants: number;
  seed: number;
  lang: Lang;
  mode: Mode;
  k: number;
  deckFile?: string;
  votesFile?: string;
}

export interface SimulationReport {
  text: string;
  state: RoundState;
  /** Messages the round sent, in order (what a channel would have posted). */
  messages: OutboundMessage[];
}

const MAX_PRIORITIES = 3;

/** Runs a whole round through the app layer with virtual participants. */
export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 8, 0, 0));
  const decks = DeckCatalog.load();
  const deckId = options.deckFile
    ? loadDeckFile(options.deckFile).id
    : 'baeredygtigt-arbejdsmiljoe';
  if (options.deckFile) decks.add(loadDeckFile(options.deckFile));
  const recorded = options.votesFile ? loadVotesFile(options.votesFile) : undefined;
  const deck = decks.get(deckId);
  if (recorded && options.votesFile && deck)
    checkVotesAgainstDeck(recorded, deck, options.votesFile, MAX_PRIORITIES);
  const messages: OutboundMessage[] = [];
  const defaults: RoundDefaults = {
    deckId,
    lang: options.lang,
    mode: options.mode,
    timeZone: 'Europe/Copenhagen',
    k: options.k,
    maxPriorities: MAX_PRIORITIES,
    reminderDaysBefore: 7,
    reminderHour: 9,
    stepMinutes: { status: 60, rating: 120, custom: 60, priority: 60 },
  };
  const app = await createEmbeddedApp({
    sqlitePath: ':memory:',
    secret: 'simulation-only-secret-not-for-real-rounds',
    clock,
    output: { send: async (m) => void messages.push(m) },
    decks,
    defaults,
    logger: silentLogger(),
  });
  try {
    const sim = new Simulation(app, clock, options, recorded);
    const state = await sim.run();
    const snap = await app.service.snapshot(state.id);
    if (!snap) throw new Error('the simulated round disappeared');
    const jobs = await app.scheduler.pending(state.id);
    // --seed and --mode are echoed as typed: they are the command's own words.
    const people = options.lang === 'da' ? 'deltagere' : 'participants';
    const header = `Dialogrunde – ${snap.deck.title[options.lang]} · ${options.participants} ${people} · seed ${options.seed} · ${options.mode}`;
    const reminders = options.lang === 'da' ? 'Planlagte påmindelser' : 'Scheduled reminders';
    const text = [
      header,
      '',
      renderText(summaryView(snap)),
      '',
      renderText(planView(snap)),
      '',
      `${reminders}: ${jobs.length}`,
    ].join('\n');
    return { text, state, messages };
  } finally {
    await app.close();
  }
}
