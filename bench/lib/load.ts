/**
 * Open-loop HTTP load from a separate process (so its CPU is not the server's).
 *
 * Usage:
 *
 *   import { runLoad } from './lib/load.ts';
 *   const result = await runLoad({
 *     target: bot.url,                                  // http://127.0.0.1:<port> (loopback only)
 *     scenario: new URL('./my-scenario.ts', import.meta.url).pathname,
 *     scenarioArgs: { roundId, cookies },               // JSON (structured-clone) → prepare(args)
 *     rate: 1000,                                       // requests per second
 *     seconds: 5,                                       // measured phase
 *     warmupSeconds: 2,                                 // sent at the same rate, not counted
 *     onWindow: (edge) => {},                           // optional: 'start' / 'end' of measured window
 *   });
 *   // result: { sent, ok, errors, achievedRate, latencies: { count, p50, p99, max }, statusCounts, … }
 *
 * A scenario module (loaded in the child process) exports:
 *
 *   export async function prepare(args): Promise<State>   // optional; once, before the clock starts
 *   export function request(state, i): LoadRequest         // required; i = 0, 1, 2, … (warm-up included)
 *   export function check(status, body, state, i): boolean // optional; default: 2xx is ok.
 *                                                          //   With it, bodies are read (first 4 KB).
 *
 * where LoadRequest = { method?: string (default 'GET'), path: '/api/…', headers?: {…},
 * body?: string | Uint8Array }. `path` is appended to `target`; a JSON body needs its own 'content-type' header. Keep `request`
 * cheap and synchronous (precompute in `prepare`): it runs on the generator's schedule.
 *
 * Method: request i is due at t0 + i / rate, fired when due whatever earlier requests are doing
 * (open loop), and its latency is measured from that *scheduled* time to the end of the response,
 * so queueing anywhere (in the generator's socket pool included) counts and there is no
 * coordinated omission. Keep-alive node:http Agent with `connections` sockets (default 128).
 * A request without a complete response 5 s (`timeoutMs`) after its scheduled time is aborted and
 * counted as an error ('timeout'). Only requests scheduled in the measured phase count in
 * sent/ok/errors/latencies/statusCounts; `achievedRate` is the ok responses (of any request)
 * completed within the measured window, per second of it — throughput, so a server that falls
 * behind shows a lower rate than the offered one. `sendLag` says how late the generator fired
 * (high = the generator, not the server, is the bottleneck). The child exits once the last
 * outstanding request is done or timed out; the parent kills it should it hang.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LatencySummary } from './stats.ts';

export interface LoadRequest {
  /** Default 'GET'. */
  method?: string;
  /** Path and query, appended to `target`, e.g. '/api/rounds/abc/vote'. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** The shape of a scenario module (for typing its exports; nothing checks it at run time). */
export interface Scenario<State = unknown, Args = unknown> {
  prepare?: (args: Args) => Promise<State> | State;
  request: (state: State, i: number) => LoadRequest;
  check?: (status: number, body: string, state: State, i: number) => boolean;
}

export interface LoadOptions {
  /** Base URL of the server, e.g. 'http://127.0.0.1:41234'. Only loopback hosts are allowed. */
  target: string;
  /** File path (or file: URL) of the scenario module. */
  scenario: string;
  /** Passed to the scenario's `prepare` (structured clone over IPC). */
  scenarioArgs?: unknown;
  /** Requests per second (1…20,000). */
  rate: number;
  /** Measured seconds (> 0, ≤ 120). */
  seconds: number;
  /** Seconds at the same rate before the measured phase, not counted (default 1). */
  warmupSeconds?: number;
  /** Keep-alive sockets in the generator's pool (default 128). */
  connections?: number;
  /** Per-request timeout from its scheduled time, ms (default 5000). */
  timeoutMs?: number;
  /**
   * Called (in this process, over IPC: within a millisecond or so) when the measured window
   * starts and ends, e.g. to sample the server's CPU with sampleProc() over exactly that window.
   */
  onWindow?: (edge: 'start' | 'end') => void;
}

export interface LoadResult {
  target: string;
  rate: number;
  seconds: number;
  /** Requests scheduled (and fired) in the measured phase. */
  sent: number;
  /** Of those: responses judged ok (2xx, or the scenario's `check`). */
  ok: number;
  /** sent − ok: non-ok statuses, timeouts and connection errors. */
  errors: number;
  /** Ok responses completed within the measured window, per second. */
  achievedRate: number;
  /** Scheduled time → response end, ms, of the ok responses of the measured phase. */
  latencies: LatencySummary;
  /** Of the measured phase: HTTP status → count; also 'timeout' and error codes (e.g. 'ECONNRESET'). */
  statusCounts: Record<string, number>;
  /** How late the generator fired requests after their scheduled time, ms (p99, max): high = generator saturated. */
  sendLag: { p99: number; max: number };
  /** The generator's own CPU over warm-up + measured phase, % of one core. */
  generatorCpuPercent: number;
  /** Up to 5 distinct error messages / non-ok samples, for diagnosis. */
  errorSamples: string[];
}

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Runs one open-loop phase (warm-up + measured) in a child process; resolves with its figures. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.target);
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
    throw new Error(`runLoad: target must be http on loopback, got ${options.target}`);
  }
  if (!(options.rate >= 1 && options.rate <= 20_000)) throw new Error('runLoad: rate 1…20000');
  if (!(options.seconds > 0 && options.seconds <= 120)) throw new Error('runLoad: seconds 0…120');
  const warmupSeconds = options.warmupSeconds ?? 1;
  if (!(warmupSeconds >= 0 && warmupSeconds <= 60)) throw new Error('runLoad: warmup 0…60');
  const scenario = options.scenario.startsWith('file:')
    ? fileURLToPath(options.scenario)
    : options.scenario;
  const message = {
    target: url.origin,
    scenario,
    scenarioArgs: options.scenarioArgs,
    rate: options.rate,
    seconds: options.seconds,
    warmupSeconds,
    connections: options.connections ?? 128,
    timeoutMs: options.timeoutMs ?? 5000,
  };
  // prepare() gets a minute; the phase its length plus the timeout and some slack.
  const hardLimitMs =
    60_000 + (warmupSeconds + options.seconds) * 1000 + message.timeoutMs + 15_000;

  const child = fork(CHILD, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return await new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(result as LoadResult);
    };
    const timer = setTimeout(
      () => finish(new Error(`runLoad: generator still running after ${hardLimitMs} ms; killed`)),
      hardLimitMs,
    );
    child.on('message', (m: { result?: LoadResult; error?: string; edge?: 'start' | 'end' }) => {
      if (m.edge) options.onWindow?.(m.edge);
      else if (m.result) finish(undefined, m.result);
      else finish(new Error(`runLoad: generator failed: ${m.error ?? 'unknown'}`));
    });
    child.on('error', (error) => finish(error));
    child.on('exit', (code, signal) =>
      finish(new Error(`runLoad: generator exited (${code ?? signal}) without a result`)),
    );
    child.send(message);
  });
}
