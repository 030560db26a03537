// The registry of apps and event types: catalog type names read off the apps' eventTypes, and
// every eventType has a schema, and a normalizer exactly when it names a normalized type that
// the default catalog holds as a business type.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../lib/config/index.ts';
import { APP_EVENTS, ARR_APPS, eventSuffix, findAppEvent } from '../../../lib/integrations/index.ts';
import { NORMALIZERS } from '../../../lib/integrations/normalize/index.ts';
import { APP_SCHEMAS } from '../../../lib/integrations/schemas/index.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

describe('event types', () => {
  test('the part after <app>. is the eventType split at its words, lowercased, dotted', () => {
    for (const [eventType, suffix] of [
      ['Test', 'test'],
      ['Grab', 'grab'],
      ['MovieAdded', 'movie.added'],
      ['MovieFileDelete', 'movie.file.delete'],
      ['SeriesAdd', 'series.add'],
      ['EpisodeFileDelete', 'episode.file.delete'],
      ['HealthRestored', 'health.restored'],
      ['ApplicationUpdate', 'application.update'],
      ['ManualInteractionRequired', 'manual.interaction.required'],
      ['DownloadFailure', 'download.failure'],
    ]) {
      assert.equal(eventSuffix(eventType!), suffix, eventType);
    }
  });

  test("every app's eventTypes (its WebhookEventType enum, the values its Webhook.cs sends) are all known", () => {
    const sent: Record<string, string[]> = {
      radarr: ['Test', 'Grab', 'Download', 'Rename', 'MovieDelete', 'MovieFileDelete', 'Health', 'ApplicationUpdate', 'MovieAdded', 'HealthRestored', 'ManualInteractionRequired'],
      sonarr: ['Test', 'Grab', 'Download', 'Rename', 'SeriesAdd', 'SeriesDelete', 'EpisodeFileDelete', 'Health', 'ApplicationUpdate', 'HealthRestored', 'ManualInteractionRequired'],
      lidarr: ['Test', 'Grab', 'Download', 'DownloadFailure', 'ImportFailure', 'Rename', 'ArtistAdd', 'ArtistDelete', 'AlbumDelete', 'Health', 'Retag', 'ApplicationUpdate', 'HealthRestored'],
      readarr: ['Test', 'Grab', 'Download', 'Rename', 'AuthorAdded', 'AuthorDelete', 'BookDelete', 'BookFileDelete', 'Health', 'Retag', 'ApplicationUpdate'],
      // The enum also has Download and Rename, which Prowlarr's Webhook.cs never sends.
      prowlarr: ['Test', 'Grab', 'Health', 'ApplicationUpdate', 'HealthRestored'],
      // v2's enum (Whisparr/Whisparr develop) and v3's (Whisparr/Whisparr-Eros eros-develop), together.
      whisparr: [
        'Test', 'Grab', 'Download', 'Rename', 'SeriesAdd', 'SeriesDelete', 'EpisodeFileDelete', 'Health', 'ApplicationUpdate', 'HealthRestored', 'ManualInteractionRequired',
        'MovieDelete', 'MovieFileDelete', 'MovieAdded',
      ],
    };
    for (const app of ARR_APPS) assert.deepEqual(APP_EVENTS[app].map((e) => e.eventType).sort(), sent[app]!.sort(), app);
  });

  test('an eventType is found whatever its case; anything else is not', () => {
    assert.equal(findAppEvent('radarr', 'MovieAdded')?.type, 'radarr.movie.added');
    assert.equal(findAppEvent('radarr', 'movieadded')?.type, 'radarr.movie.added');
    assert.equal(findAppEvent('radarr', 'SeriesAdd'), undefined);
    assert.equal(findAppEvent('radarr', 42), undefined);
    assert.equal(findAppEvent('radarr', undefined), undefined);
  });

  test('every eventType has a schema, and a normalizer exactly when it raises a normalized type of the default catalog', () => {
    const catalog = loadConfig({ env: {} }).catalog;
    for (const app of ARR_APPS) {
      const events = APP_EVENTS[app];
      assert.deepEqual(Object.keys(APP_SCHEMAS[app]).sort(), events.map((e) => e.eventType).sort(), `${app} schemas`);
      const normalizing = events.filter((e) => e.normalized).map((e) => e.eventType).sort();
      assert.deepEqual(Object.keys(NORMALIZERS[app]).sort(), normalizing, `${app} normalizers`);
      for (const e of events) {
        assert.equal(catalog[e.type]?.kind, 'business', e.type);
        assert.ok(catalog[e.type]?.schema, `${e.type} has a schema`);
        if (e.normalized) assert.equal(catalog[e.normalized]?.kind, 'business', `${e.type} raises ${e.normalized}`);
      }
      assert.equal(catalog[`${app}.unknown`]?.kind, 'business');
    }
  });

  test('a config entry of the same name replaces a built-in app type; the other built-in types stay', () => {
    const temp = makeTempDir();
    try {
      const file = join(temp.dir, 'hookd.yaml');
      writeFileSync(file, 'catalog:\n  radarr.grab:\n    kind: business\n    description: mine\n');
      const catalog = loadConfig({ file, env: {} }).catalog;
      assert.deepEqual(catalog['radarr.grab'], { kind: 'business', description: 'mine' });
      assert.ok(catalog['radarr.download']?.schema);
      assert.ok(catalog['media.added']?.schema);
    } finally {
      temp.remove();
    }
  });
});
