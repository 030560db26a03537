// U+0000 in a request's text. PostgreSQL's text type refuses it (SQLSTATE 22021), so a hook
// source or a webhook description holding one was stored on SQLite and a 500 on PostgreSQL.
// hookd takes no NUL in the text a request names (ids, names, sources, descriptions, URLs),
// on either backend, and says where; free JSON data (an event's payload, a sample) keeps any
// string, as JSON escapes it in storage.
import { escapePointer } from '../json-schema.ts';

/** Whether `text` holds U+0000. */
export function hasNul(text: string): boolean {
  return text.includes('\u0000');
}

interface SchemaNode {
  type?: string | readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  items?: SchemaNode;
  anyOf?: readonly SchemaNode[];
  oneOf?: readonly SchemaNode[];
}

const typesOf = (node: SchemaNode): readonly string[] => (node.type === undefined ? [] : typeof node.type === 'string' ? [node.type] : node.type);

/** The branches a value may have matched: a union's, or the node itself. */
function branches(node: SchemaNode): readonly SchemaNode[] {
  const union = node.anyOf ?? node.oneOf;
  return union ? union.flatMap(branches) : [node];
}

/**
 * The JSON pointer of the first string in `value` that its schema types as a string and that
 * holds U+0000, or undefined. Only what the schema declares is walked: a subtree with no
 * declared type (free JSON data) is not, whatever it holds. Bounded by the value, which the
 * body reader has already bounded in bytes and depth.
 */
export function findNulText(value: unknown, schema: object, pointer = ''): string | undefined {
  for (const node of branches(schema as SchemaNode)) {
    const types = typesOf(node);
    if (typeof value === 'string') {
      if (types.includes('string') && hasNul(value)) return pointer;
    } else if (Array.isArray(value)) {
      if (!types.includes('array') || node.items === undefined) continue;
      for (let i = 0; i < value.length; i++) {
        const found = findNulText(value[i], node.items, `${pointer}/${i}`);
        if (found !== undefined) return found;
      }
    } else if (typeof value === 'object' && value !== null) {
      if (!types.includes('object')) continue;
      for (const [key, item] of Object.entries(value)) {
        // A map's values (additionalProperties: webhook headers) are stored as JSON, which keeps
        // any character, and have their own rules (a header value HTTP cannot carry is a 422).
        const child = node.properties?.[key];
        if (child === undefined) continue;
        const found = findNulText(item, child, `${pointer}/${escapePointer(key)}`);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}
