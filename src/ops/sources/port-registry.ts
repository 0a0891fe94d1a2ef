import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { ComposeError } from '../compose/parse-file.js';
import type { SourceLocation } from '../types.js';

/** One reserved host port (format documented in docs/doctor.md). */
export interface RegistryEntry {
  service: string;
  port: number;
  containerPort?: number;
  project?: string;
  description?: string;
  location: SourceLocation;
}

export interface PortRegistry {
  file: string;
  entries: RegistryEntry[];
}

/** Reads a port registry: `version: 1` and `ports: [{service, port, containerPort?, project?, description?}]`. */
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
  const ports = isMap(doc.contents) ? (doc.contents.get('ports', true) as Node | undefined) : undefined;
  if (!isSeq(ports)) throw new ComposeError(file, 1, 'expected a top-level "ports" list');
  const entries = ports.items.map((item) => {
    const node = item as Node;
    const line = lc.linePos(node.range?.[0] ?? 0).line;
    const o = (node.toJSON() ?? {}) as Record<string, unknown>;
    if (typeof o.service !== 'string' || !Number.isInteger(o.port))
      throw new ComposeError(file, line, 'each entry needs service (string) and port (integer)');
    return {
      service: o.service,
      port: o.port as number,
      ...(Number.isInteger(o.containerPort) ? { containerPort: o.containerPort as number } : {}),
      ...(typeof o.project === 'string' ? { project: o.project } : {}),
      ...(typeof o.description === 'string' ? { description: o.description } : {}),
      location: { file, line },
    };
  });
  const seen = new Map<number, RegistryEntry>();
  for (const e of entries) {
    const dup = seen.get(e.port);
    if (dup)
      throw new ComposeError(file, e.location.line, `port ${e.port} is already reserved for ${dup.service}`);
    seen.set(e.port, e);
  }
  return { file, entries };
}
