import { readFile, writeFile } from 'node:fs/promises';
import { isMap, parseDocument } from 'yaml';
import { formatBytes } from '../compose/units.js';

export interface LimitEdit {
  service: string;
  memory?: number;
  cpus?: number;
}

/**
 * Writes limits into a compose file with a comment-preserving edit (yaml Document API): an
 * existing `mem_limit` / `cpus` key is updated in place, otherwise
 * `deploy.resources.limits.{memory,cpus}` is set. Returns false when the service is not in the file.
 */
export function editLimits(text: string, edit: LimitEdit): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  const svc = doc.getIn(['services', edit.service], true);
  if (!isMap(svc)) return { text, changed: false };
  if (edit.memory !== undefined) {
    const value = formatBytes(edit.memory);
    if (svc.has('mem_limit')) svc.set('mem_limit', value);
    else doc.setIn(['services', edit.service, 'deploy', 'resources', 'limits', 'memory'], value);
  }
  if (edit.cpus !== undefined) {
    const value = String(edit.cpus);
    if (svc.has('cpus')) svc.set('cpus', value);
    else doc.setIn(['services', edit.service, 'deploy', 'resources', 'limits', 'cpus'], value);
  }
  return { text: doc.toString(), changed: true };
}

export async function editLimitsInFile(file: string, edit: LimitEdit): Promise<boolean> {
  const { text, changed } = editLimits(await readFile(file, 'utf8'), edit);
  if (changed) await writeFile(file, text);
  return changed;
}
