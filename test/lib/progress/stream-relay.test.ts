// The stream relay's choice of what goes to the other daemons: progress always (it feeds their
// GET /progress), business events and hook outcomes only while another daemon has stream
// clients; those held back meanwhile go, in order, when a daemon announces its first client, if
// they are recent enough; messages from other daemons are put on the bus and never sent back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBus, type BusMessage } from '../../../lib/bus.ts';
import { createStreamRelay } from '../../../lib/progress/stream-relay.ts';

const at = new Date(0).toISOString();
const event = (id: string): BusMessage => ({ channel: 'event', type: 'media.added', id, data: {}, at });

function relayWith(options: { heldMs?: number; heldMax?: number } = {}) {
  const bus = createBus();
  const state = { listening: false };
  const sent: BusMessage[] = [];
  const relay = createStreamRelay({ bus, remember: () => {}, othersListening: () => state.listening, ...options });
  relay.start((m) => sent.push(m));
  return { bus, state, sent, relay };
}

test('progress is always sent; business events and hook outcomes only while another daemon listens', () => {
  const { bus, state, sent } = relayWith();
  bus.emit('message', { channel: 'progress', type: 'download.progress', key: 'k', data: {}, at });
  bus.emit('message', event('e1'));
  bus.emit('message', { channel: 'hook', type: 'hook.executed', data: {}, at });
  assert.deepEqual(sent.map((m) => m.channel), ['progress']);
  state.listening = true;
  bus.emit('message', event('e2'));
  assert.deepEqual(sent.map((m) => m.id ?? m.channel), ['progress', 'e2']);
});

test('what was held back goes in order when a daemon arrives, once, at most heldMax of the newest', () => {
  const { bus, state, sent, relay } = relayWith({ heldMax: 2 });
  for (const id of ['e1', 'e2', 'e3']) bus.emit('message', event(id));
  state.listening = true;
  relay.sendHeld();
  assert.deepEqual(sent.map((m) => m.id), ['e2', 'e3']);
  relay.sendHeld();
  assert.equal(sent.length, 2, 'sent once');
  assert.equal(relay.stats().heldBack, 3);
});

test('held-back messages older than heldMs are not sent', () => {
  const { bus, sent, relay } = relayWith({ heldMs: 0 });
  bus.emit('message', event('old'));
  // heldMs 0: anything emitted before now is already too old (performance.now() moves on).
  const until = performance.now() + 1;
  while (performance.now() <= until);
  relay.sendHeld();
  assert.deepEqual(sent, []);
});

test('a message from another daemon reaches the bus marked with its origin and is not sent back', () => {
  const { bus, state, sent, relay } = relayWith();
  state.listening = true;
  const seen: BusMessage[] = [];
  bus.on('message', (m) => seen.push(m));
  relay.receive({ channel: 'event', type: 'media.added', id: 'x', data: {}, at }, 'b');
  assert.equal(seen[0]!.origin, 'b');
  assert.deepEqual(sent, []);
});
