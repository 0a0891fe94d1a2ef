import { YAMLMap, isNode, visit, type Document } from 'yaml';

/**
 * Compose's `!reset` and `!override` YAML tags (compose specification, "Merge and override"):
 * `!reset` removes a value an earlier file set; `!override` replaces it instead of merging.
 * They are turned into markers before `toJS()` and honoured by mergeValues, then stripped.
 */
export const RESET = '\u0000compose:reset';
export const OVERRIDE = '\u0000compose:override';

/** Rewrites tagged nodes in place: `!reset x` → the RESET marker, `!override x` → {OVERRIDE: x}. */
export function markComposeTags(doc: Document): void {
  visit(doc, {
    Node(_key, node) {
      if (!isNode(node) || (node.tag !== '!reset' && node.tag !== '!override')) return undefined;
      const tag = node.tag;
      node.tag = undefined;
      if (tag === '!reset') return doc.createNode(RESET);
      const wrapper = new YAMLMap();
      wrapper.set(doc.createNode(OVERRIDE), node);
      // The wrapped child has lost its tag, so visiting it again does nothing.
      return wrapper;
    },
  });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isOverride(v: unknown): v is Record<string, unknown> {
  return isObj(v) && OVERRIDE in v;
}

/** Removes markers from a value no earlier file contributed to (a reset of nothing is nothing). */
export function stripMarkers(value: unknown): unknown {
  if (value === RESET) return undefined;
  if (isOverride(value)) return stripMarkers(value[OVERRIDE]);
  if (Array.isArray(value)) return value.filter((v) => v !== RESET).map(stripMarkers);
  if (isObj(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const s = stripMarkers(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return value;
}
