// Resolves the variable names a command hook lists (`env: [...]`) to values, from the sources
// the composition root gives (the config's secrets, then the daemon's environment).

/** Names -> values for the names that have one; names without a value are simply absent. */
export type EnvResolver = (names: readonly string[]) => Record<string, string>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names a hook may never receive: hookd's own namespace (HOOKD_TOKEN, HOOKD_CONFIG, ...). */
export function isReservedEnvName(name: string): boolean {
  return name.toUpperCase().startsWith('HOOKD_');
}

/**
 * Looks each name up in `sources`, first hit wins, read at each call (not a snapshot). Reserved
 * and malformed names resolve to nothing, so even a hook that lists HOOKD_TOKEN does not get it.
 */
export function createCommandEnvResolver(...sources: ReadonlyArray<Readonly<Record<string, string | undefined>>>): EnvResolver {
  return (names) => {
    const out: Record<string, string> = {};
    for (const name of names) {
      if (!ENV_NAME.test(name) || isReservedEnvName(name)) continue;
      const value = sources.map((source) => source[name]).find((v) => v !== undefined);
      if (typeof value === 'string' && !value.includes('\0')) out[name] = value;
    }
    return out;
  };
}
