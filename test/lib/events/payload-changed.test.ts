// payloadChanged: the one rule for `changed` (POST answers, dry runs, run-hook, replays).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { payloadChanged } from '../../../lib/events/payload.ts';

const CASES: Array<[string, unknown, unknown, boolean]> = [
  ['the same value', { title: 'Dune', year: 2021 }, { title: 'Dune', year: 2021 }, false],
  ['keys only reordered', { title: 'Dune', year: 2021 }, { year: 2021, title: 'Dune' }, false],
  ['a value changed', { title: 'Dune' }, { title: 'DUNE' }, true],
  ['a key added', { title: 'Dune' }, { title: 'Dune', tag: 'x' }, true],
  ['a nested array reordered', { genres: ['a', 'b'] }, { genres: ['b', 'a'] }, true],
  ['a number became a string', { year: 2021 }, { year: '2021' }, true],
];

for (const [name, before, after, changed] of CASES) {
  test(`payloadChanged: ${name} → ${changed}`, () => assert.equal(payloadChanged(before, after), changed));
}
