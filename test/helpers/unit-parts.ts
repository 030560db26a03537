// Real parts for unit tests, without a daemon: a migrated SQLite file in a temp dir, the
// default catalog, a logger into a sink, and a stand-in compiler port (the real one is a
// worker pool, covered by test/runtime/compile*.test.ts).
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createCatalog, type Catalog } from '../../lib/catalog.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { migrateLatest, openDatabase } from '../../lib/db/connect.ts';
import type { HookFields } from '../../lib/db/hooks-store.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import type { Compiler } from '../../runtime/index.ts';
import { createLogSink, type LogSink } from './log-sink.ts';
import { makeTempDir } from './temp-dir.ts';

export interface TestDb {
  db: Knex;
  dir: string;
  close(): Promise<void>;
}

/** A database opened and migrated as the daemon does it, in a fresh temp dir. */
export async function openTestDb(): Promise<TestDb> {
  const temp = makeTempDir();
  const db = openDatabase({ file: join(temp.dir, 'hookd.sqlite'), synchronous: 'normal' });
  await migrateLatest(db);
  return {
    db,
    dir: temp.dir,
    close: async () => {
      await db.destroy();
      temp.remove();
    },
  };
}

/** The catalog of the default config (the built-in types and the *arr integration types). */
export function defaultCatalog(): Catalog {
  return createCatalog(loadConfig({ env: {} }).catalog);
}

export function createTestLogger(): { log: Logger; sink: LogSink } {
  const sink = createLogSink();
  return { log: createLogger({ level: 'debug', pretty: false, destination: sink.stream }), sink };
}

/**
 * A compiler that accepts any source without "SYNTAX ERROR" in it (reported at line 2, column 5),
 * and reads `config` as undefined: what hook-definition and hooks-dir do with its answer is
 * what these tests check.
 */
export function createFakeCompiler(): Compiler & { compiled: string[] } {
  const compiled: string[] = [];
  return {
    compiled,
    async compile(source, filename) {
      compiled.push(filename);
      if (source.includes('SYNTAX ERROR')) return { ok: false, error: { message: 'Unexpected token', line: 2, column: 5 } };
      return { ok: true, hook: { hash: `h:${source.length}`, record: { source }, filename } };
    },
    async readConfig() {
      return { ok: true, config: undefined };
    },
    async close() {},
  };
}

/** Stored fields of a module hook, for tests that insert hooks directly. */
export function hookFields(over: Partial<HookFields> & Pick<HookFields, 'name'>): HookFields {
  return {
    origin: 'api',
    filePath: null,
    arrScript: null,
    kind: 'module',
    mode: 'action',
    events: ['media.added'],
    priority: 100,
    source: 'export default () => {}',
    compiled: { hash: 'h', record: {}, filename: `${over.name}.js` },
    command: null,
    env: [],
    permissions: {},
    timeoutMs: null,
    limits: null,
    enabled: true,
    disabledReason: null,
    ...over,
  };
}
