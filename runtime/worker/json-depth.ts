// JSON nesting depth, found without recursion: one rule for the worker (ctx.emit payloads,
// ctx.progress data, before they cross a thread) and the daemon (lib/json-bounds.ts). Pure.
// Lives in worker/, where the bound is first met; the daemon reaches it through runtime/index.ts.

/** A step of a JSON pointer: its parent and its own key ('' at the root). */
export interface PointerNode {
  parent: PointerNode | undefined;
  key: string;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The RFC 6901 pointer of `node` (the root's key is not part of it), then `last` when given. */
export function pointerOf(node: PointerNode | undefined, last?: string): string {
  const parts: string[] = last === undefined ? [] : [escapeSegment(last)];
  for (let n = node; n?.parent !== undefined; n = n.parent) parts.push(escapeSegment(n.key));
  return parts.length === 0 ? '' : `/${parts.reverse().join('/')}`;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * The JSON pointer of the first container (in document order) nested deeper than `maxDepth`
 * in a parsed JSON document, or undefined when it fits. Depth counts containers: `1` is 0
 * deep, `{}` and `[]` are 1, `{"a":[]}` is 2. Linear in the document's size.
 */
export function findTooDeep(root: unknown, maxDepth: number): string | undefined {
  if (!isContainer(root)) return undefined;
  const stack: Array<PointerNode & { value: object; depth: number }> = [{ parent: undefined, key: '', value: root, depth: 1 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.depth > maxDepth) return pointerOf(node);
    const { value } = node;
    // Children pushed last-first, so they are visited in document order.
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (isContainer(child)) stack.push({ parent: node, key: String(i), value: child, depth: node.depth + 1 });
      }
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const child: unknown = (value as Record<string, unknown>)[keys[i]!];
        if (isContainer(child)) stack.push({ parent: node, key: keys[i]!, value: child, depth: node.depth + 1 });
      }
    }
  }
  return undefined;
}
