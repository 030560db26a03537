// Docs cannot drift from the one declaration of the config keys (lib/config/schema.ts): the
// README's configuration table names every key, every key has a default or is optional, and
// the defaults alone make a valid configuration.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { configDefaults } from '../../../lib/config/defaults.ts';
import { CONFIG_SCHEMA } from '../../../lib/config/schema.ts';
import { validateConfigShape } from '../../../lib/config/validate.ts';

interface Node {
  properties?: Record<string, Node>;
  required?: string[];
  default?: unknown;
}

/** Each key's dotted path below a section, e.g. `retention.events` under storage. */
function keysOf(node: Node, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, child]) => {
    const path = `${prefix}${k}`;
    return child.properties && Object.keys(child.properties).length > 0 ? keysOf(child, `${path}.`) : [path];
  });
}

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const sections = (CONFIG_SCHEMA as unknown as Node).properties!;

describe('the config schema and its docs', () => {
  test("the README's configuration table has a row for every section that names each of its keys", () => {
    const missing: string[] = [];
    for (const [name, section] of Object.entries(sections)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``) || line.startsWith(`| \`${name}.`));
      if (!row) {
        missing.push(`${name} (no row)`);
        continue;
      }
      const head = row.split('|')[1]!;
      for (const key of keysOf(section)) {
        if (!row.includes(`\`${key}\``) && !head.includes(`\`${name}.${key}\``)) missing.push(`${name}.${key}`);
      }
    }
    assert.deepEqual(missing, [], 'add these keys to the table in README.md, "Configuration"');
  });

  test('every key of a section has a default or is optional, and the defaults alone are valid', () => {
    const undefaulted: string[] = [];
    const walk = (node: Node, path: string) => {
      for (const [k, child] of Object.entries(node.properties ?? {})) {
        if (!('default' in child) && node.required?.includes(k)) undefaulted.push(`${path}${k}`);
        walk(child, `${path}${k}.`);
      }
    };
    walk(CONFIG_SCHEMA as unknown as Node, '');
    assert.deepEqual(undefaulted, []);
    assert.deepEqual(validateConfigShape(configDefaults()), []);
  });
});
