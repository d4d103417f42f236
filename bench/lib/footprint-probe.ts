/**
 * Preloaded into the bot by the footprint benchmark (`node --import`): writes
 * the process's own memory figures (V8 heap, its spaces, external memory) to
 * the file named by FOOTPRINT_PROBE once a second, so the benchmark can tell
 * what makes up the RSS it reads from /proc. Changes nothing else.
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const target = process.env.FOOTPRINT_PROBE;
if (target) {
  const write = () => {
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [
        s.space_name,
        { size: s.space_size, used: s.space_used_size },
      ]),
    );
    writeFileSync(target, JSON.stringify({ ...process.memoryUsage(), spaces }));
  };
  setInterval(write, 1000).unref();
  write();
}
