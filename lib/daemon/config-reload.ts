// The configuration reload (`hookd serve` on SIGHUP): reads the config file again as the start
// did and applies what can change while the daemon runs (log.level, the API tokens, a re-sync of
// the hooks directory); every other changed setting is named, to take effect at the next
// restart. An invalid file changes nothing. One reload at a time; none after stop().
import { isDeepStrictEqual } from 'node:util';
import { formatKey, type Config, type TokenConfig } from '../config/index.ts';
import { isHookdError } from '../errors.ts';
import type { SyncReport } from '../hooks-dir/index.ts';
import type { Logger } from '../log.ts';

/** What a running daemon lets a reload change. */
export interface ReloadTarget {
  readonly log: Logger;
  setLogLevel(level: string): void;
  setTokens(tokens: readonly TokenConfig[]): Promise<void>;
  resyncHooksDir(): Promise<SyncReport>;
}

export interface ConfigReloadDeps {
  /** The configuration the daemon started with: what restart-only settings are compared against. */
  started: Config;
  /** Reads and validates the config as the start did; throws the error a start would print. */
  load: () => Config;
  daemon: ReloadTarget;
}

// The settings a reload applies, by path; a change to any other waits for a restart.
const APPLIED: ReadonlyArray<readonly string[]> = [['log', 'level'], ['auth', 'tokens']];

export function createConfigReload(deps: ConfigReloadDeps) {
  const { daemon } = deps;
  let level = deps.started.log.level;
  let tokens = deps.started.auth.tokens;
  let running: Promise<void> | undefined;
  let pending = false;
  let stopped = false;

  async function reloadOnce(): Promise<void> {
    let next: Config;
    try {
      next = deps.load();
    } catch (err) {
      // The start's own message (file, line, setting); a stack only for what nobody described.
      const described = isHookdError(err) && err.code !== 'INTERNAL';
      daemon.log.error(described ? {} : { err }, `configuration not reloaded, still running on the previous one: ${(err as Error).message}`);
      return;
    }
    const applied: string[] = [];
    if (next.log.level !== level) {
      daemon.setLogLevel(next.log.level); // first: the lines below follow the new level
      level = next.log.level;
      applied.push('log.level');
    }
    if (!isDeepStrictEqual(next.auth.tokens, tokens)) {
      await daemon.setTokens(next.auth.tokens);
      tokens = next.auth.tokens;
      applied.push('auth.tokens');
    }
    const waiting = changedSettings(deps.started.settings, next.settings)
      .filter((path) => !APPLIED.some((a) => isDeepStrictEqual(path.slice(0, a.length), a)))
      .map(formatKey);
    // Names only: a secret's or a token's value never reaches the log.
    if (waiting.length > 0) daemon.log.warn({ settings: waiting }, `changed in the file; takes effect at the next restart: ${waiting.join(', ')}`);
    const report = await daemon.resyncHooksDir().catch((err: unknown) => {
      daemon.log.error({ err }, 'hooks directory sync failed');
      return undefined;
    });
    const hooksDir = report && { added: report.added.length, updated: report.updated.length, removed: report.removed.length, failed: report.failed.length };
    daemon.log.info({ applied, hooksDir }, 'configuration reloaded');
  }

  async function drain(): Promise<void> {
    try {
      do {
        pending = false;
        await reloadOnce().catch((err: unknown) => daemon.log.error({ err }, 'configuration reload failed'));
      } while (pending && !stopped);
    } finally {
      running = undefined;
    }
  }

  return {
    /** Reloads now, or once the reload under way ends (requests meanwhile make one more, not several). */
    request(): void {
      if (stopped) return;
      if (running) pending = true;
      else running = drain();
    },
    /** No reload after this; resolves once the one under way has ended. */
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
  };
}

export type ConfigReload = ReturnType<typeof createConfigReload>;

/** The paths of the settings that differ, as deep as both sides are maps; lists compare whole. */
export function changedSettings(before: unknown, after: unknown, path: string[] = []): string[][] {
  if (!isMap(before) || !isMap(after)) return isDeepStrictEqual(before, after) ? [] : [path];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  // Own keys only: a secret named "constructor" is that secret, not Object.prototype's.
  const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
  return [...keys].flatMap((k) => changedSettings(own(before, k), own(after, k), [...path, k]));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
