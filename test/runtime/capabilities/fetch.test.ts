import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_OPTIONS } from '../../helpers/sandbox-options.ts';
import { createCompiler, createSandbox, type CompiledHook, type HookGrants, type HookOutcome, type Sandbox } from '../../../runtime/index.ts';
import { isPublicAddress } from '../../../runtime/capabilities/net-allowlist.ts';
import { compileFixture, taskFor } from '../harness.ts';
import { allowedRoutes, startServer, type LocalServer } from '../local-servers.ts';

const OPTIONS = { ...DEFAULT_SANDBOX_OPTIONS, minThreads: 1, maxThreads: 1 };
const MAX_BYTES = 1000;

type FetchResult = Record<string, unknown> & { error?: string; body?: unknown };

describe('ctx.fetch reaches only what permissions.net allows', () => {
  const compiler = createCompiler(OPTIONS);
  let sandbox: Sandbox;
  let hook: CompiledHook;
  let allowed: LocalServer;
  let other: LocalServer;
  let grants: HookGrants;
  before(async () => {
    other = await startServer();
    allowed = await startServer(allowedRoutes(() => other.port, MAX_BYTES));
    grants = { net: { allow: [`127.0.0.1:${allowed.port}`], maxResponseBytes: MAX_BYTES } };
    sandbox = createSandbox(OPTIONS);
    await sandbox.start();
    hook = await compileFixture(compiler, 'fetch.js');
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
    await allowed.close();
    await other.close();
  });

  async function fetchVia(payload: Record<string, unknown>, over: { grants?: HookGrants; timeoutMs?: number } = {}): Promise<{ outcome: HookOutcome; result: FetchResult }> {
    const outcome = await sandbox.run(taskFor(hook, { grants: over.grants ?? grants, payload, timeoutMs: over.timeoutMs ?? 5_000 }));
    return { outcome, result: outcome.value as FetchResult };
  }

  const url = (path: string) => `http://127.0.0.1:${allowed.port}${path}`;

  it('GETs an allowed host and hands back a web-like response', async () => {
    const { outcome, result } = await fetchVia({ url: url('/json'), read: 'json' });
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(result.body, { hello: 'world' });
    assert.equal(result.status, 200);
    assert.equal(result.ok, true);
    assert.equal(result.redirected, false);
    assert.equal(result.contentType, 'application/json');
    assert.equal(result.hasDate, true);
    assert.deepEqual(result.headerNames, ['connection', 'content-type', 'date', 'transfer-encoding', 'x-multi'], 'sorted, lowercase');
    assert.equal(result.multi, 'a, b', 'repeated headers joined as fetch does');
    assert.equal(outcome.denials, undefined);
  });

  it('sends a method, headers and a string, form or bytes body', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ method: 'post', headers: { 'X-Token': 't1' }, body: 'hi there' }, 'hi there', 'text/plain;charset=UTF-8'],
      [{ method: 'PUT', headers: [['content-type', 'application/json']], body: '{"a":1}' }, '{"a":1}', 'application/json'],
      [{ method: 'POST', form: { q: 'a b', n: '1' } }, 'q=a+b&n=1', 'application/x-www-form-urlencoded;charset=UTF-8'],
      [{ method: 'POST', bytes: 'héllo' }, 'héllo', ''],
    ];
    for (const [init, body, type] of cases) {
      const { result } = await fetchVia({ url: url('/echo'), init, read: 'json' });
      const echoed = result.body as { method: string; headers: Record<string, string>; body: string };
      assert.equal(echoed.method, String(init.method).toUpperCase());
      assert.equal(echoed.body, body);
      assert.equal(echoed.headers['content-type'] ?? '', type);
      assert.equal(echoed.headers['accept-encoding'], 'identity');
    }
  });

  it('refuses another port on the same address, records the denial, and never connects', async () => {
    const { outcome, result } = await fetchVia({ url: `http://127.0.0.1:${other.port}/steal` });
    const message = `net access to "127.0.0.1:${other.port}" not granted: add it to permissions.net`;
    assert.equal(result.error, `PermissionDeniedError: ${message}`);
    assert.equal(result.code, 'PERMISSION_DENIED');
    assert.deepEqual(outcome.denials?.map((d) => [d.capability, d.target, d.message]), [['net', `127.0.0.1:${other.port}`, message]]);
    assert.deepEqual(other.hits, []);
  });

  it('refuses localhost when only 127.0.0.1 is allowed: names are matched as written', async () => {
    const { result } = await fetchVia({ url: `http://localhost:${allowed.port}/json` });
    assert.equal(result.error, `PermissionDeniedError: net access to "localhost:${allowed.port}" not granted: add it to permissions.net`);
  });

  it('refuses an allowed name that resolves to a loopback address the list does not name', async (t) => {
    const name = hostname();
    const resolved = await lookup(name).catch(() => undefined);
    if (!resolved || isPublicAddress(resolved.address)) return t.skip(`${name} does not resolve to a non-public address here`);
    const before = allowed.hits.length;
    const { outcome, result } = await fetchVia({ url: `http://${name}:${allowed.port}/json` }, { grants: { net: { allow: [`${name}:${allowed.port}`], maxResponseBytes: MAX_BYTES } } });
    assert.match(result.error ?? '', new RegExp(`^PermissionDeniedError: net access to "${name}:${allowed.port}" not granted \\(it resolves to ${resolved.address}, a non-public address\\)`));
    assert.equal(outcome.denials?.[0]?.capability, 'net');
    assert.equal(allowed.hits.length, before, 'no request reached the server');
  });

  it('follows redirects within the allowlist and refuses a hop outside it', async () => {
    const ok = await fetchVia({ url: url('/redirect-ok'), read: 'json' });
    assert.deepEqual(ok.result.body, { hello: 'world' });
    assert.equal(ok.result.redirected, true);
    assert.equal(ok.result.url, url('/json'));
    const seeOther = await fetchVia({ url: url('/redirect-303'), init: { method: 'POST', body: 'x' }, read: 'json' });
    assert.equal((seeOther.result.body as { method: string }).method, 'GET', '303 turns a POST into a GET');
    const evil = await fetchVia({ url: url('/redirect-evil') });
    assert.equal(evil.result.error, `PermissionDeniedError: net access to "127.0.0.1:${other.port}" not granted: add it to permissions.net`);
    assert.deepEqual(other.hits, []);
    const loop = await fetchVia({ url: url('/redirect-loop') });
    assert.match(loop.result.error ?? '', /^TypeError: fetch followed 5 redirects/);
  });

  it('fails a response over maxResponseBytes, declared or streamed', async () => {
    for (const path of ['/big', '/big-chunked']) {
      const { result } = await fetchVia({ url: url(path) });
      assert.equal(result.error, `RangeError: the response from "127.0.0.1:${allowed.port}" is over the ${MAX_BYTES}-byte limit (net.maxResponseBytes)`, path);
    }
  });

  it('aborts a request still waiting at the call\'s deadline', async () => {
    const { outcome } = await fetchVia({ url: url('/slow') }, { timeoutMs: 400 });
    assert.equal(outcome.status, 'timeout');
    assert.match(outcome.logs[0]?.message ?? '', /^TimeoutError: fetch to "127\.0\.0\.1:\d+" was aborted: the hook call reached its deadline/);
    while (allowed.abandoned === 0) await new Promise((resolve) => setImmediate(resolve));
  });

  it('refuses URLs that are not http(s), and hooks without a grant have no fetch at all', async () => {
    const file = await fetchVia({ url: 'file:///etc/passwd' });
    assert.equal(file.result.error, 'TypeError: fetch supports http: and https: URLs only, not file:');
    const none = await fetchVia({ url: url('/json') }, { grants: {} });
    assert.deepEqual(none.result, { fetch: 'undefined', globalFetch: 'undefined' });
  });

  it('hands back hardened plain objects: no host object or constructor is reachable', async () => {
    const { result } = await fetchVia({ url: url('/json'), probe: true });
    const probes = result.probes as Record<string, string>;
    for (const key of ['constructorChain', 'headersChain', 'textChain', 'promiseChain', 'iteratorChain', 'mutateStatus', 'addField']) {
      assert.match(probes[key] ?? '', /^blocked: TypeError$/, key);
    }
    assert.equal(probes.frozen, 'true');
  });
});

