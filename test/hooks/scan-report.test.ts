// hooks/library.scan.completed/50-scan-report.js: a summary of the scan, with ctx.progress.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createExampleRunner } from './example-runner.ts';

const FILE = 'hooks/library.scan.completed/50-scan-report.js';

describe(FILE, () => {
  const runner = createExampleRunner();
  after(() => runner.close());

  it('sorts the new files, flags samples, and reports progress up to 100 %', async () => {
    const newFiles = [
      '/media/Heat (1995)/Heat.mkv',
      '/media/Heat (1995)/Heat.en.srt',
      '/media/Heat (1995)/Sample/heat-sample.mkv',
      '/media/Heat (1995)/movie.nfo',
      '/media/Heat (1995)/notes.bin',
    ];
    const report = await runner.run({ file: FILE, payload: { path: '/media', files: 5, newFiles } });
    assert.equal(report.status, 'ok', report.error?.message);
    assert.deepEqual(report.result, {
      path: '/media',
      files: 5,
      videos: 1,
      subtitles: 1,
      ignored: 1,
      other: 1,
      samples: ['/media/Heat (1995)/Sample/heat-sample.mkv'],
    });
    assert.ok(report.progress.length > 0, 'progress reached the daemon side');
    assert.deepEqual(report.progress.at(-1), { pct: 100, message: 'done', data: { videos: 1, samples: 1 }, at: report.progress.at(-1)!.at });
    assert.ok(report.progress.every((p, i, all) => i === 0 || (p.pct ?? 0) >= (all[i - 1]!.pct ?? 0)), 'progress only goes up');
    assert.ok(report.logs.some((l) => l.level === 'warn' && /sample files in the library/.test(l.message)));
  });

  it('works without a file list (the catalog does not require one)', async () => {
    const report = await runner.run({ file: FILE, payload: { path: '/media', files: 1200, durationMs: 5300 } });
    assert.equal(report.status, 'ok', report.error?.message);
    assert.equal((report.result as { files: number }).files, 0);
    assert.equal(report.progress.at(-1)?.pct, 100);
  });
});
