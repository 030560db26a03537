// A setting as an error names it: the key, and the variable when the environment set it, so the
// operator edits the right place (the unit file's Environment=, not the config file).

/** `key`, or `key from VARIABLE` when the environment set it (config.setByEnv). */
export function settingName(key: string, setByEnv: Readonly<Record<string, string>> | undefined): string {
  const variable = setByEnv?.[key];
  return variable ? `${key} from ${variable}` : key;
}
