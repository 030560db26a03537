// One SSE client's bounded writer against a socket that stops reading: progress is coalesced
// by key in the queue, the queue never passes its bound, and the client is dropped instead.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { createSseClient, type Frame } from '../../../lib/progress/sse-client.ts';

/** A socket whose reader takes nothing until read() is called. */
function stalledSocket() {
  const written: string[] = [];
  let held: (() => void) | undefined;
  let reading = false;
  const socket = new Writable({
    highWaterMark: 64,
    write(chunk, _encoding, callback) {
      written.push(String(chunk));
      if (reading) callback();
      else held = callback;
    },
  });
  return {
    socket,
    written,
    /** The reader starts reading again and keeps up from now on (so 'drain' follows). */
    read() {
      reading = true;
      held?.();
    },
  };
}

const frame = (text: string, coalesceKey?: string): Frame => ({ text: `${text}\n\n`, bytes: text.length + 2, coalesceKey });

describe('SSE client queue', () => {
  test('frames go straight out while the socket keeps up', () => {
    const s = stalledSocket();
    const client = createSseClient({ target: s.socket, queueLimit: 10, queueBytes: 1 << 20 });
    client.send(frame('a'));
    assert.deepEqual(s.written, ['a\n\n']);
    assert.equal(client.stats().queued, 0);
  });

  test('while the socket is behind, queued progress is coalesced by key and order is kept', async () => {
    const s = stalledSocket();
    const client = createSseClient({ target: s.socket, queueLimit: 10, queueBytes: 1 << 20 });
    client.send(frame('x'.repeat(100))); // over the high-water mark: the socket is now behind
    client.send(frame('business-1'));
    for (let i = 0; i < 100; i++) client.send(frame(`p-a-${i}`, 'a'));
    client.send(frame('p-b-0', 'b'));
    client.send(frame('business-2'));
    assert.equal(client.stats().queued, 4);
    assert.equal(client.stats().coalesced, 99);
    s.read();
    await client.whenFlushed();
    assert.deepEqual(s.written.slice(1), ['business-1\n\n', 'p-a-99\n\n', 'p-b-0\n\n', 'business-2\n\n']);
  });

  test('a client that never reads is dropped at the bound with a final error event, and its queue is freed', async () => {
    const s = stalledSocket();
    let dropped = 0;
    let closed = 0;
    const client = createSseClient({ target: s.socket, queueLimit: 50, queueBytes: 1 << 20, onDrop: () => dropped++, onClose: () => closed++ });
    client.send(frame('x'.repeat(100)));
    for (let i = 0; i < 100_000; i++) {
      client.send(frame(`business-${i}`));
      assert.ok(client.stats().queued <= 50);
    }
    assert.equal(dropped, 1);
    assert.equal(closed, 1);
    assert.equal(client.isClosed(), true);
    assert.equal(client.stats().queued, 0);
    assert.equal(client.stats().peakQueued, 50);
    s.read(); // if it ever reads again, the error event is the last thing it gets
    await new Promise((resolve) => s.socket.on('finish', resolve));
    assert.match(s.written.at(-1)!, /^event: error\ndata: \{"code":"SLOW_CLIENT"/);
    assert.equal(s.written.length, 2, 'nothing that was queued is written after the drop');
  });

  test('the byte bound drops a client too', () => {
    const s = stalledSocket();
    let dropped = 0;
    const client = createSseClient({ target: s.socket, queueLimit: 1000, queueBytes: 1000, onDrop: () => dropped++ });
    client.send(frame('x'.repeat(100)));
    for (let i = 0; i < 20; i++) client.send(frame('y'.repeat(98)));
    assert.equal(dropped, 1);
    s.socket.destroy();
  });

  test('heartbeat comments are skipped while frames wait', () => {
    const s = stalledSocket();
    const client = createSseClient({ target: s.socket, queueLimit: 10, queueBytes: 1 << 20 });
    client.comment('ping');
    client.send(frame('x'.repeat(100)));
    client.send(frame('queued'));
    client.comment('ping');
    assert.deepEqual(s.written.filter((w) => w.startsWith(':')), [': ping\n\n']);
    s.socket.destroy();
  });

  test('the peer going away ends the client and frees its queue', async () => {
    const s = stalledSocket();
    let closed = 0;
    const client = createSseClient({ target: s.socket, queueLimit: 10, queueBytes: 1 << 20, onClose: () => closed++ });
    client.send(frame('x'.repeat(100)));
    client.send(frame('queued'));
    const flushed = client.whenFlushed();
    s.socket.destroy();
    await flushed; // waiters are released, not left hanging
    assert.equal(closed, 1);
    assert.equal(client.stats().queued, 0);
  });
});
