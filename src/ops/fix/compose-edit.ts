import { readFile, writeFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { formatBytes } from '../compose/units.js';
import { setInService } from './yaml-text-edit.js';

export interface ComposeEdit {
  service: string;
  memory?: number;
  cpus?: number;
  /** `restart:` value, e.g. `on-failure:3`. */
  restart?: string;
  /** Entries of a map-form `environment:` (a list-form one is left alone: changed stays false). */
  env?: Record<string, string>;
}

/**
 * Writes limits and a restart policy into compose text, touching only the changed or inserted
 * keys (setInService): an existing `mem_limit` / `cpus` key is updated in place, otherwise
 * `deploy.resources.limits.{memory,cpus}` is set; `restart:` is replaced or added.
 * changed: false when the service is not in the text (or the value is already there).
 */
export function editLimits(text: string, edit: ComposeEdit): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  const svc = doc.getIn(['services', edit.service], true);
  if (!isMap(svc)) return { text, changed: false };
  const steps: Array<[string[], string]> = [];
  if (edit.memory !== undefined)
    steps.push([
      svc.has('mem_limit') ? ['mem_limit'] : ['deploy', 'resources', 'limits', 'memory'],
      formatBytes(edit.memory),
    ]);
  if (edit.cpus !== undefined)
    steps.push([
      svc.has('cpus') ? ['cpus'] : ['deploy', 'resources', 'limits', 'cpus'],
      JSON.stringify(String(edit.cpus)),
    ]);
  if (edit.restart !== undefined) steps.push([['restart'], edit.restart]);
  for (const [name, value] of Object.entries(edit.env ?? {}))
    steps.push([['environment', name], JSON.stringify(value)]);
  let out = text;
  let changed = false;
  for (const [path, value] of steps) {
    const r = setInService(out, edit.service, path, value);
    out = r.text;
    changed ||= r.changed;
  }
  return { text: out, changed };
}

export async function editLimitsInFile(file: string, edit: ComposeEdit): Promise<boolean> {
  const { text, changed } = editLimits(await readFile(file, 'utf8'), edit);
  if (changed) await writeFile(file, text);
  return changed;
}

/**
 * The compose edit a reversible fix action writes, or undefined when it writes none. Apply and
 * the dry-run preview (compose-preview.ts) both go through this, so the preview shows exactly
 * what apply would write.
 */
export function composeEditOf(a: {
  kind: string;
  service: string;
  memory?: number;
  cpus?: number;
  policy?: { Name: string; MaximumRetryCount: number };
  env?: Record<string, string>;
}): ComposeEdit | undefined {
  if (a.kind === 'set-limits')
    return {
      service: a.service,
      ...(a.memory !== undefined ? { memory: a.memory } : {}),
      ...(a.cpus !== undefined ? { cpus: a.cpus } : {}),
    };
  if (a.kind === 'compose-env' && a.env) return { service: a.service, env: a.env };
  if (a.kind === 'restart-policy' && a.policy)
    return { service: a.service, restart: `${a.policy.Name}:${a.policy.MaximumRetryCount}` };
  return undefined;
}
