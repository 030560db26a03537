// startDaemon in-process, as a test or an embedder calls it: a start that fails after the data
// dir's lock, the database, the sandbox host and the compile worker are up releases them all, so
// the caller's process, once it has heard the failure, exits by itself. Run in a child with a
// deadline: a handle left open would keep it alive, which no check inside one process sees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../lib/config/index.ts';
import { openStorage } from '../../lib/open-storage.ts';
import { startTestDaemon, TSX } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

const lib = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../lib/${path}`, import.meta.url)));

/** startDaemon on `configFile` in a child; what it printed, and whether it exited by itself before the deadline. */
function startInChild(configFile: string) {
  const script = `import { loadConfig } from ${lib('config/index.ts')};
import { startDaemon } from ${lib('daemon.ts')};
const config = loadConfig({ file: ${JSON.stringify(configFile)}, env: {} });
try {
  const daemon = await startDaemon(config, { logDestination: { write() {} } });
  console.log('started');
  await daemon.stop();
} catch (err) {
  console.log('failed: ' + err.message);
}`;
  return spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
}

test('a start that fails after the database and the sandbox opened leaves nothing open: the caller exits by itself', async () => {
  // A stored hook the registry cannot read (its events are not JSON) fails the start at dispatch's load.
  const d = await startTestDaemon({ dir: temp.dir });
  const created = await d.call('POST', '/hooks', { name: 'unreadable', mode: 'action', events: ['media.added'], source: 'export default () => {}' });
  assert.equal(created.status, 201, created.text);
  await d.stop();
  const { db } = await openStorage(loadConfig({ file: d.configFile, env: {} }));
  try {
    await db('hooks').update({ events: 'not json' });
  } finally {
    await db.destroy();
  }

  const run = startInChild(d.configFile);
  assert.equal(run.signal, null, `the process exited by itself after the failed start: ${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /^failed: .*JSON/m, run.stderr);
  assert.ok(!existsSync(join(d.dataDir, 'hookd.lock')), 'the lock was released');
});
