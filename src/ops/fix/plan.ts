import type { DoctorConfig } from '../../config/schema.js';
import { parseBytes } from '../compose/units.js';
import { ruleById } from '../rules/catalogue.js';
import type { Snapshot } from '../rules/context.js';
import type { DoctorState } from '../state.js';
import type { Report } from '../types.js';

export type FixAction =
  | {
      kind: 'set-limits';
      containerId: string;
      container: string;
      service: string;
      project?: string;
      memory?: number;
      cpus?: number;
      basis: string;
      composeFile?: string;
    }
  | { kind: 'remove-orphan'; containerId: string; container: string; service: string }
  | {
      kind: 'restart-policy';
      containerId: string;
      container: string;
      service: string;
      policy: { Name: string; MaximumRetryCount: number };
      /** Also written as `restart:` here, so the next recreate keeps it. */
      composeFile?: string;
    }
  | { kind: 'prune-images' | 'prune-volumes' | 'prune-networks'; reclaimableBytes: number };

export interface FixPlan {
  createdAt: string;
  project: string | null;
  actions: FixAction[];
  /** Findings the doctor will not fix by itself. */
  manual: Array<{ ruleId: string; service: string; message: string; remediation: string }>;
}

const MIB = 1024 * 1024;

/** Peak × headroom, rounded up to a MiB, at least 32 MiB; else the per-kind default. */
export function chooseMemory(
  peak: number | undefined,
  kindDefault: string,
  headroom: number,
): { bytes: number; basis: string } {
  if (peak && peak > 0)
    return {
      bytes: Math.max(32 * MIB, Math.ceil((peak * headroom) / MIB) * MIB),
      basis: `observed peak ${peak} B × ${headroom}`,
    };
  return { bytes: parseBytes(kindDefault)!, basis: `default for its kind (${kindDefault})` };
}

/** Turns fixable findings into actions; suppressed findings are left alone. */
export function planFix(report: Report, snap: Snapshot, state: DoctorState, config: DoctorConfig): FixPlan {
  const actions: FixAction[] = [];
  const manual: FixPlan['manual'] = [];
  const limits = new Map<string, Extract<FixAction, { kind: 'set-limits' }>>();
  for (const f of report.findings.filter((x) => !x.suppressed)) {
    const rule = ruleById(f.ruleId)!;
    const view = snap.containers?.find((c) => c.inspect.Id.startsWith(f.containerId ?? '\0'));
    const decl = snap.compose?.services.find((s) => s.name === f.service);
    if ((f.ruleId === 'no-memory-limit' || f.ruleId === 'no-cpu-limit') && view) {
      const kind = (decl?.kind ?? 'default') as keyof DoctorConfig['defaultLimits'];
      const defaults = config.defaultLimits[kind] ?? config.defaultLimits.default;
      const a = limits.get(view.inspect.Id) ?? {
        kind: 'set-limits' as const,
        containerId: view.inspect.Id,
        container: view.name,
        service: f.service,
        ...(f.project ? { project: f.project } : {}),
        basis: '',
        ...(decl?.location
          ? { composeFile: decl.keyLocations['deploy.resources.limits']?.file ?? decl.location.file }
          : {}),
      };
      if (f.ruleId === 'no-memory-limit') {
        const m = chooseMemory(
          state.peaks[`${view.project ?? ''}/${view.service ?? view.name}`]?.bytes,
          decl?.memoryLimit ? String(decl.memoryLimit) : defaults.memory,
          config.limitHeadroom,
        );
        a.memory = m.bytes;
        a.basis = [a.basis, `memory: ${decl?.memoryLimit ? 'declared limit' : m.basis}`]
          .filter(Boolean)
          .join('; ');
      } else {
        a.cpus = decl?.cpuLimit ?? defaults.cpus;
        a.basis = [a.basis, `cpus: ${decl?.cpuLimit ? 'declared limit' : `default for ${kind}`}`]
          .filter(Boolean)
          .join('; ');
      }
      if (!limits.has(view.inspect.Id)) actions.push(a);
      limits.set(view.inspect.Id, a);
    } else if (f.ruleId === 'orphan-container' && view) {
      actions.push({
        kind: 'remove-orphan',
        containerId: view.inspect.Id,
        container: view.name,
        service: f.service,
      });
    } else if (f.ruleId === 'restart-loop' && view) {
      actions.push({
        kind: 'restart-policy',
        containerId: view.inspect.Id,
        container: view.name,
        service: f.service,
        policy: { Name: 'on-failure', MaximumRetryCount: 3 },
        ...(decl?.location ? { composeFile: decl.keyLocations['restart']?.file ?? decl.location.file } : {}),
      });
    } else if (f.ruleId.startsWith('dangling-')) {
      actions.push({
        kind: f.ruleId.replace('dangling-', 'prune-') as 'prune-images',
        reclaimableBytes: Number(f.evidence.reclaimableBytes ?? 0),
      });
    } else {
      manual.push({
        ruleId: f.ruleId,
        service: f.service,
        message: f.message,
        remediation: rule.remediation,
      });
    }
  }
  return { createdAt: new Date(snap.now).toISOString(), project: report.project, actions, manual };
}

function describe(a: FixAction): string {
  switch (a.kind) {
    case 'set-limits':
      return `set limits on ${a.container}: ${a.memory !== undefined ? `memory ${Math.round(a.memory / MIB)}MiB ` : ''}${a.cpus !== undefined ? `cpus ${a.cpus}` : ''} (${a.basis})${a.composeFile ? `, and in ${a.composeFile}` : ''}`;
    case 'remove-orphan':
      return `remove orphan container ${a.container} (service ${a.service})`;
    case 'restart-policy':
      return `set restart policy of ${a.container} to ${a.policy.Name}:${a.policy.MaximumRetryCount}${a.composeFile ? `, and in ${a.composeFile}` : ''}`;
    default:
      return `${a.kind.replace('-', ' ')} (${a.reclaimableBytes} bytes reclaimable)`;
  }
}

export function renderFixPlan(plan: FixPlan): string {
  const lines = [
    `Fix plan for ${plan.project ?? '(no project)'} — ${plan.actions.length} action(s); run with --apply to act`,
  ];
  for (const a of plan.actions) lines.push(`  - ${describe(a)}`);
  if (plan.manual.length) lines.push('', 'Needs a person:');
  for (const m of plan.manual) lines.push(`  - [${m.ruleId}] ${m.service}: ${m.message} — ${m.remediation}`);
  return `${lines.join('\n')}\n`;
}
