// Checks a command hook's argv at registration: the program is an absolute path to a regular
// file this user may execute, and no argument holds a NUL byte (no exec call can pass one).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { errors } from '../errors.ts';

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
  const info = await stat(program).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error) {
    const why = info.code === 'ENOENT' || info.code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${info.code ?? info.message})`;
    throw errors.unprocessable(`command program "${program}" ${why}`, { pointer: '/command/0', program });
  }
  if (!info.isFile()) throw errors.unprocessable(`command program "${program}" is not a regular file`, { pointer: '/command/0', program });
  try {
    await access(program, constants.X_OK);
  } catch {
    throw errors.unprocessable(`command program "${program}" is not executable by the daemon's user: chmod +x it`, { pointer: '/command/0', program });
  }
}
