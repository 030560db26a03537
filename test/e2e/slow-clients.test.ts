// Slow and surplus clients: a request whose body trickles in is answered 408 and its connection
// closed after server.requestTimeout (Node's default held it 5 minutes); past
// server.maxConnections new connections are closed unanswered while open ones keep working; a
// /stream outlives requestTimeout (it bounds receiving the request, not the response).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

const REQUEST_TIMEOUT_MS = 300;

let d: TestDaemon;
before(async () => {
  d = await startTestDaemon({ config: { server: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, maxConnections: 3 }, stream: { maxClients: 2 } } });
});
after(() => d.close());

async function open(): Promise<Socket & { received: () => string }> {
  const { hostname, port } = new URL(d.url);
  const socket = connect({ host: hostname, port: Number(port) });
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  socket.on('error', () => {}); // a reset counts as closed
  await once(socket, 'connect');
  return Object.assign(socket, { received: () => text });
}

const postHead = (length: number) =>
  `POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

test('a request body that trickles in is answered 408 and its connection closed after server.requestTimeout', async () => {
  const socket = await open();
  socket.write(postHead(1000) + '{"type":"media.added",');
  // The daemon, not the client, ends it: nothing more is sent.
  await once(socket, 'close');
  assert.match(socket.received(), /^HTTP\/1\.1 408 /, socket.received());
  assert.match(socket.received(), /"code":"MALFORMED_REQUEST"/);
});

test('headers that never end are cut the same way', async () => {
  const socket = await open();
  socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
  await once(socket, 'close');
  assert.match(socket.received(), /^HTTP\/1\.1 408 /, socket.received());
});

test('a stream lives past requestTimeout; a connection past maxConnections is refused while the others keep working', async () => {
  const stream = await open();
  stream.write(`GET /stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`);
  while (!stream.received().includes('\r\n\r\n')) await once(stream, 'data');
  assert.match(stream.received(), /^HTTP\/1\.1 200 /);
  // A request cut by requestTimeout after the stream opened: the stream has now outlived it.
  const slow = await open();
  slow.write(postHead(1000));
  await once(slow, 'close');
  assert.match(slow.received(), /^HTTP\/1\.1 408 /);
  const held = await open(); // keep-alive connection, idle
  held.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  while (!held.received().includes('\r\n\r\n')) await once(held, 'data');
  const third = await open(); // the third of 3: still accepted
  third.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  while (!third.received().includes('\r\n\r\n')) await once(third, 'data');

  const refused = await open();
  refused.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  await once(refused, 'close');
  assert.equal(refused.received(), '', 'closed unanswered');
  // The stream, open longer than requestTimeout, is still live: an event posted now reaches it.
  third.write(postHead(JSON.stringify({ type: 'media.added', payload: { title: 'still here' } }).length) + JSON.stringify({ type: 'media.added', payload: { title: 'still here' } }));
  while (!stream.received().includes('still here')) await once(stream, 'data');
  for (const s of [stream, held, third]) s.destroy();
});
