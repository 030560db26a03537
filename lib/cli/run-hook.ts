// `hookd run-hook <file> --event <type> [--payload ...]`: runs one hook once, locally, in the
// daemon's sandbox and limits, and prints what happened. Exit 0 ok, 1 the hook failed, 2 the
// file, event, payload or config is wrong.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/index.ts';
import { errors } from '../errors.ts';
import { createLogger } from '../log.ts';
import { EXIT } from './exit.ts';
import { createHookRunner } from './hook-runner.ts';
import { formatReport } from './report-format.ts';

export interface RunHookOptions {
  event?: string;
  payload?: string;
  config?: string;
  json?: boolean;
  allowNet?: string[];
  allowEnv?: string[];
}

/** `-` is stdin, text starting with `{` or `[` is inline JSON, anything else a file. */
export function readPayload(spec: string | undefined): unknown {
  if (spec === undefined) return {};
  const trimmed = spec.trimStart();
  const inline = trimmed.startsWith('{') || trimmed.startsWith('[');
  const where = spec === '-' ? 'stdin' : inline ? '--payload' : spec;
  let text: string;
  try {
    text = spec === '-' ? readFileSync(0, 'utf8') : inline ? spec : readFileSync(spec, 'utf8');
  } catch (err) {
    throw errors.validation(`cannot read the payload from ${where}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.validation(`the payload in ${where} is not valid JSON: ${(err as Error).message}`);
  }
}

export async function runHookCommand(file: string, opts: RunHookOptions): Promise<number> {
  const config = loadConfig({ file: opts.config });
  const payload = readPayload(opts.payload);
  // Only errors of hookd itself go to stderr (the host's normal exit at close is a warning); the report goes to stdout.
  const log = createLogger({ level: 'error', pretty: false, destination: process.stderr });
  const runner = createHookRunner({ config, log });
  try {
    const report = await runner.run({ file, eventType: opts.event, payload, allowNet: opts.allowNet, allowEnv: opts.allowEnv });
    process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.status === 'ok' ? EXIT.OK : EXIT.FAILURE;
  } finally {
    await runner.close();
  }
}
