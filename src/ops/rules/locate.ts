import type { ComposeProject } from '../compose/model.js';
import type { Finding, SourceLocation } from '../types.js';

/**
 * The compose keys a rule is about, most specific first; the service key is the fallback.
 * Code scanning shows a result only where it has a location, so every finding about a declared
 * service gets one (SARIF `locations`).
 */
const KEYS: Record<string, string[]> = {
  'no-memory-limit': ['deploy.resources.limits.memory', 'mem_limit', 'deploy.resources.limits', 'deploy'],
  'no-cpu-limit': ['deploy.resources.limits.cpus', 'cpus', 'deploy.resources.limits', 'deploy'],
  'memory-pressure': ['deploy.resources.limits.memory', 'mem_limit', 'deploy.resources.limits'],
  'restart-loop': ['restart', 'deploy.restart_policy'],
  unhealthy: ['healthcheck'],
  'no-healthcheck': ['healthcheck'],
  'port-conflict': ['ports'],
  'registry-drift': ['ports'],
  'stale-container': [],
  'phantom-service': [],
};

export function locationFor(ruleId: string, f: Finding, compose: ComposeProject): SourceLocation | undefined {
  if (f.project && f.project !== compose.name) return undefined;
  const decl = compose.services.find((s) => s.name === f.service);
  if (!decl) return undefined;
  for (const key of KEYS[ruleId] ?? []) if (decl.keyLocations[key]) return decl.keyLocations[key];
  return decl.location;
}

/** Fills in a location for findings about a declared service that a rule left without one. */
export function locateFindings(findings: Finding[], compose: ComposeProject | undefined): Finding[] {
  if (!compose) return findings;
  return findings.map((f) => {
    if (f.location) return f;
    const location = locationFor(f.ruleId, f, compose);
    return location ? { ...f, location } : f;
  });
}
