// commands.user / commands.group resolved against this machine's user database and tried with
// setpriv: the ids and the prefix each case gives, and the config error for each impossible case,
// including a daemon that may not switch users at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveRunAs } from '../../../lib/commands/run-as.ts';
import { isHookdError } from '../../../lib/errors.ts';
import { TSX } from '../../helpers/daemon.ts';

const ROOT = process.getuid?.() === 0 ? false : 'switching users needs root';
const config = (user: string | null, group: string | null = null) => ({ user, group, cwd: null });

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isHookdError(e) && e.code === 'CONFIG', `a CONFIG error, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a config error');
}

describe('resolveRunAs', () => {
  test('neither key set: programs run as the daemon\'s user, no prefix', () => {
    assert.equal(resolveRunAs(config(null)), null);
  });

  test('a user by name: its uid, its primary group, its supplementary groups', { skip: ROOT }, () => {
    const runAs = resolveRunAs(config('nobody'))!;
    assert.deepEqual([runAs.uid, runAs.gid], [65534, 65534]);
    assert.deepEqual(runAs.prefix.slice(1), ['--reuid=65534', '--regid=65534', '--init-groups', '--']);
    assert.match(runAs.prefix[0]!, /\/setpriv$/);
    assert.equal(runAs.label, 'nobody (uid 65534, gid 65534)');
  });

  test('a user and a group by id, unknown to the user database: no supplementary groups', { skip: ROOT }, () => {
    const runAs = resolveRunAs(config('4242', '4243'))!;
    assert.deepEqual([runAs.uid, runAs.gid], [4242, 4243]);
    assert.deepEqual(runAs.prefix.slice(1), ['--reuid=4242', '--regid=4243', '--clear-groups', '--']);
    const ran = spawnSync(runAs.prefix[0]!, [...runAs.prefix.slice(1), '/bin/sh', '-c', 'echo "$(id -u) $(id -g) $(id -G)"'], { encoding: 'utf8' });
    assert.equal(ran.stdout.trim(), '4242 4243 4243', 'the prefix switches to exactly those ids');
  });

  const impossible: Array<[string, () => unknown, RegExp]> = [
    ['an unknown user name', () => resolveRunAs(config('no-such-user-hookd')), /^commands\.user: there is no user "no-such-user-hookd" on this system/],
    ['an unknown group name', () => resolveRunAs(config('nobody', 'no-such-group-hookd')), /^commands\.group: there is no group "no-such-group-hookd"/],
    ['a uid without an entry and no group', () => resolveRunAs(config('4242')), /no primary group: set commands\.group too/],
    ['no setpriv', () => resolveRunAs(config('nobody'), { setprivPaths: ['/nonexistent/setpriv'] }), /need setpriv \(util-linux\) at \/nonexistent\/setpriv/],
  ];
  for (const [name, fn, message] of impossible) {
    test(`${name} is a config error that says what to do`, () => {
      assert.match(configError(fn), message);
    });
  }

  test('a daemon that may not switch users gets a config error at start', { skip: ROOT }, () => {
    // The same check, run by a process that is itself nobody.
    const module = fileURLToPath(new URL('../../../lib/commands/run-as.ts', import.meta.url));
    const script = `import { resolveRunAs } from ${JSON.stringify(module)};
      try { resolveRunAs({ user: 'daemon', group: null, cwd: null }); console.log('switched'); } catch (e) { console.log(e.code, e.message); }`;
    const ran = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', env: { PATH: process.env.PATH }, cwd: '/' });
    assert.match(ran.stdout, /^CONFIG commands\.user\/commands\.group: cannot run programs as daemon \(uid 1, gid 1\): .*hookd must run as root, or with CAP_SETUID and CAP_SETGID/, ran.stderr);
  });
});
