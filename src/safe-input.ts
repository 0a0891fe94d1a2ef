import { SutazaiError } from './errors.js';

/**
 * Input no handler should ever see, refused with 400 at the door (decision 0016):
 * - strings with NUL (`\u0000`) or an unpaired UTF-16 surrogate: PostgreSQL cannot store either
 *   (`text` refuses NUL, `jsonb` refuses `\u0000`, UTF-8 has no encoding for a lone surrogate), so
 *   they used to surface as 500s from deep inside a query;
 * - JSON nested deeper than JSON_LIMITS.maxDepth or with more than JSON_LIMITS.maxKeys object keys:
 *   V8's JSON.parse is iterative (1,000,000 levels parse), but validation, serialisation and our own
 *   code recurse over what it returns, and 10,000 levels overflowed the stack.
 * Every check here walks with an explicit stack, never by recursion.
 */
export const JSON_LIMITS = { maxDepth: 64, maxKeys: 10_000 } as const;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isCleanString(value: string): boolean {
  return !value.includes('\0') && !LONE_SURROGATE.test(value);
}

interface Node {
  value: unknown;
  depth: number;
  parent: Node | undefined;
  key: string;
}

function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let n: Node | undefined = node; n; n = n.parent) keys.push(n.key);
  return keys.reverse().join('.');
}

function badString(node: Node, what: 'value' | 'key'): SutazaiError {
  const path = pathOf(node);
  const message = `${what === 'key' ? 'a key' : 'the string'} contains a NUL character or an unpaired surrogate`;
  return new SutazaiError('SUTAZAI_ERR_HTTP_INVALID_STRING', { path }, { details: [{ path, message }] });
}

/** The children of an object or array, checking keys (strings, count, prototype pollution). */
function pushChildren(node: Node, stack: Node[], counter: { keys: number }): void {
  const { value } = node;
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i--)
      stack.push({ value: value[i], depth: node.depth + 1, parent: node, key: String(i) });
    return;
  }
  for (const key of Object.keys(value as object)) {
    const child: Node = {
      value: (value as Record<string, unknown>)[key],
      depth: node.depth + 1,
      parent: node,
      key,
    };
    if (++counter.keys > JSON_LIMITS.maxKeys)
      throw new SutazaiError('SUTAZAI_ERR_HTTP_JSON_TOO_MANY_KEYS', { limit: JSON_LIMITS.maxKeys });
    if (!isCleanString(key)) throw badString(child, 'key');
    if (key === '__proto__' || (key === 'constructor' && hasPrototypeKey(child.value)))
      throw new SutazaiError('SUTAZAI_ERR_HTTP_BAD_REQUEST', {
        reason: `The object key ${key} is not allowed (at ${pathOf(child)})`,
      });
    stack.push(child);
  }
}

function hasPrototypeKey(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
}

/**
 * Walks a parsed value (a JSON body, the query, the path parameters) and throws a catalogue error
 * naming the first offending field: `body.payload.url`, `query.type`, `params.id`.
 */
export function assertSafeValue(value: unknown, root: string): void {
  const stack: Node[] = [{ value, depth: 0, parent: undefined, key: root }];
  const counter = { keys: 0 };
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.value === 'string') {
      if (!isCleanString(node.value)) throw badString(node, 'value');
    } else if (typeof node.value === 'object' && node.value !== null) {
      if (node.depth >= JSON_LIMITS.maxDepth)
        throw new SutazaiError('SUTAZAI_ERR_HTTP_JSON_TOO_DEEP', {
          limit: JSON_LIMITS.maxDepth,
          path: pathOf(node),
        });
      pushChildren(node, stack, counter);
    }
  }
}

/** The JSON body parser: parse (iterative in V8), then the walk above, before any handler or schema. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw new SutazaiError('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SutazaiError('SUTAZAI_ERR_HTTP_MALFORMED_JSON');
  }
  assertSafeValue(value, 'body');
  return value;
}

/** Header values (a NUL can arrive through proxies and in-process injection; auth reads them). */
export function assertSafeHeaders(headers: Record<string, string | string[] | undefined>): void {
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (values.every(isCleanString)) continue;
    const path = `headers.${name}`;
    throw new SutazaiError(
      'SUTAZAI_ERR_HTTP_INVALID_STRING',
      { path },
      { details: [{ path, message: 'the header contains a NUL character or an unpaired surrogate' }] },
    );
  }
}
