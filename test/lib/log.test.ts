import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../lib/log.ts';
import { createLogSink } from '../helpers/log-sink.ts';

const SECRET = 'db-pa"ss\\word-€';
const TOKEN = 'hkd_token-value-0123456789abcdef';

test('known secret values are redacted from every daemon log line, in any field, and the line stays JSON', () => {
  const sink = createLogSink();
  const log = createLogger({ level: 'debug', pretty: false, destination: sink.stream, redactValues: [SECRET, TOKEN, 'true'] });
  log.error({ err: new Error(`connect failed: postgres://u:${SECRET}@db`) }, 'storage failed');
  log.info({ detail: { [TOKEN]: 1, list: [`Bearer ${TOKEN}`] }, created: true }, `token ${TOKEN}`);
  log.warn({ url: `https://x.example/?k=${encodeURIComponent(SECRET)}` }, 'webhook attempt');
  const text = sink.text();
  for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET), TOKEN]) {
    assert.ok(!text.includes(form), `${form} in ${text}`);
  }
  const lines = sink.lines();
  assert.equal(lines.length, 3, 'every line still parses as JSON');
  assert.equal(lines[1]!.created, true, 'a secret that looks like a JSON literal never breaks the line');
  assert.equal(lines[1]!.msg, 'token [redacted]');
  assert.match(String((lines[0]!.err as { message: string }).message), /postgres:\/\/u:\[redacted\]@db/);
});

test('a logger without secret values writes lines untouched', () => {
  const sink = createLogSink();
  const log = createLogger({ level: 'info', pretty: false, destination: sink.stream });
  log.info({ value: SECRET }, 'plain');
  assert.equal(sink.lines()[0]!.value, SECRET);
});
