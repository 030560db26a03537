// No hook kind can be given hookd's own variables or credentials, through the real daemon:
// refused at registration (POST/PATCH /hooks, dry runs, hooks-directory files) with a 422 that
// names the field and why, and refused again at run time for definitions stored before the
// rule. Names Object.prototype holds (constructor, __proto__, toString, hasOwnProperty) are
// plain names everywhere a client or a hook can use one.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../lib/config/index.ts';
import { openDatabase } from '../../lib/db/connect.ts';
import { ADMIN_TOKEN, EVENTS_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
const saved = { ...process.env };
before(() => {
  // The in-process daemon reads this process's environment, as `hookd serve` reads its own.
  process.env.HOOKD_TOKEN = ADMIN_TOKEN;
  process.env.TOKEN_ALIAS = ADMIN_TOKEN;
  process.env.DB_URL = `postgres://hookd:${EVENTS_TOKEN}@db.local/hookd`;
  process.env.LEGIT = 'legit-value';
});
after(() => {
  for (const name of ['HOOKD_TOKEN', 'TOKEN_ALIAS', 'DB_URL', 'LEGIT']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const moduleHook = (env: string[]) => ({ name: 'grants', mode: 'action', events: ['media.added'], permissions: { env }, source: 'export default (e, ctx) => Object.keys(ctx.env ?? {})' });
const commandHook = (env: string[]) => ({ name: 'grants-cmd', kind: 'command', mode: 'action', events: ['media.added'], env, command: ['/usr/bin/env'] });

describe('registration', () => {
  let d: TestDaemon;
  before(async () => {
    // compileTimeout: on a loaded machine compiling must not be what fails these tests.
    d = await startTestDaemon({ config: { hooks: { watch: false }, runtime: { compileTimeout: '60s' }, secrets: { SECRET_TOKEN: ADMIN_TOKEN, constructor: 'ctor-secret-value' } } });
  });
  after(() => d.close());

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['HOOKD_TOKEN for a module hook', moduleHook(['HOOKD_TOKEN']), '/permissions/env/0', /HOOKD_ are hookd's own/],
    ['a HOOKD_ name in lower case, second in the list', moduleHook(['LEGIT', 'hookd_config']), '/permissions/env/1', /HOOKD_ are hookd's own/],
    ['a variable whose value is the admin token', moduleHook(['TOKEN_ALIAS']), '/permissions/env/0', /hookd's own credentials/],
    ['a config secret whose value is the admin token', moduleHook(['SECRET_TOKEN']), '/permissions/env/0', /hookd's own credentials/],
    ['HOOKD_ in mixed case for a command hook', commandHook(['Hookd_Token']), '/env/0', /HOOKD_ are hookd's own/],
    ['a URL holding the events token for a command hook', commandHook(['LEGIT', 'DB_URL']), '/env/1', /hookd's own credentials/],
  ];
  for (const [what, definition, pointer, reason] of refused) {
    test(`${what}: 422 naming ${pointer}, on POST /hooks and on a dry run`, async () => {
      for (const path of ['/hooks', '/hooks/test']) {
        const body = path === '/hooks/test' ? { ...definition, type: 'media.added', payload: { title: 'x' } } : definition;
        const r = await d.call('POST', path, body);
        assert.equal(r.status, 422, r.text);
        assert.equal(r.body.error.code, 'UNPROCESSABLE');
        assert.equal(r.body.error.details.pointer, pointer);
        assert.match(r.body.error.message, reason);
        assert.ok(!r.text.includes(ADMIN_TOKEN) && !r.text.includes(EVENTS_TOKEN), 'the answer never shows the value');
      }
    });
  }

  test('PATCH cannot add a refused name; the stored permissions stay as they were', async () => {
    const created = await d.call('POST', '/hooks', moduleHook(['LEGIT']));
    assert.equal(created.status, 201, created.text);
    const r = await d.call('PATCH', `/hooks/${created.body.id}`, { permissions: { env: ['LEGIT', 'HOOKD_DATA_DIR'] } });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.error.details.pointer, '/permissions/env/1');
    assert.deepEqual((await d.call('GET', `/hooks/${created.body.id}`)).body.permissions, { env: ['LEGIT'] });
    await d.call('DELETE', `/hooks/${created.body.id}`);
  });

  test('inherited names as env names are plain names: no crash, granted only when they exist', async () => {
    const names = [...INHERITED, 'valueOf'];
    const module = await d.call('POST', '/hooks/test', {
      ...moduleHook(names),
      source: `export default (e, ctx) => ({ keys: Object.keys(ctx.env), ctor: ctx.env.constructor === 'ctor-secret-value' })`,
      type: 'media.added',
      payload: { title: 'x' },
    });
    assert.equal(module.status, 200, module.text);
    assert.equal(module.body.status, 'ok', module.text);
    assert.deepEqual(module.body.result, { keys: ['constructor'], ctor: true });
    const command = await d.call('POST', '/hooks/test', { ...commandHook(names), type: 'media.added', payload: { title: 'x' } });
    assert.equal(command.body.status, 'ok', command.text);
    const vars = (command.body.logs as Array<{ level: string; message: string }>).filter((l) => l.level === 'info').map((l) => l.message);
    assert.ok(vars.includes('constructor=[redacted]'), vars.join('\n'));
    assert.ok(!vars.some((v) => /^(__proto__|toString|hasOwnProperty|valueOf)=/.test(v)));
  });

  test('inherited names as limit profiles, event types, patterns and hook names: a 4xx or a plain name, never a 5xx', async () => {
    for (const name of INHERITED) {
      const limits = await d.call('POST', '/hooks', { ...moduleHook([]), name: `limits-${name.replace(/_/g, 'x')}`, limits: name });
      assert.equal(limits.status, 422, limits.text);
      assert.equal(limits.body.error.details.pointer, '/limits');
      const posted = await d.call('POST', '/events', { type: name, payload: {} }, { token: EVENTS_TOKEN });
      assert.equal(posted.status, 422, posted.text);
      assert.equal(posted.body.error.code, 'UNKNOWN_EVENT_TYPE');
      const pattern = await d.call('POST', '/hooks', { ...moduleHook([]), name: `pattern-${name.replace(/_/g, 'x')}`, events: [name] });
      assert.ok(pattern.status >= 400 && pattern.status < 500, pattern.text);
      for (const path of [`/stream?types=${name}`, `/progress?types=${name}&key=${name}`]) {
        const r = await fetch(new URL(path, d.url), { headers: { authorization: `Bearer ${EVENTS_TOKEN}` }, signal: AbortSignal.timeout(5_000) }).catch((err: Error) => err);
        if (r instanceof Error) continue; // an open stream that the timeout ended: fine, not a 5xx
        assert.ok(r.status < 500, `${path}: ${r.status}`);
        await r.body?.cancel();
      }
    }
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      const created = await d.call('POST', '/hooks', { ...moduleHook([]), name, source: `export default () => ({ patch: { tags: [${JSON.stringify(name)}] } })`, mode: 'filter' });
      assert.equal(created.status, 201, created.text);
    }
    const run = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'x' } });
    assert.equal(run.status, 200, run.text);
    assert.deepEqual(run.body.results.map((r: { hook: { name: string }; status: string }) => [r.hook.name, r.status]).sort(), [['constructor', 'ok'], ['hasOwnProperty', 'ok'], ['toString', 'ok']]);
    const proto = await d.call('POST', '/hooks', { ...moduleHook([]), name: '__proto__' });
    assert.equal(proto.status, 400, proto.text);
  });
});

describe('hooks directory and rows stored before the rule', () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  test('a sidecar or a module config naming HOOKD_TOKEN or a credential is listed disabled with the reason', async () => {
    const folder = join(temp.dir, 'hooks', 'media.added');
    mkdirSync(folder, { recursive: true });
    const program = join(folder, '50-env.sh');
    writeFileSync(program, '#!/bin/sh\nenv\n');
    chmodSync(program, 0o755);
    writeFileSync(`${program}.json`, JSON.stringify({ env: ['LEGIT', 'HOOKD_TOKEN'] }));
    writeFileSync(join(folder, '60-module.js'), "export const config = { permissions: { env: ['TOKEN_ALIAS'] } };\nexport default () => {};\n");
    const d = await startTestDaemon({ dir: temp.dir, config: { hooks: { watch: false }, runtime: { compileTimeout: '60s' } } });
    try {
      const hooks = (await d.call('GET', '/hooks')).body.items as Array<{ name: string; enabled: boolean; disabledReason: string | null }>;
      const byName = new Map(hooks.map((h) => [h.name, h]));
      assert.equal(byName.get('env')?.enabled, false);
      assert.match(byName.get('env')?.disabledReason ?? '', /\/env\/1: "HOOKD_TOKEN" cannot be granted/);
      assert.equal(byName.get('module')?.enabled, false);
      assert.match(byName.get('module')?.disabledReason ?? '', /\/permissions\/env\/0: "TOKEN_ALIAS" cannot be granted.*credentials/);
    } finally {
      await d.stop();
    }
  });

  test('a definition stored before the rule gets nothing the rule refuses, module or command', async () => {
    const dir = join(temp.dir, 'stored');
    mkdirSync(dir);
    let d = await startTestDaemon({ dir, config: { hooks: { watch: false }, runtime: { compileTimeout: '60s' } } });
    const module = await d.call('POST', '/hooks', { ...moduleHook(['LEGIT']), source: 'export default (e, ctx) => ({ keys: Object.keys(ctx.env), values: Object.values(ctx.env) })' });
    const command = await d.call('POST', '/hooks', commandHook(['LEGIT']));
    assert.equal(module.status, 201, module.text);
    assert.equal(command.status, 201, command.text);
    await d.stop();
    // As an older version would have stored them.
    const db = openDatabase(loadConfig({ file: d.configFile, env: {} }).storage);
    const refusedNames = ['HOOKD_TOKEN', 'TOKEN_ALIAS', 'DB_URL', 'LEGIT'];
    await db('hooks').where({ id: module.body.id }).update({ permissions: JSON.stringify({ env: refusedNames }) });
    await db('hooks').where({ id: command.body.id }).update({ env: JSON.stringify(refusedNames) });
    await db.destroy();
    d = await startTestDaemon({ dir, config: { hooks: { watch: false }, runtime: { compileTimeout: '60s' } } });
    try {
      const event = { type: 'media.added', payload: { title: 'x' } };
      const ran = await d.call('POST', `/hooks/${module.body.id}/test`, event);
      assert.equal(ran.body.status, 'ok', ran.text);
      assert.deepEqual(ran.body.result.keys, ['LEGIT']);
      const printed = await d.call('POST', `/hooks/${command.body.id}/test`, event);
      assert.equal(printed.body.status, 'ok', printed.text);
      const vars = (printed.body.logs as Array<{ level: string; message: string }>).filter((l) => l.level === 'info').map((l) => l.message.split('=')[0]);
      assert.ok(vars.includes('LEGIT') && !vars.includes('HOOKD_TOKEN') && !vars.includes('TOKEN_ALIAS') && !vars.includes('DB_URL'), vars.join(', '));
      assert.match(printed.text, /env not passed .*: HOOKD_TOKEN, TOKEN_ALIAS, DB_URL/);
      for (const text of [ran.text, printed.text, d.logs.text()]) assert.ok(!text.includes(ADMIN_TOKEN) && !text.includes(EVENTS_TOKEN));
    } finally {
      await d.stop();
    }
  });
});
