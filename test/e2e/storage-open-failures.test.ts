// A database hookd cannot reach or open, as an operator meets it under a supervisor: `hookd serve`
// and `hookd migrate` exit with one line naming the server or file and the setting (1: the server
// is out of reach or refuses; 2: the SQLite file's setting must change, as any path's), and nothing
// else but JSON log lines: no stack, no "sandbox host failed" for a host stopped on purpose, no raw
// text from knex, never the password. PostgreSQL's role and database cases need the real server
// (skipped when it is unreachable); a refused connection uses port 1 on loopback.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { writeTestConfig } from '../helpers/daemon.ts';
import { assertOneClearLine as assertFailsInOneLine } from '../helpers/one-line-failure.ts';
import { POSTGRES_TEST_URL, postgresReachable, shownUrl } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const PASSWORD = 's3cretpw-not-to-show';
const temp = makeTempDir();
after(() => temp.remove());
let configs = 0;

/** A config of its own (own data dir) with `storage` merged over the test defaults. */
function configWith(storage: Record<string, unknown>): string {
  const dir = join(temp.dir, `c${(configs += 1)}`);
  mkdirSync(dir);
  return writeTestConfig(dir, { storage });
}

/** Exit `status` with one clear line, never the password. */
function assertOneClearLine(r: CliResult, line: RegExp, status = 1): void {
  assert.ok(!assertFailsInOneLine(r, status, line).includes(PASSWORD), 'never the password');
}

/** `hookd serve` and `hookd migrate` on the same config: the same failure, the same line, the same exit status. */
async function bothVerbs(config: string, env: Record<string, string>, line: RegExp, status = 1): Promise<void> {
  // The timeout only stops a serve that started after all (the failure this test is about).
  for (const verb of ['serve', 'migrate']) assertOneClearLine(await runCli([verb, '--config', config], env, 60_000), line, status);
}

describe('PostgreSQL out of reach', () => {
  const postgres = configWith({ client: 'postgres' });

  test('a refused connection names host, port and HOOKD_DATABASE_URL', async () => {
    await bothVerbs(postgres, { HOOKD_DATABASE_URL: `postgres://bob:${PASSWORD}@127.0.0.1:1/x` },
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:1, database "x" as user "bob" \(storage\.url from HOOKD_DATABASE_URL\): connect ECONNREFUSED 127\.0\.0\.1:1; check that the server runs/);
  });

  test('a host name that does not resolve names the host', async () => {
    await bothVerbs(postgres, { HOOKD_DATABASE_URL: `postgres://bob:${PASSWORD}@hookd-no-such-host.invalid/x` },
      /^cannot connect to PostgreSQL at hookd-no-such-host\.invalid:5432, database "x" as user "bob" \(storage\.url from HOOKD_DATABASE_URL\): getaddrinfo (ENOTFOUND|EAI_AGAIN) hookd-no-such-host\.invalid; check the host name/);
  });

  test('storage.url in the config file is named as such (hookd token create too)', async () => {
    const inFile = configWith({ client: 'postgres', url: `postgres://bob:${PASSWORD}@127.0.0.1:1/x` });
    const line = /^cannot connect to PostgreSQL at 127\.0\.0\.1:1, database "x" as user "bob" \(storage\.url\): connect ECONNREFUSED/;
    assertOneClearLine(await runCli(['migrate', '--config', inFile], {}, 60_000), line);
    assertOneClearLine(await runCli(['token', 'create', '--name', 'a', '--scope', 'events', '--config', inFile], {}, 60_000), line);
  });
});

const reachable = await postgresReachable();

describe('PostgreSQL refusing the daemon', { skip: reachable ? false : `PostgreSQL unreachable at ${shownUrl()}: set HOOKD_TEST_DATABASE_URL` }, () => {
  const postgres = configWith({ client: 'postgres' });
  const serverUrl = (user: string, database: string) => {
    const u = new URL(POSTGRES_TEST_URL);
    u.username = user;
    u.password = PASSWORD;
    u.pathname = `/${database}`;
    u.search = '';
    return u.toString();
  };
  const at = new URL(POSTGRES_TEST_URL).host.replace(/\./g, '\\.');

  test('a role that does not exist', async () => {
    await bothVerbs(postgres, { HOOKD_DATABASE_URL: serverUrl('hookd_no_such_role', 'test') },
      new RegExp(`^cannot connect to PostgreSQL at ${at}(:5432)?, database "test" as user "hookd_no_such_role" \\(storage\\.url from HOOKD_DATABASE_URL\\): .*"hookd_no_such_role"`));
  });

  test('a database that does not exist', async () => {
    const user = new URL(POSTGRES_TEST_URL).username || 'postgres';
    await bothVerbs(postgres, { HOOKD_DATABASE_URL: serverUrl(user, 'hookd_no_such_db') },
      new RegExp(`^cannot connect to PostgreSQL at ${at}(:5432)?, database "hookd_no_such_db" .*\\): database "hookd_no_such_db" does not exist; create the database`));
  });
});

describe('a SQLite file hookd cannot open', () => {
  test('a file that is not a database', async () => {
    const file = join(temp.dir, 'garbage.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 'not a database, just bytes '));
    await bothVerbs(configWith({ file }), {},
      new RegExp(`^cannot open the SQLite database ${file.replace(/\./g, '\\.')} \\(storage\\.file\\): SQLITE_NOTADB: file is not a database; it is not a hookd database`), 2);
  });

  test('a path through a file, where its directory should be', async () => {
    const blocker = join(temp.dir, 'a-file');
    writeFileSync(blocker, '');
    const file = join(blocker, 'hookd.sqlite');
    await bothVerbs(configWith({ file }), {},
      new RegExp(`^cannot create the directory of the SQLite database ${file.replace(/\./g, '\\.')} \\(storage\\.file\\): E(EXIST|NOTDIR): .*; (a part of its path is a file, not a directory|it is a file, not a directory)`), 2);
  });

  test('a directory the daemon may not write', async () => {
    // root writes anywhere chmod allows nothing; sysfs refuses new files even to root.
    let file = '/sys/hookd-test.sqlite';
    if (process.getuid?.() !== 0) {
      const locked = join(temp.dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      file = join(locked, 'hookd.sqlite');
    }
    await bothVerbs(configWith({ file }), {},
      new RegExp(`^cannot (open|create) the SQLite database ${file.replace(/\./g, '\\.')} \\(storage\\.file\\): E(ACCES|PERM|ROFS): `), 2);
  });

  // Opened to be written, a FIFO blocked the daemon's thread until a reader came (deaf to SIGTERM);
  // /dev/null was an I/O error blamed on the disk (exit 1).
  test('a FIFO or a device in its place (exit 2, at once)', async () => {
    const fifo = join(temp.dir, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [file, kind] of [[fifo, 'a FIFO \\(named pipe\\)'], ['/dev/null', 'a character device']] as const) {
      await bothVerbs(configWith({ file }), {},
        new RegExp(`^cannot create the SQLite database ${file.replace(/\./g, '\\.')} \\(storage\\.file\\): it is ${kind}; move it aside, or set storage\\.file to a regular file's path$`), 2);
    }
  });
});
