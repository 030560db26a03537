// The hooks directory at start: made when missing, and readable, or the start fails in one line
// naming it and hooks.dir (path-failure.ts). The scan takes a directory it cannot list for an
// absent one, so an unreadable one would otherwise be a daemon without its file hooks, silently.
// Side effect: creates the directory.
import { accessSync, constants } from 'node:fs';
import { makeDirectory } from '../make-directory.ts';
import { describingPathFailure } from '../path-failure.ts';

/** `setting`: how hooks.dir was set (config's settingName). */
export function makeHooksDir(dir: string, setting: string): void {
  describingPathFailure({ what: `create the hooks directory ${dir}`, setting }, () => makeDirectory(dir));
  describingPathFailure({ what: `read the hooks directory ${dir}`, setting, need: 'read' }, () => accessSync(dir, constants.R_OK | constants.X_OK));
}
