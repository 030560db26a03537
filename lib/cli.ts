// The `hookd` command line: serve, check, run-hook, migrate, token create. Exit codes scripts
// rely on (lib/cli/exit.ts): 0 ok, 1 runtime failure (a hook that failed), 2 usage, invalid
// configuration or an invalid hook. Each verb's work lives in lib/cli/<verb>.ts.
import { Command, Option } from 'commander';
import { SCOPES } from './config/normalize.ts';
import { describeFailure, EXIT, usageError } from './cli/exit.ts';
import type { RunHookOptions } from './cli/run-hook.ts';

export { EXIT } from './cli/exit.ts';

// Each verb's module is imported when the verb runs: `hookd --help` loads commander only, and
// `hookd check` never loads the database, koa or the daemon.
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
  .option('--pid-file <file>', 'write the daemon\'s pid to this file as it starts; removed when it stops')
  .action(async (opts: { config?: string; pretty?: boolean; pidFile?: string }) => {
    const { serveCommand } = await import('./cli/serve.ts');
    await serveCommand(opts);
  });

program
  .command('check')
  .description('validate the configuration and every hook in the hooks directory; problems print as path:line:column: message, exit 2')
  .option(...CONFIG_OPTION)
  .option('--hooks-dir <dir>', 'check this directory instead of the config\'s hooks.dir')
  .action(async (opts: { config?: string; hooksDir?: string }) => {
    const { prestartCompileThread } = await import('../runtime/client/compile.ts');
    prestartCompileThread();
    const { checkCommand } = await import('./cli/check.ts');
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
    const { runHookCommand } = await import('./cli/run-hook.ts');
    process.exitCode = await runHookCommand(file, opts);
  });

program
  .command('migrate')
  .description('apply pending database migrations (serve also does this at start)')
  .option(...CONFIG_OPTION)
  .action(async (opts: { config?: string }) => {
    const { migrateCommand } = await import('./cli/migrate.ts');
    await migrateCommand(opts);
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
    const { createTokenCommand } = await import('./cli/token.ts');
    await createTokenCommand(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { code, message } = describeFailure(error);
  if (message) console.error(message);
  process.exit(code);
}
