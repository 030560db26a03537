// Loads the configuration: the schema's defaults, the embedded default YAML (the catalog), then
// the user's file merged over them, then environment overrides; validates the result and
// freezes it. Every error names the key, and the file and line where the YAML library can tell.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { describeFileType } from '../contained-file.ts';
import { errors, isHookdError } from '../errors.ts';
import { parsePointer } from '../json-schema.ts';
import { DATA_DIR_ENV } from '../data-dir-paths.ts';
import { packageRoot } from '../package-info.ts';
import { normalizeConfig, type Config } from './normalize.ts';
import { applyDefaults, configDefaults } from './defaults.ts';
import { CONFIG_SCHEMA, type RawConfig } from './schema.ts';
import { EMBEDDED_DEFAULT } from './embedded-default.ts';
import { ignoredSettings, type ConfigProblem } from './notices.ts';
import { validateConfigShape } from './validate.ts';

export const DEFAULT_CONFIG_FILE = join(packageRoot(), 'config', 'hookd.yaml');

export interface LoadOptions {
  /** The user's file; HOOKD_CONFIG when not given. */
  file?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export type { ConfigProblem };

interface ParsedFile {
  file: string;
  /** The parsed document, for the lines of problems; parsed when first asked for. */
  parsed: () => { doc: Document; lines: LineCounter };
  value: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const files = [readDefaultFile()];
  const userFile = options.file ?? env.HOOKD_CONFIG;
  if (userFile) files.push(readYaml(userFile));

  // Defaults first, as a layer of their own, so that maps merge with them (runtime.profiles);
  // then the defaults of entries the files added (a profile's youngHeap).
  let merged: Record<string, unknown> = configDefaults();
  for (const f of files) merged = mergeDeep(merged, f.value) as Record<string, unknown>;
  applyEnv(merged, env);
  applyDefaults(CONFIG_SCHEMA, merged);

