import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import type { SourceLocation } from '../types.js';
import { interpolate, InterpolationError } from './interpolate.js';
import { markComposeTags } from './tags.js';

/** A compose file that cannot be used; `file:line` where known. */
export class ComposeError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
    this.name = 'ComposeError';
  }
}

export interface ParsedFile {
  file: string;
  data: Record<string, unknown>;
  /** Dotted key path (`services.web.ports`) → location of its key. */
  lines: Map<string, SourceLocation>;
}

function collectLines(
  node: Node | null,
  prefix: string,
  lc: LineCounter,
  file: string,
  out: Map<string, SourceLocation>,
  depth: number,
): void {
  if (!node || depth > 6 || !isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (key === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const offset = (pair.key as Node).range?.[0];
    if (offset !== undefined) out.set(path, { file, line: lc.linePos(offset).line });
    const value = pair.value as Node | null;
    if (isMap(value)) collectLines(value, path, lc, file, out, depth + 1);
    else if (isSeq(value) && value.range)
      out.set(`${path}[]`, { file, line: lc.linePos(value.range[0]).line });
  }
}

/** Interpolates every string scalar (keys stay literal), naming the failing key's line. */
function interpolateTree(
  value: unknown,
  env: Record<string, string | undefined>,
  path: string,
  ctx: ParsedFile,
): unknown {
  if (typeof value === 'string') {
    try {
      return interpolate(value, env);
    } catch (err) {
      if (!(err instanceof InterpolationError)) throw err;
      throw new ComposeError(ctx.file, lineOf(ctx.lines, path), err.message);
    }
  }
  if (Array.isArray(value)) return value.map((v) => interpolateTree(v, env, path, ctx));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = interpolateTree(v, env, path ? `${path}.${k}` : k, ctx);
    return out;
  }
  return value;
}

function lineOf(lines: Map<string, SourceLocation>, path: string): number | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const loc = lines.get(p);
    if (loc) return loc.line;
  }
  return undefined;
}

/** Parses one compose file with line numbers, then interpolates it with `env`. */
export function parseComposeFile(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
): ParsedFile {
  const lc = new LineCounter();
  // merge: YAML merge keys (`<<: *defaults`), which compose files use for shared service defaults.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0].line ?? (first.pos ? lc.linePos(first.pos[0]).line : undefined);
    throw new ComposeError(file, line, first.message.split('\n')[0] ?? 'invalid YAML');
  }
  const ctx: ParsedFile = { file, data: {}, lines: new Map() };
  // Lines first: marking the tags adds nodes that have no place in the text.
  collectLines(doc.contents, '', lc, file, ctx.lines, 0);
  markComposeTags(doc);
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) return { file, data: {}, lines: new Map() };
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ComposeError(file, 1, 'the top level must be a mapping');
  ctx.data = interpolateTree(raw, env, '', ctx) as Record<string, unknown>;
  const services = ctx.data.services;
  if (
    services !== undefined &&
    (typeof services !== 'object' || services === null || Array.isArray(services))
  )
    throw new ComposeError(file, lineOf(ctx.lines, 'services'), 'services must be a mapping');
  return ctx;
}
