// The test files' recorded times (scripts/test-loader/timing.js): read after a run of npm test,
// kept for the next run's order (longest first), printed as a table of the slowest files with the
// run's totals (HOOKD_TEST_TIMES=1). Side effect: saveTimes writes a file in the temp dir.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Wall seconds per file (relative path) of a full run, committed: the order on a fresh clone (CI).
const KNOWN = new URL('./test-durations.json', import.meta.url);
// The last run's on this machine, for this tree (worktrees share the temp dir).
const RECORDED = join(tmpdir(), `hookd-test-durations-${process.getuid?.() ?? 'user'}-${Buffer.from(process.cwd()).toString('base64url')}.json`);

function readDurations(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * The files (relative paths) longest first, by their last recorded wall time (the committed
 * list when this tree has none; an unknown file counts as a long one). A long file started last
 * runs alone at the end while the other cores idle; started first, the short ones fill around it.
 */
export function orderLongestFirst(files) {
  const known = { ...readDurations(KNOWN), ...readDurations(RECORDED) };
  const seconds = (file) => known[file] ?? 60;
  return [...files].sort((a, b) => seconds(b) - seconds(a) || a.localeCompare(b));
}

/** Keeps this run's wall times for the next run's order (merged over the files it did not run). */
export function saveTimes(times) {
  const durations = readDurations(RECORDED);
  for (const t of times) durations[relative(process.cwd(), t.file)] = Math.round(t.wallMs / 100) / 10;
  const temp = `${RECORDED}.${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(durations, Object.keys(durations).sort(), 1)}\n`);
  renameSync(temp, RECORDED);
}

/** The records in `dir`, one per test process: { file, wallMs, cpuSelf, cpuChildren }. */
export function readTimes(dir) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      try {
        return [JSON.parse(readFileSync(join(dir, name), 'utf8'))];
      } catch {
        return [];
      }
    });
}

/** Prints the slowest files by wall time (HOOKD_TEST_TIMES=all: every file) and the totals. */
export function printTimes(times, { wallMs, concurrency }) {
  const rows = [...times].sort((a, b) => b.wallMs - a.wallMs);
  const shown = process.env.HOOKD_TEST_TIMES === 'all' ? rows : rows.slice(0, 15);
  const cpu = (t) => (t.cpuSelf ?? 0) + (t.cpuChildren ?? 0);
  const lines = ['', 'wall s   cpu s  (own + children)  file'];
  for (const t of shown) {
    lines.push(`${(t.wallMs / 1000).toFixed(1).padStart(6)}  ${cpu(t).toFixed(1).padStart(6)}  (${(t.cpuSelf ?? 0).toFixed(1)} + ${(t.cpuChildren ?? 0).toFixed(1)})  ${relative(process.cwd(), t.file)}`);
  }
  const sumWall = times.reduce((sum, t) => sum + t.wallMs, 0) / 1000;
  const sumCpu = times.reduce((sum, t) => sum + cpu(t), 0);
  lines.push(`${times.length} files, ${(wallMs / 1000).toFixed(1)} s wall at concurrency ${concurrency}; sum over files: ${sumWall.toFixed(1)} s wall, ${sumCpu.toFixed(1)} s CPU`);
  console.error(lines.join('\n'));
}
