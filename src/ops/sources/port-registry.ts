import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import { ComposeError } from '../compose/parse-file.js';
import type { SourceLocation } from '../types.js';

/** One reserved host port (format documented in docs/doctor.md). */
export interface RegistryEntry {
  service: string;
  port: number;
  containerPort?: number;
  project?: string;
  /**
   * The opt-in deployment tier that defines this service (e.g. `standard`, `monitoring`): a tier
   * that is not deployed is not drift, so the entry only counts where a compose file defines it.
   */
  tier?: string;
  description?: string;
  location: SourceLocation;
}

export interface PortRegistry {
  file: string;
  entries: RegistryEntry[];
}

/**
 * Reads a port registry in any of its documented forms (docs/doctor.md):
 * - the list: `ports: [{service, port, containerPort?, project?, description?}]` (`version: 1`);
 * - a service map: `services: {backend: 10010}` (a value may also be `{port, containerPort?, …}`);
 * - grouped maps, as the seed plans wrote them: `core_services: {backend: 10010, postgres: 10000}`,
 *   any top-level key whose value maps names to ports.
 * Forms can be mixed in one file; a port reserved twice is an error with its line.
 */
export function loadPortRegistry(file: string): PortRegistry {
  const lc = new LineCounter();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ComposeError(file, undefined, (err as Error).message);
  }
  const doc = parseDocument(text, { lineCounter: lc });
  if (doc.errors[0])
    throw new ComposeError(file, doc.errors[0].linePos?.[0].line, doc.errors[0].message.split('\n')[0]!);
  if (!isMap(doc.contents))
    throw new ComposeError(file, 1, 'expected a "ports" list or maps of service: port (see docs/doctor.md)');
  const lineOf = (node: Node | null | undefined) => lc.linePos(node?.range?.[0] ?? 0).line;
  const entries: RegistryEntry[] = [];
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value as Node | null;
    // Top-level scalars are metadata (`version: 1`, `updated: …`).
    if (isScalar(value) || value === null) continue;
    if (key === 'ports' && isSeq(value)) {
      for (const item of value.items) entries.push(entryOf(file, item as Node, lineOf(item as Node)));
    } else if (isMap(value)) {
      for (const p of value.items) {
        const service = isScalar(p.key) ? String(p.key.value) : '';
        const v = p.value as Node | null;
        const line = lineOf(p.key as Node);
        if (isScalar(v)) entries.push(entryOf(file, { service, port: v.toJSON() }, line));
        else if (isMap(v)) entries.push(entryOf(file, { service, ...(v.toJSON() as object) }, line));
        else throw new ComposeError(file, line, `${key}.${service}: expected a port or {port: …}`);
      }
    } else {
      throw new ComposeError(
        file,
        lineOf(pair.key as Node),
        `${key}: expected a "ports" list or a map of service: port (see docs/doctor.md)`,
      );
    }
  }
  const seen = new Map<number, RegistryEntry>();
  for (const e of entries) {
    const dup = seen.get(e.port);
    if (dup)
      throw new ComposeError(file, e.location.line, `port ${e.port} is already reserved for ${dup.service}`);
    seen.set(e.port, e);
  }
  return { file, entries };
}

function entryOf(file: string, raw: Node | Record<string, unknown>, line: number): RegistryEntry {
  const o = (isNode(raw) ? (raw.toJSON() ?? {}) : raw) as Record<string, unknown>;
  const port = typeof o.port === 'string' && /^\d+$/.test(o.port) ? Number(o.port) : o.port;
  if (typeof o.service !== 'string' || !o.service || !Number.isInteger(port))
    throw new ComposeError(file, line, 'each entry needs service (string) and port (integer)');
  return {
    service: o.service,
    port: port as number,
    ...(Number.isInteger(o.containerPort) ? { containerPort: o.containerPort as number } : {}),
    ...(typeof o.project === 'string' ? { project: o.project } : {}),
    ...(typeof o.tier === 'string' && o.tier ? { tier: o.tier } : {}),
    ...(typeof o.description === 'string' ? { description: o.description } : {}),
    location: { file, line },
  };
}
