import type { Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ChangeBus, LocalChangeBus } from '../../src/app/change-bus.ts';
import { ManualClock } from '../../src/app/clock.ts';
import { DeckCatalog } from '../../src/app/decks.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { EventHub } from '../../src/channels/web/hub.ts';
import { createWebChannel } from '../../src/channels/web/index.ts';
import type { ViewModel } from '../../src/core/views/types.ts';
import { openRedisChangeBus } from '../../src/store/redis-change-bus.ts';
import { describeWithRedis, REDIS_URL, redisPrefix, redisReachable } from '../fixtures/redis.ts';
import { waitFor } from '../fixtures/wait.ts';
import { DEFAULTS } from './harness.ts';

/** An SSE response that keeps what is written to it. */
function fakeStream() {
  const chunks: string[] = [];
  const res = {
    status: () => res,
    set: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => chunks.push(chunk),
    on: () => res,
    end: () => undefined,
  };
  const versions = () =>
    chunks
      .filter((c) => c.startsWith('event: change'))
      .map((c) => (JSON.parse(c.slice(c.indexOf('data: ') + 6)) as { version: number }).version);
  return { res: res as unknown as Response, versions };
}

describe('LocalChangeBus', () => {
  it('tells every subscriber at once, until unsubscribed or closed', async () => {
    const bus = new LocalChangeBus();
    const heard: string[] = [];
    const stop = bus.subscribe((id) => heard.push(`1:${id}`));
    bus.subscribe((id) => heard.push(`2:${id}`));
    bus.publish('r1');
    stop();
    bus.publish('r2');
    await bus.close();
    bus.publish('r3');
    expect(heard).toEqual(['1:r1', '2:r1', '2:r2']);
  });
});

describe('web channel and change bus', () => {
  it('publishes its round changes on the bus it is given, and hears the others there', async () => {
    const bus = new LocalChangeBus();
    const heard: string[] = [];
    bus.subscribe((id) => heard.push(id));
    const web = createWebChannel({
      logger: silentLogger(),
      clock: new ManualClock(),
      decks: DeckCatalog.load(),
      defaults: DEFAULTS,
      changeBus: bus,
    });
    const view = { kind: 'status', roundId: 'round-1', key: 'round-1:status' };
    await web.output.send({
      conversation: { platform: 'web', tenant: 'local', conversationId: 'c' },
      audience: 'group',
      view: view as unknown as ViewModel,
    });
    expect(heard).toEqual(['round-1']);
    web.close();
  });
});

const up = await redisReachable();

describeWithRedis('Redis change bus', up, () => {
  let r: Awaited<ReturnType<typeof redisPrefix>>;
  const opened: ChangeBus[] = [];
  const open = async (prefix = r.prefix) => {
    const bus = await openRedisChangeBus({ client: r.client, prefix });
    opened.push(bus);
    return bus;
  };
  beforeEach(async () => {
    r = await redisPrefix();
  });
  afterEach(async () => {
    for (const bus of opened.splice(0)) await bus.close();
    await r.cleanup();
  });

  it('a publish on one instance reaches the others once, and its own listeners at once', async () => {
    // b has connections of its own (by URL), as a separate process would.
    const b = await openRedisChangeBus({ url: REDIS_URL, prefix: r.prefix });
    opened.push(b);
    const [a, elsewhere] = [await open(), await open(`${r.prefix}other:`)];
    const heardA: string[] = [];
    const heardB: string[] = [];
    const heardElsewhere: string[] = [];
    a.subscribe((id) => heardA.push(id));
    b.subscribe((id) => heardB.push(id));
    elsewhere.subscribe((id) => heardElsewhere.push(id));

    a.publish('r1');
    expect(heardA).toEqual(['r1']);
    await waitFor(() => heardB.length === 1);
    // Redis delivers in order: once b's marker is back at a, a's own echo would have been too.
    b.publish('marker');
    await waitFor(() => heardA.length === 2);
    expect(heardA).toEqual(['r1', 'marker']);
    expect(heardB).toEqual(['r1', 'marker']);
    expect(heardElsewhere).toEqual([]);
  });

  it("a vote handled by one instance reaches the SSE streams another instance's hub holds", async () => {
    const [busA, busB] = [await open(), await open()];
    const hubA = new EventHub({ logger: silentLogger(), coalesceMs: 5, changes: busA });
    const hubB = new EventHub({ logger: silentLogger(), coalesceMs: 5, changes: busB });
    let version = 1;
    hubB.setVersionSource(async () => version);
    const stream = fakeStream();
    expect(hubB.subscribe('round-1', stream.res, version)).toBe(true);

    version = 2;
    hubA.publish('round-1'); // what WebOutput.send does on instance A
    await waitFor(() => stream.versions().includes(2));
    expect(stream.versions()).toEqual([1, 2]);
    hubA.close();
    hubB.close();
  });

  it('sends a burst of changes of one round to Redis as one message, the last one included', async () => {
    const a = await openRedisChangeBus({ client: r.client, prefix: r.prefix, coalesceMs: 50 });
    opened.push(a);
    const heard: string[] = [];
    a.subscribe((id) => heard.push(id));
    // What the other instances receive: every message on the channel.
    const wire: string[] = [];
    const listener = r.client.duplicate();
    await listener.connect();
    await listener.subscribe(`${r.prefix}changes`, (message) => wire.push(message));
    try {
      for (let i = 0; i < 80; i++) a.publish(i % 2 === 0 ? 'r1' : 'r2');
      expect(heard).toHaveLength(80); // this instance's own streams hear every change at once
      await waitFor(() => wire.length === 2);
      a.publish('r1');
      await waitFor(() => wire.length === 3);
      const rounds = wire.map((m) => (JSON.parse(m) as { roundId: string }).roundId);
      expect(rounds).toEqual(['r1', 'r2', 'r1']);
    } finally {
      await listener.close();
    }
  });

  it('closing is idempotent and stops delivery', async () => {
    const [a, b] = [await open(), await open()];
    const heard: string[] = [];
    b.subscribe((id) => heard.push(id));
    await b.close();
    await b.close();
    a.publish('r1');
    const probe = await open();
    const seen: string[] = [];
    probe.subscribe((id) => seen.push(id));
    a.publish('r2');
    await waitFor(() => seen.includes('r2'));
    expect(heard).toEqual([]);
  });
});
