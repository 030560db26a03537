// The one-off verbs' config: the file named by --config (else HOOKD_CONFIG) merged over the
// defaults, --pretty over the file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { describeFailure, EXIT } from '../../../lib/cli/exit.ts';
import { readConfig } from '../../../lib/cli/config-file.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());

const writeYaml = temp.write;

describe('the CLI config file', () => {
  const named = writeYaml('named.yaml', 'server:\n  port: 8001\nlog:\n  pretty: true\n');
  const fromEnv = writeYaml('env.yaml', 'server:\n  port: 8002\n');

  const resolution: Array<[string, string | undefined, Record<string, string>, number]> = [
    ['--config names the file', named, {}, 8001],
    ['--config wins over HOOKD_CONFIG', named, { HOOKD_CONFIG: fromEnv }, 8001],
    ['HOOKD_CONFIG names it when --config is absent', undefined, { HOOKD_CONFIG: fromEnv }, 8002],
    ['neither: the embedded default', undefined, {}, 7700],
  ];
  for (const [what, file, env, port] of resolution) {
    test(what, () => {
      assert.equal(readConfig(file, { env }).server.port, port);
    });
  }

  test('--pretty overrides the file\'s log.pretty only when given', () => {
    assert.equal(readConfig(named, { env: {} }).log.pretty, true);
    assert.equal(readConfig(named, { env: {}, pretty: false }).log.pretty, false);
    assert.equal(readConfig(undefined, { env: {}, pretty: true }).log.pretty, true);
  });

  test('a missing or invalid file is a usage error (exit 2) naming the file or the key', () => {
    const missing = join(temp.dir, 'missing.yaml');
    const bad = writeYaml('bad.yaml', 'server:\n  port: many\n');
    for (const [file, said] of [[missing, /missing\.yaml/], [bad, /server\.port/]] as const) {
      const failure = describeFailure(catching(() => readConfig(file, { env: {} })));
      assert.equal(failure.code, EXIT.USAGE);
      assert.match(failure.message ?? '', said);
    }
  });
});

function catching(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}
