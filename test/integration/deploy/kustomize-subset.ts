import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/**
 * What `kubectl apply -k DIR` sends for a kustomization that uses only `resources` naming files:
 * every document of those files, in order, unchanged. There is no kustomize binary here, so this
 * renders that subset and refuses anything else (other keys, directories, URLs) rather than
 * pretend: a key the base starts using must be implemented here first, faithfully.
 */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'resources']);

export function renderKustomization(dir: string): Manifest[] {
  const kustomization = parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  if (
    kustomization.apiVersion !== 'kustomize.config.k8s.io/v1beta1' ||
    kustomization.kind !== 'Kustomization'
  )
    throw new Error(
      'kustomization.yaml: expected apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization',
    );
  const unsupported = Object.keys(kustomization).filter((k) => !SUPPORTED_KEYS.has(k));
  if (unsupported.length)
    throw new Error(`kustomization.yaml: ${unsupported.join(', ')} not rendered by this subset`);
  const resources = kustomization.resources;
  if (!Array.isArray(resources) || resources.length === 0)
    throw new Error('kustomization.yaml: resources must be a non-empty list');
  const manifests = resources.flatMap((entry: unknown) => readResource(dir, entry));
  assertUniqueIds(manifests);
  return manifests;
}

function readResource(dir: string, entry: unknown): Manifest[] {
  if (typeof entry !== 'string' || entry.includes('://') || path.isAbsolute(entry))
    throw new Error(`resource ${String(entry)}: only relative file paths are rendered`);
  const file = path.join(dir, entry);
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`resource ${entry}: no such file`);
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${entry}: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: 0 }) as Manifest | null;
    if (value === null) return [];
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.metadata?.name)
      throw new Error(`${entry}: every document needs apiVersion, kind and metadata.name`);
    return [value];
  });
}

/** kustomize refuses two resources with the same group/version/kind, namespace and name. */
function assertUniqueIds(manifests: Manifest[]): void {
  const seen = new Set<string>();
  for (const m of manifests) {
    const id = `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    if (seen.has(id)) throw new Error(`may not add resource with an already registered id: ${id}`);
    seen.add(id);
  }
}
