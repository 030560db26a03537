// What a command that fails as an operator meets it must print: its exit code, and one line
// `hookd: ...` besides the daemon's JSON log lines, no stack (test/e2e/start-failures.test.ts,
// storage-open-failures.test.ts).
import assert from 'node:assert/strict';
import type { CliResult } from './cli.ts';

/** Exit `status`, and the one line that is not JSON is `hookd: ` + `line`; no stack, no host failure. */
export function assertOneClearLine(r: CliResult, status: number, line: RegExp): string {
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, status, output);
  const plain = output.split('\n').filter((l) => l.trim() !== '' && !isJson(l));
  assert.equal(plain.length, 1, `one line besides the JSON log:\n${output}`);
  assert.match(plain[0]!, /^hookd: /);
  assert.match(plain[0]!.slice('hookd: '.length), line);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack');
  assert.ok(!output.includes('Terminating worker thread') && !output.includes('sandbox host failed'), output);
  return output;
}

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}
