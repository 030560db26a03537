// The `hookd` command line: serve, check, run-hook, migrate, token create. Exit codes scripts
// rely on (lib/cli/exit.ts): 0 ok, 1 runtime failure (a hook that failed), 2 usage, invalid
// configuration or an invalid hook. Each verb's work lives in lib/cli/<verb>.ts.
import { Command, Option } from 'commander';
import { loadConfig, SCOPES, type Config } from './config/index.ts';
import { migrateLatest, openDatabase } from './db/connect.ts';
import { createTokensStore } from './db/tokens-store.ts';
import { startDaemon } from './daemon.ts';
import { checkCommand } from './cli/check.ts';
import { describeFailure, EXIT, usageError } from './cli/exit.ts';
import { runHookCommand, type RunHookOptions } from './cli/run-hook.ts';
import { secureDataFiles } from './data-dir.ts';
import { hideCredentials } from './hide-credentials.ts';
import { digestToken, generateToken } from './tokens.ts';

export { EXIT } from './cli/exit.ts';

/** The database for a one-off verb, in a data directory made private first (as `serve` does). */
function openPrivateDatabase(config: Config) {
  secureDataFiles({ dataDir: config.dataDir, dbFile: config.storage.file });
  return openDatabase(config.storage);
}

function readConfig(file: string | undefined, overrides: { pretty?: boolean; env?: Record<string, string | undefined> } = {}): Config {
  const config = loadConfig({ file, env: overrides.env });
  if (overrides.pretty === undefined) return config;
  return { ...config, log: { ...config.log, pretty: overrides.pretty } };
}

const CONFIG_OPTION = ['-c, --config <file>', 'a YAML config file merged over the embedded defaults (default: $HOOKD_CONFIG)'] as const;

const program = new Command()
  .name('hookd')
  .description('A self-hosted hook runtime: sandboxed hooks and signed webhooks for application events.')
  .exitOverride()
  .showHelpAfterError()
  .addHelpText('after', '\nExit codes: 0 ok, 1 failure (a hook that failed, a runtime error), 2 usage, invalid config or invalid hook.\nRun `hookd <command> --help` for a command\'s options.');

program
  .command('serve')
  .description('run the daemon (the embedded default config, merged with --config or HOOKD_CONFIG)')
  .option(...CONFIG_OPTION)
  .option('--pretty', 'human-readable logs instead of JSON lines')
  .action(async (opts: { config?: string; pretty?: boolean }) => {
    // First: a command hook of the same user could read them from /proc/<pid>/environ.
    const credentials = hideCredentials();
    const config = readConfig(opts.config, { pretty: opts.pretty, env: { ...process.env, ...credentials.values } });
    // Handlers first: "hookd listening" is logged before startDaemon returns, and a supervisor's
    // SIGTERM in between must stop the daemon cleanly once it has started, not kill it.
    let started: Awaited<ReturnType<typeof startDaemon>> | undefined;
    let signals = 0;
    const stop = (daemon: NonNullable<typeof started>, signal: string) => {
      daemon.log.info({ signal }, 'signal received');
      daemon.stop().then(
        () => process.exit(EXIT.OK),
        (err: unknown) => {
          daemon.log.error({ err }, 'error while stopping');
          process.exit(EXIT.FAILURE);
        },
      );
    };
    let early: string | undefined;
    const onSignal = (signal: string) => {
      signals += 1;
      if (signals > 1) process.exit(EXIT.FAILURE); // a second Ctrl-C means now
      if (started) stop(started, signal);
      else early = signal;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    started = await startDaemon(config, { hiddenCredentials: credentials });
    if (early) stop(started, early);
  });

program
  .command('check')
  .description('validate the configuration and every hook in the hooks directory; problems print as path:line:column: message, exit 2')
  .option(...CONFIG_OPTION)
  .option('--hooks-dir <dir>', 'check this directory instead of the config\'s hooks.dir')
  .action(async (opts: { config?: string; hooksDir?: string }) => {
    process.exitCode = await checkCommand(opts);
  });

program
  .command('run-hook')
  .description('run one hook file once, locally, in the same sandbox and limits as the daemon (no daemon needed), and print its result, logs, outcome and duration')
  .argument('<file>', 'a module hook (.js, .mjs, .ts, .mts) or an executable command hook')
  .option('-e, --event <type>', 'the event type (default: the file\'s <event-type>/ folder, or its config.events)')
  .option('-p, --payload <json|file|->', 'the payload: a JSON file, - for stdin, or inline JSON (default: {})')
  .option(...CONFIG_OPTION)
  .option('--json', 'print one JSON object: { status, result, payload, logs, progress, error, durationMs, ... }')
  .addOption(new Option('--allow-net <host...>', 'grant ctx.fetch these hosts too, for this run (entries as in permissions.net)').default([]))
  .addOption(new Option('--allow-env <name...>', 'grant these variables too, for this run (from the config\'s secrets or your environment)').default([]))
  .addHelpText('after', [
    '',
    'Exit codes: 0 the hook ran ok; 1 it failed (error, timeout, oom, crashed, invalid-result, invalid-output);',
    '2 the file, event, payload or config is invalid (compile errors print as file:line:column).',
    '',
    'Examples:',
    '  hookd run-hook hooks/media.added/10-anime-settings.js --payload \'{"title":"Frieren","genres":["Anime"]}\'',
    '  hookd run-hook my-hook.ts --event download.completed --payload event.json --json',
    '  echo \'{"title":"x"}\' | NOTIFY_URL=http://localhost:8123/api/webhook/abc hookd run-hook hooks/download.completed/60-notify.js -p -',
  ].join('\n'))
  .action(async (file: string, opts: RunHookOptions) => {
    process.exitCode = await runHookCommand(file, opts);
  });

program
  .command('migrate')
  .description('apply pending database migrations (serve also does this at start)')
  .option(...CONFIG_OPTION)
  .action(async (opts: { config?: string }) => {
    const config = readConfig(opts.config);
    const db = openPrivateDatabase(config);
    try {
      const applied = await migrateLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
    } finally {
      await db.destroy();
    }
  });

const token = program.command('token').description('manage API tokens');
token
  .command('create')
  .description('create an API token and print it once (only its digest is stored)')
  .requiredOption('--name <name>', 'a name for the token, shown in logs')
  .option('--scope <scope...>', SCOPES.join(' | '), ['events'])
  .option(...CONFIG_OPTION)
  .action(async (opts: { name: string; scope: string[]; config?: string }) => {
    const bad = opts.scope.find((s) => !(SCOPES as readonly string[]).includes(s));
    if (bad) throw usageError(`unknown scope "${bad}": use ${SCOPES.join(', ')}`);
    const config = readConfig(opts.config);
    const db = openPrivateDatabase(config);
    try {
      await migrateLatest(db);
      const store = createTokensStore(db);
      if (await store.findByName(opts.name)) throw usageError(`a token named "${opts.name}" exists already`);
      const value = generateToken();
      await store.create({ name: opts.name, hash: digestToken(value).toString('hex'), scopes: opts.scope });
      console.log(value);
    } finally {
      await db.destroy();
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { code, message } = describeFailure(error);
  if (message) console.error(message);
  process.exit(code);
}
