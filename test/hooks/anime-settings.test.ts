// hooks/media.added/10-anime-settings.js: anime gets the anime profile; the rest is untouched.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createExampleRunner } from './example-runner.ts';

const FILE = 'hooks/media.added/10-anime-settings.js';

describe(FILE, () => {
  const runner = createExampleRunner();
  after(() => runner.close());

  it('switches an anime series to the Anime profile, keeping its tags, and logs why', async () => {
    const report = await runner.run({ file: FILE, payload: { title: 'Frieren', genres: ['Anime', 'Fantasy'], tags: ['4k'] } });
    assert.equal(report.status, 'ok', report.error?.message);
    assert.equal(report.mode, 'filter');
    assert.equal(report.event.type, 'media.added', 'the folder names the event type');
    const payload = report.payload as Record<string, unknown>;
    assert.equal(payload.qualityProfile, 'Anime');
    assert.deepEqual(payload.tags, ['4k', 'anime']);
    assert.deepEqual(payload.searchOptions, { absoluteEpisodeNumbers: true, seasonFolders: false });
    assert.match(report.logs[0]?.message ?? '', /"Frieren" looks like anime/);
  });

  it('recognises anime by tag, whatever the case', async () => {
    const report = await runner.run({ file: FILE, payload: { title: 'Akira', tags: ['ANIME'] } });
    assert.equal((report.payload as Record<string, unknown>).qualityProfile, 'Anime');
  });

  it('leaves anything else unchanged and says nothing', async () => {
    const payload = { title: 'Heat', genres: ['Crime'], qualityProfile: 'HD-1080p' };
    const report = await runner.run({ file: FILE, payload });
    assert.equal(report.status, 'ok');
    assert.equal(report.changed, false);
    assert.deepEqual(report.payload, payload);
    assert.deepEqual(report.logs, []);
  });
});
