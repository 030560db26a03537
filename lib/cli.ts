// The `hookd` command line: serve, check, migrate, token create. Exit codes scripts rely on:
// 0 ok, 1 runtime failure, 2 usage or invalid configuration.
import { Command, CommanderError } from 'commander';
import { loadConfig, type Config } from './config/index.ts';
import { migrateLatest, openDatabase } from './db/connect.ts';
import { createTokensStore } from './db/tokens-store.ts';
import { startDaemon } from './daemon.ts';
import { isHookdError } from './errors.ts';
import { digestToken, generateToken } from './tokens.ts';

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

function readConfig(file: string | undefined, overrides: { pretty?: boolean } = {}): Config {
  const config = loadConfig({ file });
  if (overrides.pretty === undefined) return config;
  return { ...config, log: { ...config.log, pretty: overrides.pretty } };
}

const program = new Command()
  .name('hookd')
  .description('A self-hosted hook runtime: sandboxed hooks and signed webhooks for application events.')
  .exitOverride()
  .showHelpAfterError();

program
  .command('serve')
  .description('run the daemon (the embedded default config, merged with --config or HOOKD_CONFIG)')
  .option('-c, --config <file>', 'a YAML config file merged over the defaults')
  .option('--pretty', 'human-readable logs instead of JSON lines')
  .action(async (opts: { config?: string; pretty?: boolean }) => {
    const daemon = await startDaemon(readConfig(opts.config, { pretty: opts.pretty }));
    let signals = 0;
    const onSignal = (signal: string) => {
      signals += 1;
      if (signals > 1) process.exit(EXIT.FAILURE); // a second Ctrl-C means now
      daemon.log.info({ signal }, 'signal received');
      daemon.stop().then(
        () => process.exit(EXIT.OK),
        (err: unknown) => {
          daemon.log.error({ err }, 'error while stopping');
          process.exit(EXIT.FAILURE);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

program
  .command('check')
  .description('validate the configuration; exits 2 with the problems when it is invalid')
  .option('-c, --config <file>', 'a YAML config file merged over the defaults')
  .action((opts: { config?: string }) => {
    const config = readConfig(opts.config);
    console.log(`configuration ok (${config.sources.join(' + ')}); ${Object.keys(config.catalog).length} event types`);
  });

program
  .command('migrate')
  .description('apply pending database migrations (serve also does this at start)')
  .option('-c, --config <file>', 'a YAML config file merged over the defaults')
  .action(async (opts: { config?: string }) => {
    const config = readConfig(opts.config);
    const db = openDatabase(config.storage);
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
  .option('--scope <scope...>', 'events | admin', ['events'])
  .option('-c, --config <file>', 'a YAML config file merged over the defaults')
  .action(async (opts: { name: string; scope: string[]; config?: string }) => {
    const bad = opts.scope.find((s) => s !== 'events' && s !== 'admin');
    if (bad) throw new CommanderError(EXIT.USAGE, 'hookd.scope', `unknown scope "${bad}": use events or admin`);
    const config = readConfig(opts.config);
    const db = openDatabase(config.storage);
    try {
      await migrateLatest(db);
      const store = createTokensStore(db);
      if (await store.findByName(opts.name)) {
        throw new CommanderError(EXIT.USAGE, 'hookd.exists', `a token named "${opts.name}" exists already`);
      }
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
  if (error instanceof CommanderError) {
    if (error.code !== 'commander.helpDisplayed' && error.code !== 'commander.version' && error.exitCode !== 0) {
      if (error.code.startsWith('hookd.')) console.error(`hookd: ${error.message}`);
    }
    process.exit(error.exitCode === 1 ? EXIT.USAGE : error.exitCode);
  }
  if (isHookdError(error) && error.code === 'CONFIG') {
    console.error(`hookd: ${error.message}`);
    process.exit(EXIT.USAGE);
  }
  console.error(`hookd: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(EXIT.FAILURE);
}
