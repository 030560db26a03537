// hooks/download.completed/90-disk-space.sh: a POSIX sh command hook, run by the command runner.
import assert from 'node:assert/strict';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createExampleRunner, REPO } from './example-runner.ts';

const FILE = 'hooks/download.completed/90-disk-space.sh';

describe(FILE, () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('is executable, as the hooks directory requires of a program', () => {
    accessSync(join(REPO, FILE), constants.X_OK);
  });

  it('reports the free space of the disk that holds the download, as JSON on stdout', async () => {
    const downloads = join(temp.dir, 'downloads');
    mkdirSync(downloads);
    const runner = createExampleRunner();
    try {
      const report = await runner.run({ file: FILE, payload: { title: 'Heat', path: join(downloads, 'Heat.1995.mkv') } });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.equal(report.kind, 'command');
      const result = report.result as { event: string; path: string; freeKiB: number; lowSpace: boolean };
      assert.equal(result.event, 'download.completed');
      assert.equal(result.path, downloads, 'a file that does not exist (yet) is looked up by its directory');
      assert.ok(Number.isInteger(result.freeKiB) && result.freeKiB > 0);
      assert.equal(typeof result.lowSpace, 'boolean');
    } finally {
      await runner.close();
    }
  });

  it('warns on stderr (in the logs) below MIN_FREE_GIB, which its sidecar lets through', async () => {
    const runner = createExampleRunner({ MIN_FREE_GIB: '999999999' });
    try {
      const report = await runner.run({ file: FILE, payload: { title: 'Heat', path: temp.dir } });
      assert.equal(report.status, 'ok', report.error?.message);
      assert.equal((report.result as { lowSpace: boolean }).lowSpace, true);
      // Values the hook is given are redacted from what it prints, as for a module hook's ctx.env.
      assert.ok(report.logs.some((l) => /low disk space: \d+ GiB free on .* \(below MIN_FREE_GIB=\[redacted\]\)/.test(l.message)), JSON.stringify(report.logs));
    } finally {
      await runner.close();
    }
  });

  it('escapes a path with quotes and backslashes into valid JSON', async () => {
    const odd = join(temp.dir, 'a "quoted" \\ dir');
    mkdirSync(odd);
    const runner = createExampleRunner();
    try {
      const report = await runner.run({ file: FILE, payload: { title: 'x', path: odd } });
      assert.equal((report.result as { path: string }).path, odd);
    } finally {
      await runner.close();
    }
  });
});
