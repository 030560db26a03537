// The .NET formatting the *arr apps apply to script variables, as a table of cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audioChannels, combinePath, directoryName, dotnetDate, flags, pascal, text } from '../../../lib/integrations/arr-script-env/format.ts';

describe('Custom Script value formatting', () => {
  it('Path.GetDirectoryName', () => {
    const cases: Array<[unknown, string]> = [
      ['/downloads/x/a.mkv', '/downloads/x'],
      ['/downloads/x/', '/downloads/x'],
      ['/downloads//x//a.mkv', '/downloads/x'],
      ['/a', '/'],
      ['/', ''],
      ['a.mkv', ''],
      ['', ''],
      [null, ''],
      ['C:\\Downloads\\x\\a.mkv', 'C:\\Downloads\\x'],
      ['C:\\a.mkv', 'C:\\'],
      ['\\\\nas\\media\\tv\\a.mkv', '\\\\nas\\media\\tv'],
    ];
    for (const [path, dir] of cases) assert.equal(directoryName(path), dir, String(path));
  });

  it('DateTime.ToString() under the invariant culture, from ISO UTC', () => {
    const cases: Array<[unknown, string]> = [
      ['2025-03-14T21:37:05.8734512Z', '03/14/2025 21:37:05'],
      ['2017-01-01T20:30:00Z', '01/01/2017 20:30:00'],
      ['2024-03-22T16:00:00+02:00', '03/22/2024 14:00:00'],
      ['2024-03-22', ''],
      [null, ''],
      ['yesterday', ''],
    ];
    for (const [iso, shown] of cases) assert.equal(dotnetDate(iso), shown, String(iso));
  });

  it('decimal audio channels: the layout\'s one decimal kept where JSON dropped it', () => {
    const cases: Array<[unknown, string]> = [[5.1, '5.1'], [7.1, '7.1'], [2, '2'], [1, '1'], [3, '3.0'], [5, '5.0'], [6, '6.0'], [8, '8'], [0, '0'], [null, '']];
    for (const [n, shown] of cases) assert.equal(audioChannels(n), shown, String(n));
  });

  it('enums, flags, booleans and nulls', () => {
    assert.equal(pascal('missingFromDisk'), 'MissingFromDisk');
    assert.equal(pascal('seasonPack'), 'SeasonPack');
    assert.equal(flags([]), '0');
    assert.equal(flags(undefined), '0');
    assert.equal(flags(['G_Freeleech', 'G_Internal']), 'G_Freeleech, G_Internal');
    assert.equal(text(true), 'True');
    assert.equal(text(false), 'False');
    assert.equal(text(null), '');
    assert.equal(text(14495514624), '14495514624');
  });

  it('Path.Combine', () => {
    assert.equal(combinePath('/movies/Heat (1995)', 'Heat.mkv'), '/movies/Heat (1995)/Heat.mkv');
    assert.equal(combinePath('/movies/', 'Heat.mkv'), '/movies/Heat.mkv');
    assert.equal(combinePath('/movies', '/elsewhere/Heat.mkv'), '/elsewhere/Heat.mkv');
    assert.equal(combinePath('D:\\Movies', 'Heat.mkv'), 'D:\\Movies\\Heat.mkv');
  });
});
