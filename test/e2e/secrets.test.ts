// Secrets as an attacker would hunt them, through the real daemon: a granted value with quotes,
// backslashes, a newline and non-ASCII, leaked by module hooks every way they can (logs, a
// thrown error, the result, emitted events, progress) and printed by command hooks (stdout,
// stderr, the JSON result, the exit error), must be absent from every answer, stored record,
// database file, stream frame, webhook and daemon log line; and a daemon credential printed by
// a command is redacted the same way.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_TOKEN, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { openStream, type StreamReader } from '../lib/progress/sse-reader.ts';

const SECRET = 'le"ak\\y\nsecret-€-ü';
// Every text form that would give it away (a command prints a multi-line secret line by line).
const FORMS = [
  SECRET,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  ...SECRET.split('\n').flatMap((line) => [line, JSON.stringify(line).slice(1, -1)]),
];

const MODULE_FILTER = `export default async function (event, ctx) {
  const s = ctx.env.LEAKY;
  console.log('plain', s);
  ctx.log.info({ nested: { s, [s]: 'as a key' }, list: [s] });
  ctx.log.warn(JSON.stringify({ s }));
  ctx.log.error('url', encodeURIComponent(s));
  ctx.progress({ key: 'k' + s, pct: 50, message: 'progress ' + s, data: { s, [s]: 1 } });
  ctx.emit('health.issue', { message: 'emitted ' + s, source: s });
  return { patch: { title: 'returned ' + s, tags: [s, JSON.stringify(s)] } };
}`;
const MODULE_ACTION = `export default function (event, ctx) {
  const s = ctx.env.LEAKY;
  const error = new Error('thrown ' + s);
  error.name = 'Leak' + s;
  throw error;
}`;
const COMMAND_JSON = `const s = process.env.LEAKY; console.error('stderr ' + s); process.stdout.write(JSON.stringify({ patch: { path: 'cmd ' + s } }));`;
const COMMAND_FAIL = `const s = process.env.LEAKY; console.log('stdout ' + s); console.error('stderr ' + s); process.exit(3);`;

let d: TestDaemon;
let receiver: WebhookReceiver;
let stream: StreamReader;
let tokenFile: string;
before(async () => {
  receiver = await startWebhookReceiver();
  // compileTimeout: on a loaded machine compiling must not be what fails these tests.
  d = await startTestDaemon({ config: { hooks: { watch: false }, runtime: { compileTimeout: '60s' }, secrets: { LEAKY: SECRET } } });
  tokenFile = join(d.dir, 'token.txt');
  writeFileSync(tokenFile, `the token is ${ADMIN_TOKEN}\n`);
});
after(async () => {
  stream?.close();
  await d.close();
  await receiver.close();
});

async function addHook(def: Record<string, unknown>): Promise<string> {
  const r = await d.call('POST', '/hooks', { events: ['media.added'], ...def });
  assert.equal(r.status, 201, r.text);
  return r.body.id as string;
}

function findLeaks(where: string, text: string, secrets = FORMS): string[] {
  return secrets.filter((form) => text.includes(form)).map((form) => `${where}: ${JSON.stringify(form)}`);
}

test('a secret with quotes, backslashes, a newline and non-ASCII leaks nowhere, whatever the hooks do with it', async () => {
  const hooks = [
    await addHook({ name: 'leak-filter', mode: 'filter', priority: 1, permissions: { env: ['LEAKY'] }, source: MODULE_FILTER }),
    await addHook({ name: 'leak-action', mode: 'action', permissions: { env: ['LEAKY'] }, source: MODULE_ACTION }),
    await addHook({ name: 'leak-cmd-json', kind: 'command', mode: 'filter', priority: 2, env: ['LEAKY'], command: [process.execPath, '-e', COMMAND_JSON] }),
    await addHook({ name: 'leak-cmd-fail', kind: 'command', mode: 'action', env: ['LEAKY'], command: [process.execPath, '-e', COMMAND_FAIL] }),
    await addHook({ name: 'leak-token', kind: 'command', mode: 'action', command: ['/bin/cat', tokenFile] }),
  ];
  const webhook = await d.call('POST', '/webhooks', { url: `${receiver.url}/all`, events: ['media.*', 'health.issue', 'hook.executed'] });
  assert.equal(webhook.status, 201, webhook.text);
  stream = await openStream(d.url, '/stream');

  const posted = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: 'Heat' } });
  assert.equal(posted.status, 200, posted.text);
  assert.deepEqual(posted.body.results.map((r: { status: string }) => r.status), ['ok', 'ok'], 'both filters ran');
  const dryRun = await d.call('POST', `/hooks/${hooks[0]}/test`, { type: 'media.added', payload: { title: 'Dry' } });
  assert.equal(dryRun.status, 200, dryRun.text);
  await d.daemon.idle();
  await receiver.waitFor((rs) => rs.filter((r) => r.body.includes('"hook.executed"')).length >= 5 && rs.some((r) => r.body.includes('"health.issue"')));
  await stream.waitFor((e) => e.event === 'health.issue');
  await stream.waitFor((e) => e.event === 'job.progress');

  const texts: Array<[string, string]> = [['POST /events?wait=true', posted.text], ['dry run', dryRun.text]];
  const events = await d.call('GET', '/events?limit=1000');
  texts.push(['GET /events', events.text]);
  for (const e of events.body.items as Array<{ id: string }>) texts.push([`GET /events/${e.id}`, (await d.call('GET', `/events/${e.id}`)).text]);
  texts.push(['GET /hooks', (await d.call('GET', '/hooks')).text]);
  const invocations: Array<Record<string, any>> = [];
  for (const id of hooks) {
    const r = await d.call('GET', `/hooks/${id}/invocations`);
    texts.push([`invocations of ${id}`, r.text]);
    invocations.push(...r.body.items);
  }
  texts.push(['GET /progress', (await d.call('GET', '/progress')).text]);
  texts.push(['GET /webhooks/:id/deliveries', (await d.call('GET', `/webhooks/${webhook.body.id}/deliveries`)).text]);
  for (const r of receiver.requests) texts.push([`webhook ${r.path}`, r.body]);
  texts.push(['GET /stream', stream.parser.events.map((e) => e.data).join('\n')]);
  texts.push(['daemon log', d.logs.text()]);
  for (const entry of readdirSync(d.dataDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) texts.push([`data file ${entry.name}`, readFileSync(join(entry.parentPath, entry.name), 'utf8')]);
  }

  const leaks = texts.flatMap(([where, text]) => findLeaks(where, text));
  assert.deepEqual(leaks, []);
  const tokenLeaks = texts.flatMap(([where, text]) => findLeaks(where, text, [ADMIN_TOKEN]));
  assert.deepEqual(tokenLeaks, [], 'a credential a command printed is redacted too');

  // Not vacuous: every hook ran and used the secret, and what it left shows the marker instead.
  const byStatus = invocations.map((i) => i.status).sort();
  assert.deepEqual(byStatus, ['error', 'error', 'ok', 'ok', 'ok']);
  assert.equal(posted.body.payload.title, 'returned [redacted]');
  assert.deepEqual(posted.body.payload.tags, ['[redacted]', '"[redacted]"']);
  assert.equal(posted.body.payload.path, 'cmd [redacted]');
  const all = texts.map(([, text]) => text).join('\n');
  for (const shown of ['thrown [redacted]', 'stdout [redacted]', 'emitted [redacted]', 'progress [redacted]', 'the token is [redacted]']) {
    assert.ok(all.includes(shown), `${shown} is somewhere`);
  }
});
