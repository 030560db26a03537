// `hookd serve`: the daemon in this very process, so the process a supervisor signals is the
// one that stops. SIGTERM or SIGINT: a graceful stop, exit 0; a second one during the drain:
// exit at once (the sandbox host follows on its IPC disconnect). SIGHUP: the config file is
// read again and what can change at run time applied (lib/daemon/config-reload.ts); one during
// the start is applied once started, one during the stop is ignored. Side effects: signal handlers.
import { resolve } from 'node:path';
import { startDaemon, type Daemon } from '../daemon.ts';
import { createConfigReload, type ConfigReload } from '../daemon/config-reload.ts';
import { hideCredentials } from '../hide-credentials.ts';
import { readConfig } from './config-file.ts';
import { EXIT } from './exit.ts';

export interface ServeOptions {
  config?: string;
  pretty?: boolean;
  pidFile?: string;
}

export async function serveCommand(opts: ServeOptions): Promise<void> {
  // First: a command hook of the same user could read them from /proc/<pid>/environ.
  const credentials = hideCredentials();
  // The start and every reload read the config alike: the environment with the hidden
  // credentials put back, for the loader only (never into process.env again).
  const load = () => readConfig(opts.config, { pretty: opts.pretty, env: { ...process.env, ...credentials.values } });
  const config = load();
  const pidFile = opts.pidFile ? resolve(opts.pidFile) : undefined;
  // Handlers before the start: a supervisor's SIGTERM while hookd starts stops it once it has
  // started (its database and host in a known state), rather than killing it half-way.
  let daemon: Daemon | undefined;
  let reload: ConfigReload | undefined;
  let pending: string | undefined;
  let reloadAsked = false;
  let signals = 0;
  const stop = (running: Daemon, signal: string) => {
    running.log.info({ signal }, 'signal received: stopping (send it again to stop at once)');
    // A reload under way ends first: its hooks directory sync writes to the database.
    Promise.resolve(reload?.stop()).then(() => running.stop()).then(
      () => finish(EXIT.OK),
      (err: unknown) => {
        running.log.error({ err }, 'error while stopping');
        finish(EXIT.FAILURE);
      },
    );
  };
  const finish = (code: number) => process.exit(code);
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      daemon?.log.warn({ signal }, 'second signal: stopping at once');
      daemon?.log.flush?.();
      finish(EXIT.FAILURE);
    }
    if (daemon) stop(daemon, signal);
    else pending = signal;
  };
  // Node's default for SIGHUP ends the process: a closed terminal, logrotate or `systemctl reload` did.
  const onHangup = (signal: string) => {
    if (signals > 0) return; // stopping
    daemon?.log.info({ signal }, 'signal received: reloading the configuration');
    if (reload) reload.request();
    else reloadAsked = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHangup);
  daemon = await startDaemon(config, { hiddenCredentials: credentials, pidFile });
  reload = createConfigReload({ started: config, load, daemon });
  if (pending) stop(daemon, pending);
  else if (reloadAsked) onHangup('SIGHUP');
}
