import type { ServiceDecl } from './model.js';
import { ComposeError } from './parse-file.js';

/**
 * The errors the reference implementation (compose-go) makes fatal for the model the doctor
 * reads, with file:line: a service with neither image nor build, two volume entries with the same
 * target in one service, and a dependency on a service that does not exist.
 */
function fail(s: ServiceDecl, key: string, reason: string): never {
  const loc = s.keyLocations[key] ?? s.location;
  throw new ComposeError(loc?.file ?? '?', loc?.line, reason);
}

function volumeTarget(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const parts = v.split(':');
    // `src:target[:mode]` or an anonymous `target`; a Windows drive letter is not handled.
    return parts.length === 1 ? parts[0] : parts[1];
  }
  if (v && typeof v === 'object' && typeof (v as { target?: unknown }).target === 'string')
    return (v as { target: string }).target;
  return undefined;
}

export function validateProject(services: ServiceDecl[]): void {
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    const c = s.config;
    if (c.image === undefined && c.build === undefined)
      fail(s, '', `service "${s.name}" has neither an image nor a build context specified`);
    const seen = new Set<string>();
    for (const v of Array.isArray(c.volumes) ? c.volumes : []) {
      const target = volumeTarget(v);
      if (target === undefined) continue;
      if (seen.has(target))
        fail(s, 'volumes', `service "${s.name}" has duplicate volume mount target ${target}`);
      seen.add(target);
    }
    if (!s.active) continue;
    const deps = Array.isArray(c.depends_on)
      ? c.depends_on.map(String)
      : c.depends_on && typeof c.depends_on === 'object'
        ? Object.keys(c.depends_on)
        : [];
    for (const d of deps)
      if (!names.has(d)) fail(s, 'depends_on', `service "${s.name}" depends on undefined service "${d}"`);
  }
}
