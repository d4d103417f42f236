import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createContext, runInContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser, command, createRound, joinAll, type Running, startServer } from './harness.ts';

let running: Running[] = [];
async function server(options?: Parameters<typeof startServer>[0]) {
  const s = await startServer(options);
  running.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

/** An SSE stream read with fetch: blocks as they arrive, split on blank lines. */
async function openEvents(url: string) {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const blocks: string[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body ?? []) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          blocks.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        wake();
      }
    } catch {
      // aborted
    }
    ended = true;
    wake();
  })();
  let read = 0;
  return {
    res,
    /** The next block, or undefined when the stream ended or nothing came in time. */
    async next(timeoutMs = 2000): Promise<string | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (read >= blocks.length && !ended && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, deadline - Date.now());
        });
      }
      return read < blocks.length ? blocks[read++] : undefined;
    },
    /** The version in the next change event. */
    async version(timeoutMs = 2000): Promise<number | undefined> {
      for (;;) {
        const block = await this.next(timeoutMs);
        if (block === undefined) return undefined;
        const data = block.match(/^event: change\ndata: (.*)$/m);
        if (data?.[1]) return (JSON.parse(data[1]) as { version: number }).version;
      }
    },
    get ended() {
      return ended;
    },
    close: () => abort.abort(),
  };
}

describe('live updates', () => {
  it('sends the current version at once, then a higher one after a vote', async () => {
    const s = await server();
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const [voter] = await joinAll(s.url, roundId, 1);
    if (!voter) throw new Error('a voter');
    const start = (await voter.state(roundId)).body.version;

    const events = await openEvents(`${s.url}/api/rounds/${roundId}/events`);
    expect(events.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await events.next()).toBe('retry: 2000');
    expect(await events.version()).toBe(start);

    await voter.post(`/api/rounds/${roundId}/vote`, { cardId: 'mentorordninger', value: 4 });
    const after = await events.version();
    expect(after).toBeGreaterThan(start);
    expect((await voter.state(roundId)).body.version).toBe(after);

    // A facilitator command is a change too.
    await command(facilitator, roundId, { type: 'openNextCard' });
    const closed = await events.version();
    expect(closed).toBeGreaterThan(after ?? 0);
    events.close();

    // Reconnecting: the current version straight away, to refetch what was missed.
    await voter.post(`/api/rounds/${roundId}/vote`, {
      cardId: 'kompetenceudvikling-for-ledere',
      value: 2,
    });
    const again = await openEvents(`${s.url}/api/rounds/${roundId}/events`);
    await again.next();
    const current = (await voter.state(roundId)).body.version;
    expect(await again.version()).toBe(current);
    expect(current).toBeGreaterThan(closed ?? 0);
    again.close();
  });

  it('coalesces a burst of changes into few events', async () => {
    const s = await server();
    const { roundId, facilitator } = await createRound(s.url, { scope: 'udvikling' });
    for (let i = 0; i < 3; i++) await command(facilitator, roundId, { type: 'next' });
    await command(facilitator, roundId, { type: 'openNextCard' });
    const events = await openEvents(`${s.url}/api/rounds/${roundId}/events`);
    await events.version();
    const people = await joinAll(s.url, roundId, 8);
    await Promise.all(
      people.map((p) =>
        p.post(`/api/rounds/${roundId}/vote`, { cardId: 'mentorordninger', value: 3 }),
      ),
    );
    const versions: number[] = [];
    for (;;) {
      const v = await events.version(600);
      if (v === undefined) break;
      versions.push(v);
    }
    // 16 changes (8 joins, 8 votes) in well under a second: a handful of events at most.
    expect(versions.length).toBeGreaterThan(0);
    expect(versions.length).toBeLessThanOrEqual(4);
    const final = (await facilitator.state(roundId)).body.version;
    expect(versions.at(-1)).toBe(final);
    events.close();
  });

  it('ends the streams cleanly on close()', async () => {
    const s = await server();
    const { roundId } = await createRound(s.url);
    const events = await openEvents(`${s.url}/api/rounds/${roundId}/events`);
    await events.version();
    s.web.close();
    expect(await events.next()).toBeUndefined();
    expect(events.ended).toBe(true);
    const refused = await fetch(`${s.url}/api/rounds/${roundId}/events`);
    expect(refused.status).toBe(503);
  });

  it('answers 404 for the events of a round that does not exist', async () => {
    const s = await server();
    const res = await fetch(`${s.url}/api/rounds/nope-nope-nope-nope-00/events`);
    expect(res.status).toBe(404);
  });
});

