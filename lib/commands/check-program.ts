// Checks a command hook's argv at registration, and its program again before each run: an
// absolute path to a regular file this user may execute, and no argument holding a NUL byte (no
// exec call can pass one).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { errors } from '../errors.ts';

/** Why `program` (an absolute path) cannot be started now, or undefined when it can. */
export async function findStartProblem(program: string): Promise<{ problem: string; code: string } | undefined> {
  const info = await stat(program).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    const code = info.code ?? 'EIO';
    return { problem: code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${info.code ?? info.message})`, code };
  }
  if (!info.isFile()) return { problem: 'is not a regular file', code: 'EISDIR' };
  try {
    await access(program, constants.X_OK);
  } catch {
    return { problem: 'is not executable by the daemon\'s user: chmod +x it', code: 'EACCES' };
  }
  return undefined;
}

/**
 * Bare names (`curl`) are refused rather than looked up on PATH: the program that runs must be
 * the one that was checked, whatever PATH holds later. File hooks always give an absolute path.
 */
export async function checkProgram(argv: readonly string[]): Promise<void> {
  const program = argv[0];
  if (program === undefined || program === '') throw errors.unprocessable('a command hook needs a program: command: ["/path/to/program", ...args]', { pointer: '/command/0' });
  for (const [i, arg] of argv.entries()) {
    if (arg.includes('\0')) throw errors.unprocessable(`command argument ${i} contains a NUL byte, which no program can receive`, { pointer: `/command/${i}` });
  }
  if (!isAbsolute(program)) {
    throw errors.unprocessable(
      `command program "${program}" is not an absolute path: give the full path (e.g. "/usr/bin/${program.split('/').pop()}"; \`command -v\` prints it)`,
      { pointer: '/command/0' },
    );
  }
  const found = await findStartProblem(program);
  if (found) throw errors.unprocessable(`command program "${program}" ${found.problem}`, { pointer: '/command/0', program });
}
