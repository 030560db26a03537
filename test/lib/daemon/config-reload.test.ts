// The reload's own rules: one at a time with at most one queued, none after stop, and which
// settings differ between two configurations, by the names config errors use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../../lib/config/index.ts';
import { readConfig } from '../../../lib/cli/config-file.ts';
import { changedSettings, createConfigReload } from '../../../lib/daemon/config-reload.ts';
import type { SyncReport } from '../../../lib/hooks-dir/index.ts';
import { createLogger } from '../../../lib/log.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

const EMPTY_REPORT: SyncReport = { added: [], updated: [], removed: [], failed: [], unreadable: [] };

function setup() {
  const sink = createLogSink();
  const started = { log: { level: 'info', pretty: false }, auth: { tokens: [] }, settings: {} } as unknown as Config;
  const syncs: Array<() => void> = [];
  let loads = 0;
  const reload = createConfigReload({
    started,
    load: () => {
      loads += 1;
      return started;
    },
    daemon: {
      log: createLogger({ level: 'info', pretty: false, destination: sink.stream }),
      setLogLevel: () => {},
      setTokens: async () => {},
      resyncHooksDir: () => new Promise<SyncReport>((resolve) => syncs.push(() => resolve(EMPTY_REPORT))),
    },
  });
  const reloaded = () => sink.lines().filter((l) => l.msg === 'configuration reloaded').length;
  /** Ends the sync under way, once the reload has reached it. */
  const finishSync = async () => {
    while (syncs.length === 0) await new Promise((r) => setImmediate(r));
    syncs.shift()!();
  };
  return { reload, loads: () => loads, reloaded, finishSync, pendingSyncs: () => syncs.length };
}

test('requests during a reload make one more reload after it, not one each and never two at once', async () => {
  const { reload, loads, reloaded, finishSync, pendingSyncs } = setup();
  reload.request();
  reload.request();
  reload.request();
  assert.equal(loads(), 1, 'the second waits for the first');
  await finishSync();
  await finishSync();
  await reload.stop();
  assert.equal(loads(), 2);
  assert.equal(reloaded(), 2);
  assert.equal(pendingSyncs(), 0);
});

test('stop waits for the reload under way, drops the queued one, and later requests do nothing', async () => {
  const { reload, loads, reloaded, finishSync } = setup();
  reload.request();
  reload.request();
  const stopped = reload.stop();
  await finishSync();
  await stopped;
  reload.request();
  assert.equal(loads(), 1);
  assert.equal(reloaded(), 1);
});

test('changed settings are named down to the leaf of maps, lists whole, keys of one side only by themselves', () => {
  const cases: Array<[unknown, unknown, string[][]]> = [
    [{ a: 1 }, { a: 1 }, []],
    [{ server: { port: 1, host: 'x' } }, { server: { port: 2, host: 'x' } }, [['server', 'port']]],
    [{ auth: { tokens: [{ name: 'a' }] } }, { auth: { tokens: [{ name: 'b' }] } }, [['auth', 'tokens']]],
    [{ secrets: { A: 'x' } }, { secrets: { A: 'x', B: 'y' } }, [['secrets', 'B']]],
    [{ secrets: { A: 'x' } }, { secrets: {} }, [['secrets', 'A']]],
    [{ s: {} }, { s: JSON.parse('{"constructor":"v"}') }, [['s', 'constructor']]],
    [{ s: JSON.parse('{"__proto__":"v"}') }, { s: JSON.parse('{"__proto__":"v"}') }, []],
    [{ a: { b: 1 } }, { a: null }, [['a']]],
  ];
  for (const [before, after, expected] of cases) assert.deepEqual(changedSettings(before, after), expected, JSON.stringify([before, after]));
});

test('a setting a command-line flag overrides is not named as waiting for a restart: the file\'s value has no effect either way', async () => {
  const temp = makeTempDir();
  try {
    const file = temp.write('hookd.yaml', 'log:\n  pretty: false\nserver:\n  port: 7701\n');
    // What `hookd serve --pretty` and then `hookd serve` load, at the start and at each reload.
    for (const [flag, expected] of [[true, ['server.port']], [undefined, ['log.pretty', 'server.port']]] as const) {
      temp.write('hookd.yaml', 'log:\n  pretty: false\nserver:\n  port: 7701\n');
      const load = () => readConfig(file, { pretty: flag, env: {} });
      const sink = createLogSink();
      const reload = createConfigReload({
        started: load(),
        load,
        daemon: {
          log: createLogger({ level: 'info', pretty: false, destination: sink.stream }),
          setLogLevel: () => {},
          setTokens: async () => {},
          resyncHooksDir: async () => EMPTY_REPORT,
        },
      });
      temp.write('hookd.yaml', 'log:\n  pretty: true\nserver:\n  port: 7702\n');
      reload.request();
      await reload.stop();
      const warned = sink.lines().filter((l) => /takes effect at the next restart/.test(String(l.msg)));
      assert.deepEqual(warned.map((l) => [...(l.settings as string[])].sort()), [expected], `--pretty ${flag}`);
    }
  } finally {
    temp.remove();
  }
});