describe('follow-up notices', () => {
  it('shows reminders due today or in the reminder window, and those the scheduler fired', async () => {
    const s = await server();
    const { roundId, facilitator } = await createRound(s.url);
    for (let i = 0; i < 6; i++) await command(facilitator, roundId, { type: 'next' });
    // The manual clock says 23 November 2026, 10:00 in Copenhagen.
    const add = async (what: string, due: string) =>
      (
        await command(facilitator, roundId, {
          type: 'addPlanItem',
          what,
          goal: '',
          actions: '',
          owner: { name: 'Ali' },
          due,
        })
      ).body as { itemId: string };
    await add('I dag', '2026-11-23');
    await add('Om en uge', '2026-11-30');
    const later = await add('Om tre dage', '2026-11-26');
    const notices = async () =>
      (await new Browser(s.url).state(roundId)).body.notices.map((n) => n.item.what).sort();
    expect(await notices()).toEqual(['I dag', 'Om en uge']);

    await s.app.service.handleJob({
      id: 'job-1',
      roundId,
      runAt: s.clock.now(),
      type: 'reminder',
      itemId: later.itemId,
      due: '2026-11-26',
      daysBefore: 3,
    });
    expect(await notices()).toEqual(['I dag', 'Om en uge', 'Om tre dage']);

    await facilitator.post(`/api/rounds/${roundId}/plan/${later.itemId}`, { action: 'done' });
    expect(await notices()).toEqual(['I dag', 'Om en uge']);
    s.clock.advance(2 * 24 * 60 * 60_000);
    expect(await notices()).toEqual([]);
  });
});

describe('health and shutdown', () => {
  it('reports /healthz and /readyz, and 503 once the store is closed', async () => {
    const s = await server();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    await s.app.store.close();
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ok: false });
    // A request that needs the store now gets a polite 503 ("not saved, try again"), not a crash.
    const state = await fetch(`${s.url}/api/rounds/nope-nope-nope-nope-00/state`);
    expect(state.status).toBe(503);
    expect(state.headers.get('retry-after')).toBe('5');
    const body = (await state.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toContain('kan ikke nå sine data');
  });

  it('lets a request in flight finish when shutdown starts', async () => {
    const s = await server();
    const url = new URL(`${s.url}/api/rounds`);
    const body = JSON.stringify({ lang: 'en', scope: 'fastholdelse' });
    const reply = new Promise<{ status: number; text: string; connection?: string }>(
      (resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': body.length },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => {
              text += c.toString();
            });
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection }),
            );
          },
        );
        req.on('error', reject);
        // Half the body now, the rest once shutdown has begun.
        req.write(body.slice(0, 10));
        setTimeout(() => {
          stopping = s.stop();
          setTimeout(() => req.end(body.slice(10)), 100);
        }, 100);
      },
    );
    let stopping: Promise<void> | undefined;
    const done = await reply;
    expect(done.status).toBe(201);
    expect(JSON.parse(done.text)).toMatchObject({ ok: true });
    // Not kept alive: the server's close() need not wait for an idle socket to time out.
    expect(done.connection).toBe('close');
    await stopping;
  });
});

describe('vendored browser scripts', () => {
  it('bind a template in a browser-like global: templating finds adaptive-expressions', async () => {
    const s = await server();
    const window: Record<string, unknown> = {};
    window.self = window;
    window.window = window;
    const context = createContext(window);
    for (const file of ['adaptive-expressions.js', 'adaptivecards-templating.min.js']) {
      runInContext(await (await fetch(`${s.url}/vendor/${file}`)).text(), context);
    }
    const bound = runInContext(
      `new ACData.Template({ type: 'TextBlock', text: '\${title}' }).expand({ $root: { title: 'Mentorordninger' } })`,
      context,
    ) as { text: string };
    expect(bound.text).toBe('Mentorordninger');
    // The file served is the package's own build.
    const require = createRequire(import.meta.url);
    const served = await (await fetch(`${s.url}/vendor/adaptivecards.min.js`)).text();
    expect(served).toBe(
      readFileSync(require.resolve('adaptivecards/dist/adaptivecards.min.js'), 'utf8'),
    );
  });
});
