// One token cannot take every stream slot: past its share (stream.maxClientsPerToken) it gets
// 429 with Retry-After while other tokens still connect, and a closed stream frees its place.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { waitFor } from '../helpers/wait.ts';
import { openStream, type StreamReader } from '../lib/progress/sse-reader.ts';

const OTHER_TOKEN = 'test-other-producer-0123456789';
let d: TestDaemon;
const open: StreamReader[] = [];
before(async () => {
  d = await startTestDaemon({
    config: {
      stream: { maxClients: 6, maxClientsPerToken: 2 },
      auth: {
        tokens: [
          { name: 'test-admin', token: ADMIN_TOKEN, scopes: ['admin'] },
          { name: 'greedy', token: EVENTS_TOKEN, scopes: ['events'] },
          { name: 'other', token: OTHER_TOKEN, scopes: ['events'] },
        ],
      },
    },
  });
});
after(async () => {
  for (const s of open) s.close();
  await d.close();
});

async function stream(token: string, path = '/stream'): Promise<StreamReader> {
  const s = await openStream(d.url, path, { token });
  open.push(s);
  return s;
}

test('a token that fills its share of streams is refused with 429 while another token still opens one', async () => {
  const first = await stream(EVENTS_TOKEN);
  const second = await stream(EVENTS_TOKEN, '/stream?types=media.*');
  assert.deepEqual([first.status, second.status], [200, 200]);

  const refused = await d.call('GET', '/stream', undefined, { token: EVENTS_TOKEN });
  assert.equal(refused.status, 429, refused.text);
  assert.equal(refused.body.error.code, 'TOO_MANY_STREAMS_FOR_TOKEN');
  assert.match(refused.body.error.message, /"greedy" has 2 streams open.*stream\.maxClientsPerToken/);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After says when to try again');
  // The query-token bridge is the same principal: no way around the share.
  const viaQuery = await d.call('GET', `/stream?access_token=${EVENTS_TOKEN}`, undefined, { token: null });
  assert.equal(viaQuery.status, 429, viaQuery.text);

  const other = await stream(OTHER_TOKEN);
  assert.equal(other.status, 200, 'another token is not locked out');
  const admin = await stream(ADMIN_TOKEN);
  assert.equal(admin.status, 200);

  // Closing one of the greedy token's streams gives its place back.
  first.close();
  const again = await waitFor(async () => {
    const s = await stream(EVENTS_TOKEN);
    if (s.status === 200) return s;
    s.close();
    return undefined;
  }, 'the closed stream to free its place');
  assert.equal(again.status, 200);
  assert.equal((await d.call('GET', '/stats')).body.stream.clients, 4);
});
