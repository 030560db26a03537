// hideCredentials in a real child process: read from outside, through /proc/<pid>/environ as any
// process of the same user would, the credentials are gone and every other variable is intact;
// the values come back to the caller, and neither process.env nor a child process has them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TSX } from '../helpers/daemon.ts';

const MODULE = fileURLToPath(new URL('../../lib/hide-credentials.ts', import.meta.url));

// The child hides, reports, then waits until its stdin closes, so its environ can be read meanwhile.
const SCRIPT = `
import { execFileSync } from 'node:child_process';
import { hideCredentials } from ${JSON.stringify(MODULE)};
const result = hideCredentials(['HOOKD_TOKEN', 'HOOKD_DATABASE_URL', 'HOOKD_NOT_SET']);
const inherited = execFileSync('/usr/bin/env', { encoding: 'utf8' });
process.stdout.write(JSON.stringify({ result, token: process.env.HOOKD_TOKEN ?? null, keys: Object.keys(process.env), inherited }) + '\\n');
process.stdin.resume();
`;

test('credentials vanish from /proc/<pid>/environ, process.env and children; their values are returned; other variables stay', async () => {
  const token = `hkd_${'t'.repeat(40)}`;
  const url = 'postgres://hookd:hunter2@db.local/hookd';
  const child = spawn(process.execPath, ['--import', TSX, '--input-type=module', '-e', SCRIPT], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOOKD_TOKEN: token, KEEP_ME: 'kept', HOOKD_DATABASE_URL: url, HOOKD_PORT: '7701' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    while (!out.includes('\n')) await once(child.stdout!, 'data');
    const report = JSON.parse(out) as { result: { values: Record<string, string>; hidden: string[]; problem?: string }; token: string | null; keys: string[]; inherited: string };

    const environ = readFileSync(`/proc/${child.pid}/environ`, 'latin1').split('\0').filter(Boolean);
    assert.ok(!environ.some((e) => e.includes(token) || e.includes('hunter2')), `nothing of either credential in ${JSON.stringify(environ)}`);
    assert.ok(environ.includes('KEEP_ME=kept') && environ.includes('HOOKD_PORT=7701'), 'the other variables are untouched');

    assert.equal(report.result.problem, undefined);
    assert.deepEqual(report.result.hidden.sort(), ['HOOKD_DATABASE_URL', 'HOOKD_TOKEN']);
    assert.deepEqual(report.result.values, { HOOKD_TOKEN: token, HOOKD_DATABASE_URL: url });
    assert.equal(report.token, null);
    assert.ok(!report.keys.includes('HOOKD_TOKEN') && report.keys.includes('KEEP_ME'));
    assert.ok(!report.inherited.includes(token) && report.inherited.includes('KEEP_ME=kept'), 'a child does not inherit them');
  } finally {
    child.stdin!.end();
    await once(child, 'exit');
  }
});
