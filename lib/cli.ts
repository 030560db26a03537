// The `hookd` command line: serve, check, run-hook, replay, migrate, token create. Exit codes scripts
// rely on (lib/cli/exit.ts): 0 ok, 1 runtime failure (a hook that failed), 2 usage, invalid
// configuration or an invalid hook. The verbs are declared in lib/cli/program.ts.
import { describeFailure } from './cli/exit.ts';
import { createProgram } from './cli/program.ts';

export { EXIT } from './cli/exit.ts';

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  const { code, message } = describeFailure(error);
  if (message) console.error(message);
  process.exit(code);
}
