// Per-test-file timing, imported by register.js in each test process when run-tests.js asks
// (HOOKD_TEST_TIMES_DIR): at exit, the file's wall time and CPU time, its own and that of the
// child processes it reaped (daemons, CLI runs, browsers), as one JSON record in that directory.
// run-tests.js reads them to order the next run (longest first) and to print a table.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds of this process and its reaped children (/proc/self/stat), or undefined off Linux. */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): utime is the 14th field of the line.
    const [utime, stime, cutime, cstime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
    return { self: (utime + stime) / TICKS_PER_SECOND, children: (cutime + cstime) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** Records this test process's times in `dir` at exit. */
export function recordTimesAtExit(dir, file) {
  process.on('exit', () => {
    const cpu = cpuSeconds();
    const record = { file, wallMs: Math.round(performance.now()), cpuSelf: cpu?.self, cpuChildren: cpu?.children };
    try {
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(record));
    } catch {
      // timing is an aid: never fail a test for it
    }
  });
}
