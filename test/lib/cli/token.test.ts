// `hookd token create` in-process on a temp data dir: the token is printed once, only its digest
// is stored with the scopes asked for, and a second token of the same name is a usage error.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, mock, test } from 'node:test';
import { readConfig } from '../../../lib/cli/config-file.ts';
import { describeFailure, EXIT } from '../../../lib/cli/exit.ts';
import { createTokenCommand } from '../../../lib/cli/token.ts';
import { createTokensStore } from '../../../lib/db/tokens-store.ts';
import { openStorage } from '../../../lib/open-storage.ts';
import { digestToken } from '../../../lib/tokens.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const temp = makeTempDir();
after(() => temp.remove());
const config = temp.write('hookd.yaml', `dataDir: ${JSON.stringify(join(temp.dir, 'data'))}\n`);

/** Runs the verb and answers what it printed to stdout. */
async function createToken(opts: { name: string; scope: string[] }): Promise<string[]> {
  const printed = mock.method(console, 'log', () => {});
  try {
    await createTokenCommand({ ...opts, config });
    return printed.mock.calls.map((c) => String(c.arguments[0]));
  } finally {
    printed.mock.restore();
  }
}

describe('hookd token create', () => {
  test('prints one new token and stores only its digest, with the scopes asked for', async () => {
    const printed = await createToken({ name: 'radarr', scope: ['events', 'metrics'] });
    assert.equal(printed.length, 1);
    const token = printed[0]!;
    assert.match(token, /^\S{32,}$/);
    const { db } = await openStorage(readConfig(config, { env: {} }));
    try {
      const stored = await createTokensStore(db).findByHash(digestToken(token).toString('hex'));
      assert.ok(stored, 'found by the digest the authenticator computes');
      assert.equal(stored.name, 'radarr');
      assert.deepEqual(stored.scopes, ['events', 'metrics']);
      const rows = await db('tokens').select();
      assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is stored nowhere');
    } finally {
      await db.destroy();
    }
  });

  test('two tokens are never the same', async () => {
    const [a] = await createToken({ name: 'a', scope: ['events'] });
    const [b] = await createToken({ name: 'b', scope: ['events'] });
    assert.notEqual(a, b);
  });

  test('a name that exists already is exit 2 and prints no token', async () => {
    await createToken({ name: 'twice', scope: ['admin'] });
    const printed = mock.method(console, 'log', () => {});
    try {
      const error = await createTokenCommand({ name: 'twice', scope: ['admin'], config }).then(() => undefined, (e: unknown) => e);
      assert.deepEqual(describeFailure(error), { code: EXIT.USAGE, message: 'hookd: a token named "twice" exists already' });
      assert.equal(printed.mock.callCount(), 0);
    } finally {
      printed.mock.restore();
    }
  });
});
