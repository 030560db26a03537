// The `hookd` command's verbs and options (commander), built without parsing anything: lib/cli.ts
// parses process.argv with it; tests parse in-process with their own output sinks. Each verb's
// work lives in lib/cli/<verb>.ts.
import { Command, Option, type OutputConfiguration } from 'commander';
import { SCOPES } from '../config/scopes.ts';
import { usageError } from './exit.ts';
import type { ReplayOptions } from './replay.ts';
import type { RunHookOptions } from './run-hook.ts';

// Each verb's module is imported when the verb runs: `hookd --help` loads commander only, and
// `hookd check` never loads the database, koa or the daemon.
const CONFIG_OPTION = ['-c, --config <file>', 'a YAML config file merged over the embedded defaults (default: $HOOKD_CONFIG)'] as const;

/** The command line; `output` replaces stdout/stderr for help and usage errors (set before the verbs, which inherit it). */
export function createProgram(output?: OutputConfiguration): Command {
  const program = new Command()
    .name('hookd')
    .description('A self-hosted hook runtime: sandboxed hooks and signed webhooks for application events.')
    .exitOverride()
    .showHelpAfterError()
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure (a hook that failed, a runtime error, a database out of reach), 2 usage, invalid config or invalid hook, or a setting serve cannot use at start (a directory, a port, a pid file).\nRun `hookd <command> --help` for a command\'s options.');
  if (output) program.configureOutput(output);

  program
    .command('serve')
    .description('run the daemon (the embedded default config, merged with --config or HOOKD_CONFIG)')
    .option(...CONFIG_OPTION)
    .option('--pretty', 'human-readable logs instead of JSON lines')
    .option('--pid-file <file>', 'write the daemon\'s pid to this file as it starts; removed when it stops')
    .action(async (opts: { config?: string; pretty?: boolean; pidFile?: string }) => {
      const { serveCommand } = await import('./serve.ts');
      await serveCommand(opts);
    });

  program
    .command('check')
    .description('validate the configuration and every hook in the hooks directory; problems print as path:line:column: message, exit 2')
    .option(...CONFIG_OPTION)
    .option('--hooks-dir <dir>', 'check this directory instead of the config\'s hooks.dir')
    .action(async (opts: { config?: string; hooksDir?: string }) => {
      // Before check's modules (a small chunk): a first check's compile process starts now.
      const { openCheckCompileProcess } = await import('./check-compile-process.ts');
      const compileProcess = openCheckCompileProcess(opts);
      const { checkCommand } = await import('./check.ts');
      process.exitCode = await checkCommand(opts, process.cwd(), compileProcess);
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
      const { runHookCommand } = await import('./run-hook.ts');
      process.exitCode = await runHookCommand(file, opts);
    });

  program
    .command('replay')
    .description('run a draft module hook against a running daemon\'s stored events (nothing stored, no side effects) and print per event: current and draft status, changed, duration')
    .argument('<file>', 'the draft: a module hook file')
    .requiredOption('-t, --type <type>', 'the event type whose stored events are replayed')
    .option('--last <n>', 'the newest n events (default 20; at most the daemon\'s ui.replayMaxEvents)')
    .option('--since <iso>', 'only events received at or after this time (ISO 8601)')
    .option('--until <iso>', 'only events received at or before this time (ISO 8601)')
    .option('--hook <id>', 'a saved hook: its mode and permissions are the draft\'s, its stored runs are "current"')
    .option('--url <url>', 'the daemon (default: $HOOKD_URL, else http://127.0.0.1:7700)')
    .option('--allow-network', 'let ctx.fetch and ctx.apps reach what the permissions grant (denied by default)')
    .option('--json', 'print the daemon\'s answer as JSON')
    .addHelpText('after', '\nThe token is $HOOKD_TOKEN (an admin token). Exit codes: 0 every draft run ok; 1 a draft run failed, or the daemon cannot be reached; 2 usage, or the daemon refused the draft (a compile error prints as file:line:column).')
    .action(async (file: string, opts: ReplayOptions) => {
      const { replayCommand } = await import('./replay.ts');
      process.exitCode = await replayCommand(file, opts);
    });

  program
    .command('migrate')
    .description('apply pending database migrations (serve also does this at start)')
    .option(...CONFIG_OPTION)
    .action(async (opts: { config?: string }) => {
      const { migrateCommand } = await import('./migrate.ts');
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
      const { createTokenCommand } = await import('./token.ts');
      await createTokenCommand(opts);
    });
  return program;
}
