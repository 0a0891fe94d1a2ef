import type { Manifest } from './kustomize-subset.js';

/**
 * Validates a manifest against the Kubernetes OpenAPI schema of its apiVersion and kind, as
 * compiled by the kubernetes-models package (a devDependency: offline, no cluster). These schemas
 * check required fields, types, enums and formats (quantities, int32); like the published OpenAPI
 * document they do not list every object's fields as closed, so an unknown field is not an error
 * here, although `kubectl apply` (strict field validation) refuses it.
 */
export async function schemaErrors(manifest: Manifest): Promise<string[]> {
  const [group, version] = manifest.apiVersion.includes('/')
    ? manifest.apiVersion.split('/')
    : [undefined, manifest.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  let models: Record<string, unknown>;
  try {
    models = (await import(modulePath)) as Record<string, unknown>;
  } catch {
    return [`no schema for apiVersion ${manifest.apiVersion}`];
  }
  const Model = models[manifest.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (typeof Model !== 'function') return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  try {
    new Model(manifest).validate();
    return [];
  } catch (err) {
    return (err as Error).message.split(', ');
  }
}