describe('ctx.env gives only granted values, and keeps them out of logs and errors', () => {
  const compiler = createCompiler(OPTIONS);
  let sandbox: Sandbox;
  let hook: CompiledHook;
  const SECRET = 's3cr3t-value/+';
  const grants: HookGrants = { env: { API_TOKEN: SECRET, SHORT: 'on' } };
  before(async () => {
    sandbox = createSandbox(OPTIONS);
    await sandbox.start();
    hook = await compileFixture(compiler, 'env.js');
  });
  after(async () => {
    await sandbox.close();
    await compiler.close();
  });

  it('reads a granted name, and an ungranted one is a recorded denial', async () => {
    const outcome = await sandbox.run(taskFor(hook, { grants }));
    assert.equal(outcome.status, 'ok', JSON.stringify(outcome.error));
    assert.deepEqual(outcome.value, {
      names: ['API_TOKEN', 'SHORT'],
      has: true,
      lower: undefined,
      other: 'PermissionDeniedError: env access to "DATABASE_URL" not granted: add it to permissions.env',
    });
    assert.deepEqual(outcome.denials?.map((d) => [d.capability, d.target]), [['env', 'DATABASE_URL']]);
  });

  it('redacts granted values in log lines, error messages and stacks', async () => {
    const outcome = await sandbox.run(taskFor(hook, { grants, payload: { throwIt: true } }));
    assert.equal(outcome.status, 'error');
    assert.deepEqual(outcome.logs.map((l) => l.message), ['token is [redacted]', '{"nested":{"token":"[redacted]"}}']);
    assert.equal(outcome.error?.message, 'bad token [redacted]');
    assert.match(outcome.error?.stack ?? '', /^Error: bad token \[redacted\]\n/);
    assert.doesNotMatch(JSON.stringify(outcome), /s3cr3t/);
  });

  it('has no ctx.env without a grant', async () => {
    const outcome = await sandbox.run(taskFor(hook));
    assert.equal(outcome.status, 'error');
    assert.match(outcome.error?.message ?? '', /reading 'API_TOKEN'|undefined/);
  });
});
