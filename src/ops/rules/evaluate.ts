import type { DoctorState } from '../state.js';
import { severityRank, type Finding } from '../types.js';
import { PROJECT_LABEL, type Rule, type RuleContext, type RuleOptions, type Snapshot } from './context.js';
import { danglingResources, platformChildren, processSprawl } from './hygiene.js';
import { orphanContainer, phantomService, staleContainer, strayContainer } from './inventory.js';
import { locateFindings } from './locate.js';
import { portConflict, registryDrift } from './ports.js';
import {
  memoryPressure,
  noCpuLimit,
  noHealthcheck,
  noMemoryLimit,
  restartLoop,
  unhealthy,
} from './resources.js';

const ALL_RULES: Rule[] = [
  phantomService,
  orphanContainer,
  strayContainer,
  staleContainer,
  portConflict,
  registryDrift,
  noMemoryLimit,
  noCpuLimit,
  memoryPressure,
  unhealthy,
  noHealthcheck,
  restartLoop,
  danglingResources,
  processSprawl,
  platformChildren,
];

export interface ConfigSuppression {
  rule: string;
  service?: string;
  project?: string;
  reason: string;
}

function suppress(f: Finding, ctx: RuleContext, config: ConfigSuppression[]): Finding {
  const fromCompose = ctx.serviceByName
    .get(f.service)
    ?.suppressions.find((s) => s.rule === f.ruleId || s.rule === '*');
  if (fromCompose && f.project === ctx.snap.compose?.name) {
    const where = fromCompose.location
      ? `compose:${fromCompose.location.file}:${fromCompose.location.line}`
      : 'compose';
    return { ...f, suppressed: { reason: fromCompose.reason, source: where } };
  }
  const fromConfig = config.find(
    (s) =>
      (s.rule === f.ruleId || s.rule === '*') &&
      (!s.service || s.service === f.service) &&
      (!s.project || s.project === f.project),
  );
  return fromConfig ? { ...f, suppressed: { reason: fromConfig.reason, source: 'config' } } : f;
}

/** Runs every rule over the snapshot; `state` is updated in place (baselines, restart history). */
export function evaluate(
  snap: Snapshot,
  options: RuleOptions,
  state: DoctorState,
  opts: { suppressions?: ConfigSuppression[]; only?: string[]; skip?: string[] } = {},
): Finding[] {
  const project = snap.compose?.name;
  const own = (snap.containers ?? []).filter((c) => {
    const p = c.inspect.Config.Labels?.[PROJECT_LABEL];
    return !project || !p || p === project;
  });
  const ctx: RuleContext = {
    snap,
    options,
    state,
    own,
    serviceByName: new Map(snap.compose?.services.map((s) => [s.name, s])),
  };
  const findings = locateFindings(dropSymptoms(ALL_RULES.flatMap((rule) => rule(ctx))), snap.compose)
    .filter((f) => (!opts.only?.length || opts.only.includes(f.ruleId)) && !opts.skip?.includes(f.ruleId))
    .map((f) => suppress(f, ctx, opts.suppressions ?? []));
  return sortFindings(findings);
}

/** A looping container's health flaps as it restarts: report the loop, not its symptom. */
function dropSymptoms(findings: Finding[]): Finding[] {
  const looping = new Set(findings.filter((f) => f.ruleId === 'restart-loop').map((f) => f.containerId));
  return findings.filter((f) => !(f.ruleId === 'unhealthy' && looping.has(f.containerId)));
}

/** Most severe first, then by service and rule, so output is stable. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(!!a.suppressed) - Number(!!b.suppressed) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      a.service.localeCompare(b.service) ||
      a.ruleId.localeCompare(b.ruleId) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}
