// The load generator's process (forked by load.ts, which documents the method): receives one
// phase over IPC, loads the scenario module, runs prepare(), fires requests on an open-loop
// schedule, sends back the figures and exits.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import type { LoadRequest, LoadResult, Scenario } from './load.ts';

interface Phase {
  target: string;
  scenario: string;
  scenarioArgs: unknown;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  timeoutMs: number;
}

/** Nearest-rank percentile of sorted samples (as bench/lib/stats.ts). */
function rank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const r = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, r - 1))] as number;
}

async function run(phase: Phase): Promise<LoadResult> {
  const mod = (await import(pathToFileURL(phase.scenario).href)) as Scenario;
  if (typeof mod.request !== 'function') {
    throw new Error(`${phase.scenario} exports no request(state, i)`);
  }
  const state = mod.prepare ? await mod.prepare(phase.scenarioArgs) : undefined;
  const check = mod.check;
  const target = new URL(phase.target);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: phase.connections,
    maxFreeSockets: phase.connections,
    scheduling: 'fifo',
  });

  const intervalMs = 1000 / phase.rate;
  const warmupCount = Math.round(phase.warmupSeconds * phase.rate);
  const measuredCount = Math.round(phase.seconds * phase.rate);
  const total = warmupCount + measuredCount;

  const latencies: number[] = [];
  const lags: number[] = [];
  const statusCounts: Record<string, number> = {};
  const errorSamples = new Set<string>();
  let ok = 0;
  let okInWindow = 0;
  let outstanding = 0;
  let next = 0;

  const t0 = performance.now() + 20;
  const windowStart = t0 + warmupCount * intervalMs;
  const windowEnd = windowStart + measuredCount * intervalMs;
  const cpuStart = process.cpuUsage();
  let cpuEnd: NodeJS.CpuUsage | undefined;

  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const sample = (text: string) => {
    if (errorSamples.size < 5) errorSamples.add(text.slice(0, 300));
  };

  const fire = (i: number, scheduled: number, now: number) => {
    const measured = i >= warmupCount;
    if (measured) lags.push(now - scheduled);
    let spec: LoadRequest;
    try {
      spec = mod.request(state, i);
    } catch (error) {
      if (measured) statusCounts.scenario_error = (statusCounts.scenario_error ?? 0) + 1;
      sample(`request(${i}) threw: ${String(error)}`);
      return;
    }
    outstanding += 1;
    let finished = false;
    const settle = (key: string, good: boolean) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      outstanding -= 1;
      const end = performance.now();
      if (good && end >= windowStart && end <= windowEnd) okInWindow += 1;
      if (measured) {
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        if (good) {
          ok += 1;
          latencies.push(end - scheduled);
        }
      }
      if (outstanding === 0 && next >= total) resolveDone();
    };
    const headers: Record<string, string | number> = { ...spec.headers };
    if (spec.body !== undefined) headers['content-length'] = Buffer.byteLength(spec.body);
    const req = http.request({
      agent,
      host: target.hostname,
      port: target.port,
      method: spec.method ?? 'GET',
      path: spec.path,
      headers,
    });
    const timer = setTimeout(
      () => {
        sample(`${spec.method ?? 'GET'} ${spec.path}: timeout`);
        settle('timeout', false);
        req.destroy(new Error('timeout'));
      },
      Math.max(0, scheduled + phase.timeoutMs - performance.now()),
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (finished) return;
      sample(`${spec.method ?? 'GET'} ${spec.path}: ${error.code ?? error.message}`);
      settle(error.code ?? 'error', false);
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const wantBody = check !== undefined || status < 200 || status >= 300;
      let body = '';
      if (wantBody) {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
      } else {
        res.resume();
      }
      res.on('end', () => {
        let good = status >= 200 && status < 300;
        if (check) {
          try {
            good = check(status, body, state, i);
          } catch {
            good = false;
          }
        }
        if (!good) sample(`${status} ${spec.method ?? 'GET'} ${spec.path}: ${body}`);
        settle(String(status), good);
      });
      res.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? 'error', false));
    });
    req.end(spec.body);
  };

  // The schedule: fire everything that is due, then sleep until the next is due.
  const tick = () => {
    const now = performance.now();
    while (next < total) {
      const scheduled = t0 + next * intervalMs;
      if (scheduled > now) break;
      fire(next, scheduled, now);
      next += 1;
    }
    if (next < total) {
      setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
    } else {
      cpuEnd = process.cpuUsage(cpuStart);
      if (outstanding === 0) resolveDone();
    }
  };
  setTimeout(() => process.send?.({ edge: 'start' }), Math.max(0, windowStart - performance.now()));
  const ended = new Promise<void>((resolve) =>
    setTimeout(
      () => {
        process.send?.({ edge: 'end' });
        resolve();
      },
      Math.max(0, windowEnd - performance.now()),
    ),
  );
  setTimeout(tick, Math.max(0, t0 - performance.now()));
  await Promise.all([done, ended]);
  agent.destroy();

  const sorted = Float64Array.from(latencies).sort();
  const sortedLags = Float64Array.from(lags).sort();
  const cpu = cpuEnd ?? process.cpuUsage(cpuStart);
  const phaseMs = (warmupCount + measuredCount) * intervalMs;
  return {
    target: phase.target,
    rate: phase.rate,
    seconds: phase.seconds,
    sent: measuredCount,
    ok,
    errors: measuredCount - ok,
    achievedRate: okInWindow / ((windowEnd - windowStart) / 1000),
    latencies: {
      count: sorted.length,
      p50: rank(sorted, 50),
      p99: rank(sorted, 99),
      max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
    },
    statusCounts,
    sendLag: { p99: rank(sortedLags, 99), max: sortedLags[sortedLags.length - 1] ?? Number.NaN },
    generatorCpuPercent: phaseMs > 0 ? ((cpu.user + cpu.system) / 1000 / phaseMs) * 100 : 0,
    errorSamples: [...errorSamples],
  };
}

process.once('message', (phase: Phase) => {
  run(phase).then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () =>
        process.exit(1),
      ),
  );
});
// The parent gone: nothing to report to.
process.on('disconnect', () => process.exit(2));