  const problems = validateConfigShape(merged).map((p) => locate(p.pointer, p.message, files, env));
  if (problems.length > 0) {
    throw errors.config(`invalid configuration:\n${problems.map(formatProblem).join('\n')}`, { problems });
  }
  const config = normalizeConfig(merged as RawConfig, files.map((f) => f.file), cwd);
  const userFiles = files.slice(1);
  const setByOperator = (path: string[]) =>
    ENV_OVERRIDES.some((o) => o.path.join('\0') === path.join('\0') && env[o.name]) || userFiles.some((f) => hasPath(f.value, path));
  config.notices = ignoredSettings(merged as RawConfig, setByOperator).map((n) => locate(`/${n.path.join('/')}`, n.message, userFiles, env));
  config.setByEnv = Object.fromEntries(ENV_OVERRIDES.filter((o) => env[o.name]).map((o) => [o.path.join('.'), o.name]));
  config.settings = merged;
  return deepFreeze(config);
}

function hasPath(value: unknown, path: string[]): boolean {
  let at = value;
  for (const key of path) {
    if (!isPlainObject(at) || !Object.hasOwn(at, key)) return false;
    at = at[key];
  }
  return true;
}

/**
 * The default file's values as the build read them (lib/config/embedded-default.ts) while the
 * file still holds the same text: parsing its YAML costs about 0.1 s of every start; the
 * document is parsed only to place a problem. From the source tree, or once the file changed,
 * it is read like any other.
 */
function readDefaultFile(): ParsedFile {
  const text = readText(DEFAULT_CONFIG_FILE);
  if (EMBEDDED_DEFAULT?.text !== text) return readYaml(DEFAULT_CONFIG_FILE, text);
  let read: ParsedFile | undefined;
  return {
    file: DEFAULT_CONFIG_FILE,
    parsed: () => (read ??= readYaml(DEFAULT_CONFIG_FILE, text)).parsed(),
    value: structuredClone(EMBEDDED_DEFAULT.value),
  };
}

// A config file (catalog included) is far below this; /dev/zero or a mistyped path to a big file is not.
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

function readText(file: string): string {
  return readRegularFile(file, (message) => errors.config(`cannot read config file ${file}: ${message}`, { file }));
}

/**
 * A file the operator names (a config file, HOOKD_TOKEN_FILE): a regular file only, its size
 * checked on the open descriptor before any byte is read, opened without blocking (a FIFO would
 * wait for a writer, a device never ends). `fail` makes the error that names the file.
 */
function readRegularFile(file: string, fail: (message: string) => Error): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    // Node's message repeats the call and the path the line already names: `..., open '/etc/x'`.
    throw fail((cause as Error).message.replace(/, open '.*'$/s, ''));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail(`it is ${describeFileType(st)}, not a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw fail(`it is ${st.size} bytes, over the ${MAX_CONFIG_BYTES / 1024 / 1024} MiB limit`);
    return readFileSync(fd, 'utf8');
  } catch (cause) {
    throw isHookdError(cause) ? cause : fail((cause as Error).message);
  } finally {
    closeSync(fd);
  }
}

function readYaml(file: string, text = readText(file)): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    // The first line only: the library's code frame would quote the file, secrets and tokens
    // included; its "at line 2, column 1:" introduced that frame, and the prefix has the place.
    const message = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw errors.config(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax error: ${message}`, {
      problems: [{ key: '', message, file, line: pos?.line, column: pos?.col }],
    });
  }
  let value: ReturnType<typeof doc.toJS>;
  try {
    value = doc.toJS() ?? {};
  } catch (cause) {
    // The YAML library refuses aliases that expand past its bound (a "billion laughs" file).
    throw errors.config(`${file}: ${(cause as Error).message}: use fewer aliases (*name) or write the values out`, { file });
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw errors.config(`${file}: the top level must be a mapping of keys, not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return { file, parsed: () => ({ doc, lines }), value };
}

/** Maps merge key by key; lists and scalars from the later file replace the earlier ones. */
function mergeDeep(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // Own keys only: a file's "__proto__" or "constructor" (a secret's name) is a key like any other.
    const merged = mergeDeep(Object.hasOwn(base, k) ? base[k] : undefined, v);
    Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const ENV_OVERRIDES: Array<{ name: string; path: string[]; parse?: (v: string) => unknown }> = [
  { name: 'HOOKD_HOST', path: ['server', 'host'] },
  { name: 'HOOKD_PORT', path: ['server', 'port'], parse: (v) => (/^\d+$/.test(v) ? Number(v) : v) },
  { name: DATA_DIR_ENV, path: ['dataDir'] },
  { name: 'HOOKD_DATABASE_URL', path: ['storage', 'url'] },
  { name: 'HOOKD_HOOKS_DIR', path: ['hooks', 'dir'] },
  { name: 'HOOKD_LOG_LEVEL', path: ['log', 'level'] },
];

function applyEnv(config: Record<string, unknown>, env: Record<string, string | undefined>): void {
  for (const o of ENV_OVERRIDES) {
    const raw = env[o.name];
    if (raw === undefined || raw === '') continue;
    let target = config;
    for (const key of o.path.slice(0, -1)) {
      if (!isPlainObject(target[key])) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[o.path.at(-1)!] = o.parse ? o.parse(raw) : raw;
  }
  const token = readEnvToken(env);
  if (token) {
    const auth = (config.auth ??= {}) as Record<string, unknown>;
    const tokens = Array.isArray(auth.tokens) ? auth.tokens : [];
    auth.tokens = [...tokens, { name: 'HOOKD_TOKEN', token, scopes: ['admin'] }];
  }
}

/**
 * The admin token from HOOKD_TOKEN, or from the file HOOKD_TOKEN_FILE names (systemd credentials,
 * Docker secrets): a file keeps it out of the process environment altogether. One trailing line
 * break is not part of it.
 */
function readEnvToken(env: Record<string, string | undefined>): string | undefined {
  const file = env.HOOKD_TOKEN_FILE;
  if (file === undefined || file === '') return env.HOOKD_TOKEN || undefined;
  const fail = (message: string) => errors.config(`HOOKD_TOKEN_FILE: ${message}`, { problems: [{ key: 'HOOKD_TOKEN_FILE', message, file }] });
  if (env.HOOKD_TOKEN) throw fail('both HOOKD_TOKEN and HOOKD_TOKEN_FILE are set: set only one');
  const text = readRegularFile(file, (message) => fail(`cannot read ${file}: ${message}`));
  const token = text.replace(/\r?\n$/, '');
  if (token === '' || /[\r\n]/.test(token)) throw fail(`${file} must hold the token on one line`);
  return token;
}

/** Finds the file and line of a failing key: the last file that sets it wins, as in the merge. */
function locate(
  pointer: string,
  message: string,
  files: ParsedFile[],
  env: Record<string, string | undefined>,
): ConfigProblem {
  const path = parsePointer(pointer);
  const key = formatKey(path);
  const envName = ENV_OVERRIDES.find((o) => o.path.join('\0') === path.join('\0'))?.name;
  if (envName && env[envName]) return { key, message: `${message} (set by ${envName})` };
  for (const f of [...files].reverse()) {
    const { doc, lines } = f.parsed();
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = lines.linePos(node.range[0]);
      return { key, message, file: f.file, line: pos.line, column: pos.col };
    }
  }
  return { key, message };
}

/** A setting's name as errors give it: `server.port`, `secrets["my key"]`. */
export function formatKey(path: readonly string[]): string {
  return path.map((s, i) => (/^[A-Za-z_][\w-]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`)).join('') || '(root)';
}

function formatProblem(p: ConfigProblem): string {
  const where = p.file ? ` (${p.file}${p.line ? `:${p.line}:${p.column}` : ''})` : '';
  return `  ${p.key}: ${p.message}${where}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
