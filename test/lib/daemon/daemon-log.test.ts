// The daemon's logger at start: a setting the storage client ignores is logged as a warning with
// its key, file and line (config/notices.ts), and a config without one logs no such line.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../../lib/config/index.ts';
import { createDaemonLog } from '../../../lib/daemon/daemon-log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

function startLog(yaml: string) {
  const file = join(temp.dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `dataDir: ${join(temp.dir, 'data')}\nauth:\n  tokens:\n    - { name: t, token: test-token-0123456789abcdef, scopes: [admin] }\n${yaml}`);
  const sink = createLogSink();
  createDaemonLog({ config: loadConfig({ file, env: {} }), destination: sink.stream });
  return { file, lines: sink.lines() };
}

test('a setting the storage client ignores is logged at start as a warning naming its key, file and line', () => {
  const { file, lines } = startLog('webhooks:\n  safetyPoll: 10s\n');
  const warned = lines.filter((l) => l.level === 40 && l.key === 'webhooks.safetyPoll');
  assert.equal(warned.length, 1, JSON.stringify(lines));
  assert.deepEqual([warned[0]!.file, warned[0]!.line], [file, 6]);
  assert.match(String(warned[0]!.msg), /^config: webhooks\.safetyPoll has no effect with storage\.client sqlite: only postgres reads it$/);
});

test('a config without such settings logs no notice', () => {
  const { lines } = startLog('webhooks:\n  pollInterval: 2s\n');
  assert.deepEqual(lines.filter((l) => String(l.msg).startsWith('config:')), []);
});
