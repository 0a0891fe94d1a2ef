/**
 * Merging several compose files in order (compose specification "merge" rules, simplified):
 * mappings merge recursively; `command`, `entrypoint` and `healthcheck.test` are replaced;
 * `environment`, `labels` and similar list-or-map keys are normalised to mappings and merged;
 * other sequences are appended without duplicates. `!reset` removes, `!override` replaces
 * (see tags.ts); callers strip leftover markers with stripMarkers.
 */
import { OVERRIDE, RESET, isOverride } from './tags.js';

type Obj = Record<string, unknown>;

const REPLACED = new Set(['command', 'entrypoint', 'test']);
const LIST_OR_MAP = new Set(['environment', 'labels', 'annotations', 'extra_hosts', 'sysctls']);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `["A=1", "B"]` → `{A: "1", B: null}`; mappings pass through. */
export function listToMap(value: unknown): Obj {
  if (isObj(value)) return value;
  if (!Array.isArray(value)) return {};
  const out: Obj = {};
  for (const item of value) {
    const s = String(item);
    const eq = s.search(/[=:]/);
    if (eq < 0) out[s] = null;
    else out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

export function mergeValues(base: unknown, over: unknown, key = ''): unknown {
  if (over === undefined) return base;
  if (over === RESET) return undefined;
  if (isOverride(over)) return over[OVERRIDE];
  if (REPLACED.has(key)) return over;
  if (LIST_OR_MAP.has(key) && (Array.isArray(base) || isObj(base)))
    return { ...listToMap(base), ...listToMap(over) };
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) {
      const merged = mergeValues(base[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const seen = new Set(base.map((v) => JSON.stringify(v)));
    return [...base, ...over.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  return over;
}
