import { readFileSync } from 'node:fs';

/**
 * CPU time and resident memory of a process, read from /proc (Linux), so a
 * benchmark can measure the server process from the outside.
 */
export interface ProcSample {
  /** User + system CPU time in ms since the process started. */
  cpuMs: number;
  /** Resident set size in bytes. */
  rssBytes: number;
  /** When the sample was taken (performance.now(), ms). */
  at: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return {
    cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND,
    rssBytes: rssKb * 1024,
    at: performance.now(),
  };
}

/** CPU use between two samples, in per cent of one core (200 % = both cores busy). */
export function cpuPercent(from: ProcSample, to: ProcSample): number {
  const wall = to.at - from.at;
  return wall > 0 ? ((to.cpuMs - from.cpuMs) / wall) * 100 : Number.NaN;
}
