// Which environment values a hook may be given: one rule for every hook kind (module hooks'
// ctx.env, command hooks' environment, `hookd run-hook --allow-env`). Values come from the
// config's secrets, then the daemon's environment, read at each call. Never granted, whatever
// a stored definition says: hookd's own HOOKD_* names (any case), malformed names, and any value
// that is or holds one of the daemon's credentials, whatever the variable is called.

/** An environment variable name: what POSIX shells accept. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const ENV_NAME = new RegExp(ENV_NAME_PATTERN);

// A credential this short is compared whole, never searched for inside values.
const MIN_CONTAINED_CREDENTIAL = 8;

export interface EnvGrantsDeps {
  /** The config's `secrets`, looked up first. */
  secrets: Readonly<Record<string, string>>;
  /** The daemon's environment (process.env), read at each call. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The values of the daemon's own credentials (its API tokens, configured or generated; later
   * the database URL): data from the composition root, so the rule needs no list of names. Read
   * at each check: a Set that grows (tokens a reload adds) is followed.
   */
  credentials: Iterable<string>;
}

/** Granted names -> values, with a null prototype: a name such as "constructor" is only itself. */
export type EnvValues = Record<string, string>;

function ownValue(source: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  // Own names only: `secrets.constructor` would otherwise be Object.prototype's.
  return Object.hasOwn(source, name) ? source[name] : undefined;
}

export function createEnvGrants(deps: EnvGrantsDeps) {
  const credentials = (): string[] => [...new Set(deps.credentials)].filter((c) => typeof c === 'string' && c !== '');

  function holdsCredential(value: string): boolean {
    return credentials().some((c) => value === c || (c.length >= MIN_CONTAINED_CREDENTIAL && value.includes(c)));
  }

  function lookUp(name: string): string | undefined {
    return ownValue(deps.secrets, name) ?? ownValue(deps.env, name);
  }

  /** Why `name` is never granted, or undefined: the rule, also for names that have no value. */
  function refuseName(name: string): string | undefined {
    if (!ENV_NAME.test(name)) return 'not an environment variable name (letters, digits and _, not starting with a digit)';
    if (name.toUpperCase().startsWith('HOOKD_')) return "names starting with HOOKD_ are hookd's own (HOOKD_TOKEN, HOOKD_CONFIG, ...) and are never passed to a hook";
    return undefined;
  }

  return {
    /** The credential values now, for redaction of what a command prints. */
    get credentials(): readonly string[] {
      return credentials();
    },

    refuseName,

    /**
     * Why `name` cannot be granted now, or undefined: the name rule, then its current value
     * (a daemon credential under another name). Registration reports this as a 422.
     */
    refuse(name: string): string | undefined {
      const byName = refuseName(name);
      if (byName !== undefined) return byName;
      const value = lookUp(name);
      if (value !== undefined && holdsCredential(value)) return "its value is one of hookd's own credentials (an API token), which no hook may receive";
      return undefined;
    },

    /**
     * Where a granted name's value would come from now, never the value: the dashboard spells a
     * grant out with it. 'refused': the name or its value may never be given (refuse says why).
     */
    sourceOf(name: string): 'secrets' | 'environment' | 'unset' | 'refused' {
      if (this.refuse(name) !== undefined) return 'refused';
      if (ownValue(deps.secrets, name) !== undefined) return 'secrets';
      return ownValue(deps.env, name) === undefined ? 'unset' : 'environment';
    },

    /** Values for the names that may be granted and have one (no NUL: no environment holds it); the rest are absent. */
    resolve(names: readonly string[]): EnvValues {
      const out: EnvValues = Object.create(null);
      for (const name of names) {
        if (typeof name !== 'string' || refuseName(name) !== undefined) continue;
        const value = lookUp(name);
        if (typeof value !== 'string' || value.includes('\0') || holdsCredential(value)) continue;
        out[name] = value;
      }
      return out;
    },
  };
}

export type EnvGrants = ReturnType<typeof createEnvGrants>;
