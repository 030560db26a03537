// The stream hub's fan-out from the bus: filters, hook outcomes, holding live events during a
// replay (without duplicates), the client limits (in all and per token), and ending every stream on stop.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { createBus, type BusMessage } from '../../../lib/bus.ts';
import { compilePatterns } from '../../../lib/event-pattern.ts';
import { frameControl } from '../../../lib/progress/sse-frame.ts';
import { createStreamHub } from '../../../lib/progress/stream-hub.ts';
import { createSseParser } from './sse-reader.ts';

const config = { heartbeatMs: 0, retryMs: 1000, clientQueueLimit: 100, clientQueueBytes: 1 << 20, replayLimit: 10, maxClients: 3, maxClientsPerToken: 2, queryToken: true };
const at = '2026-01-01T00:00:00.000Z';

function target() {
  const stream = new PassThrough();
  const parser = createSseParser();
  stream.on('data', (d) => parser.push(String(d)));
  return { stream, parser };
}

const msg = (m: Partial<BusMessage> & Pick<BusMessage, 'channel' | 'type'>): BusMessage => ({ data: {}, at, ...m });

describe('stream hub', () => {
  test('a client gets only its types, from every channel, with ids only on business events', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config });
    const t = target();
    hub.open(t.stream, { matches: compilePatterns(['download.*', 'hook.executed']), replaying: false, owner: 'a', allowed: async () => true });
    bus.emit('message', msg({ channel: 'progress', type: 'download.progress', key: 'a', data: { pct: 1 } }));
    bus.emit('message', msg({ channel: 'progress', type: 'job.progress', key: 'a' }));
    bus.emit('message', msg({ channel: 'event', type: 'download.grabbed', id: 'e1', data: { title: 'x' } }));
    bus.emit('message', msg({ channel: 'event', type: 'media.added', id: 'e2' }));
    bus.emit('message', msg({ channel: 'hook', type: 'hook.executed', data: { hook: 'h', status: 'ok' } }));
    await new Promise(setImmediate);
    assert.deepEqual(
      t.parser.events.map((e) => [e.event, e.lastEventId, e.json.channel]),
      [['download.progress', '', 'progress'], ['download.grabbed', 'e1', 'event'], ['hook.executed', 'e1', 'hook']],
    );
    assert.deepEqual(t.parser.events[0]!.json, { channel: 'progress', type: 'download.progress', key: 'a', payload: { pct: 1 }, at });
    assert.equal(t.parser.retry, 1000);
    hub.stop();
  });

  test('live events held during a replay are bounded in bytes: past clientQueueBytes the client is dropped', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config: { ...config, clientQueueBytes: 64 * 1024 } });
    const t = target();
    hub.open(t.stream, { matches: () => true, replaying: true, owner: 'a', allowed: async () => true });
    const big = { title: 'x'.repeat(20_000) };
    for (let i = 0; i < 10; i++) bus.emit('message', msg({ channel: 'event', type: 'media.added', id: `e${i}`, data: big }));
    await new Promise(setImmediate);
    assert.equal(hub.stats().dropped, 1, 'ten 20 KB events do not fit 64 KiB: dropped, not held');
    assert.equal(t.parser.events.at(-1)?.json.code, 'SLOW_CLIENT');
    hub.stop();
  });

  test('during a replay live business events wait and those the replay sent are not repeated', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config });
    const t = target();
    const conn = hub.open(t.stream, { matches: () => true, replaying: true, owner: 'a', allowed: async () => true });
    bus.emit('message', msg({ channel: 'event', type: 'media.added', id: 'e2' })); // also in the replay
    bus.emit('message', msg({ channel: 'progress', type: 'job.progress', key: 'k' })); // not held
    bus.emit('message', msg({ channel: 'event', type: 'media.added', id: 'e3' }));
    conn.send(frameControl('replayed', { id: 'e1' }));
    conn.send(frameControl('replayed', { id: 'e2' }));
    conn.goLive(new Set(['e1', 'e2']));
    await new Promise(setImmediate);
    assert.deepEqual(
      t.parser.events.map((e) => e.json.id ?? e.event),
      ['job.progress', 'e1', 'e2', 'e3'],
    );
    hub.stop();
  });

  test('more clients than maxClients get TOO_MANY_STREAMS; a closed one frees its place', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config });
    const a = target();
    hub.open(a.stream, { matches: () => true, replaying: false, owner: 'a', allowed: async () => true });
    hub.open(target().stream, { matches: () => true, replaying: false, owner: 'b', allowed: async () => true });
    hub.open(target().stream, { matches: () => true, replaying: false, owner: 'c', allowed: async () => true });
    assert.throws(() => hub.assertCanOpen('d'), { code: 'TOO_MANY_STREAMS', status: 503 });
    a.stream.destroy();
    await new Promise(setImmediate);
    assert.equal(hub.stats().clients, 2);
    hub.assertCanOpen('d');
    hub.stop();
  });

  test('one token past its share gets TOO_MANY_STREAMS_FOR_TOKEN while another still opens; closing frees the share', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config });
    const first = target();
    hub.open(first.stream, { matches: () => true, replaying: false, owner: 'greedy', allowed: async () => true });
    hub.open(target().stream, { matches: () => true, replaying: false, owner: 'greedy', allowed: async () => true });
    assert.throws(() => hub.open(target().stream, { matches: () => true, replaying: false, owner: 'greedy', allowed: async () => true }), {
      code: 'TOO_MANY_STREAMS_FOR_TOKEN',
      status: 429,
      details: { max: 2, retryAfter: 1 },
    });
    hub.open(target().stream, { matches: () => true, replaying: false, owner: 'other', allowed: async () => true });
    first.stream.destroy();
    await new Promise(setImmediate);
    hub.assertCanOpen('greedy');
    hub.stop();
  });

  test('stop ends every stream, leaves no bus listener and refuses new ones', async () => {
    const bus = createBus();
    const hub = createStreamHub({ bus, config });
    const t = target();
    hub.open(t.stream, { matches: () => true, replaying: false, owner: 'a', allowed: async () => true });
    assert.equal(bus.listenerCount('message'), 1);
    const ended = new Promise((resolve) => t.stream.on('end', resolve));
    hub.stop();
    await ended;
    assert.equal(bus.listenerCount('message'), 0);
    assert.equal(hub.stats().clients, 0);
    assert.throws(() => hub.assertCanOpen('a'), { code: 'SHUTTING_DOWN' });
  });
});
