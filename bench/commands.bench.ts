// A command hook against a module hook doing the same work (upper-case the title, answer a
// merge patch): (1) through the real daemon, POST /events?wait=true with that one filter hook,
// sequential and 4 clients at once; (2) through the runners directly (sandbox.run, commands.run).
// `npx tsx bench/commands.bench.ts`; about 30 s on the 2-core machine.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { createCommandRunner } from '../lib/commands/index.ts';
import type { HookRecord } from '../lib/db/hooks-store.ts';
import { createEnvGrants } from '../lib/env-grants.ts';
import { startTestDaemon } from '../test/helpers/daemon.ts';
import { makeTempDir } from '../test/helpers/temp-dir.ts';
import { printTable, ratio } from './load.ts';

const MODULE_SOURCE = 'export default (e) => ({ patch: { title: e.payload.title.toUpperCase() } })';
const SCRIPT = `#!/bin/sh
printf '{"patch":{"title":"%s"}}\\n' "$(printf '%s' "$HOOKD_PAYLOAD_TITLE" | tr '[:lower:]' '[:upper:]')"
`;
const SEQUENTIAL = 150;
const CONCURRENT = 300;
const LANES = 4;

async function perCallMs(calls: number, lanes: number, call: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 10; i += 1) await call(i); // warm
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < calls) await call(next++);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return (performance.now() - started) / calls;
}

const temp = makeTempDir('hookd-bench-');
const script = join(temp.dir, 'upper.sh');
writeFileSync(script, SCRIPT);
chmodSync(script, 0o755);
const rows: Array<Record<string, string | number>> = [];

try {
  // (1) the daemon as users drive it
  const d = await startTestDaemon({ config: { log: { level: 'warn' }, hooks: { watch: false } } });
  try {
    const kinds = { module: { source: MODULE_SOURCE }, command: { kind: 'command', command: [script] } } as const;
    const daemonMs: Record<string, { seq: number; conc: number }> = {};
    for (const [kind, body] of Object.entries(kinds)) {
      const created = await d.call('POST', '/hooks', { name: `upper-${kind}`, events: ['media.added'], mode: 'filter', ...body });
      if (created.status !== 201) throw new Error(created.text);
      const call = async (i: number) => {
        const r = await d.call('POST', '/events?wait=true', { type: 'media.added', payload: { title: `akira ${i}` } });
        if (r.body?.payload?.title !== `AKIRA ${i}`) throw new Error(`${kind}: unexpected answer ${r.text}`);
      };
      daemonMs[kind] = { seq: await perCallMs(SEQUENTIAL, 1, call), conc: await perCallMs(CONCURRENT, LANES, call) };
      await d.call('DELETE', `/hooks/${created.body.id}`);
    }
    rows.push(
      { path: 'daemon POST /events?wait=true, sequential', module_ms: daemonMs.module!.seq.toFixed(2), command_ms: daemonMs.command!.seq.toFixed(2), ratio: ratio(daemonMs.command!.seq, daemonMs.module!.seq) },
      { path: `daemon POST /events?wait=true, ${LANES} clients`, module_ms: daemonMs.module!.conc.toFixed(2), command_ms: daemonMs.command!.conc.toFixed(2), ratio: ratio(daemonMs.command!.conc, daemonMs.module!.conc) },
    );
  } finally {
    await d.close();
  }

  // (2) the runners alone: no HTTP, no database, no invocation log
  const { createCompiler, createSandbox } = await import('../runtime/index.ts');
  const options = await (await import('./load.ts')).defaultSandboxOptions();
  const compiler = createCompiler(options);
  const sandbox = createSandbox({ ...options, minThreads: 2, maxThreads: 2 });
  const commands = createCommandRunner({
    config: { concurrency: 4, timeoutMs: 10_000, killGraceMs: 2000, maxOutputBytes: 65536, maxOutputLines: 1000, cwd: null, maxPayloadVars: 256, maxPayloadValueBytes: 4096, user: null, group: null, tracking: 'auto' },
    log: pino({ level: 'silent' }),
    envGrants: createEnvGrants({ secrets: {}, env: {}, credentials: [] }),
    path: process.env.PATH,
    stateDir: null,
  });
  try {
    const compiled = await compiler.compile(MODULE_SOURCE, 'upper.js');
    if (!compiled.ok) throw new Error(compiled.error.message);
    await sandbox.start();
    const event = (i: number) => ({ id: `e${i}`, type: 'media.added', occurredAt: new Date().toISOString(), payload: { title: `akira ${i}` } });
    const check = (what: string, value: unknown, i: number) => {
      if ((value as { patch?: { title?: string } })?.patch?.title !== `AKIRA ${i}`) throw new Error(`${what}: unexpected ${JSON.stringify(value)}`);
    };
    const hook = { id: 'bench', name: 'upper', kind: 'command', command: [script], env: [] } as unknown as HookRecord;
    const moduleCall = async (i: number) => check('module', (await sandbox.run({ hookId: 'bench', hookName: 'upper', hook: compiled.hook, event: event(i) })).value, i);
    const commandCall = async (i: number) => check('command', (await commands.run(hook, event(i), undefined)).value, i);
    const seq = { module: await perCallMs(SEQUENTIAL, 1, moduleCall), command: await perCallMs(SEQUENTIAL, 1, commandCall) };
    const conc = { module: await perCallMs(CONCURRENT, LANES, moduleCall), command: await perCallMs(CONCURRENT, LANES, commandCall) };
    rows.push(
      { path: 'runners directly, sequential', module_ms: seq.module.toFixed(3), command_ms: seq.command.toFixed(3), ratio: ratio(seq.command, seq.module) },
      { path: `runners directly, ${LANES} at once`, module_ms: conc.module.toFixed(3), command_ms: conc.command.toFixed(3), ratio: ratio(conc.command, conc.module) },
    );
  } finally {
    await commands.close();
    await sandbox.close();
    await compiler.close();
  }
  printTable('command hook (sh + tr) vs module hook, same work: ms per event (ratio = command / module)', rows);
} finally {
  temp.remove();
}
