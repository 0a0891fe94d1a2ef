import type { DoctorConfig } from '../../config/schema.js';
import { KIND_LIMITS, chooseMemoryLimit, mib, type LimitKind } from '../limits/floors.js';
import { kindDefaultsFrom, limitKindOf, policyFrom, usageKey } from '../limits/evidence.js';
import { ruleById } from '../rules/catalogue.js';
import type { ContainerView, Snapshot } from '../rules/context.js';
import type { DoctorState } from '../state.js';
import type { Finding, Report } from '../types.js';
import { removalsFor, type RemovalOptions } from './plan-removals.js';

/**
 * A fix plan has two phases (decision 0045):
 * 1. reversible — live limits, restart policies and the compose edits that go with them, on
 *    containers the plan keeps; then a verification window over every touched container;
 * 2. irreversible — container removals and deletion of dangling images, volumes and networks,
 *    each named exactly, run only after verification passed and the backup holds what
 *    rollback needs.
 * No action targets a container another action removes: such findings fold into the removal.
 */
export type FixAction =
  | {
      kind: 'set-limits';
      containerId: string;
      container: string;
      service: string;
      project?: string;
      memory?: number;
      cpus?: number;
      /** Where each number came from: `history`, `kind-default` or `declared`. */
      sources: { memory?: string; cpus?: string };
      basis: string;
      composeFile?: string;
    }
  | {
      kind: 'restart-policy';
      containerId: string;
      container: string;
      service: string;
      policy: { Name: string; MaximumRetryCount: number };
      /** Also written as `restart:` here, so the next recreate keeps it. */
      composeFile?: string;
    }
  | {
      kind: 'remove-container';
      containerId: string;
      container: string;
      service: string;
      /** Other findings about this container, settled by removing it. */
      folded: string[];
    }
  | {
      /** An MCP server's `memoryBudgetMb` in .mcp.json (the supervisor reloads the file). */
      kind: 'mcp-budget';
      server: string;
      file: string;
      memoryBytes: number;
      basis: string;
    }
  | {
      /** Environment of a compose service (e.g. Ollama's): takes effect when compose recreates it. */
      kind: 'compose-env';
      service: string;
      composeFile: string;
      env: Record<string, string>;
      basis: string;
    }
  | { kind: 'remove-images'; ids: string[]; reclaimableBytes: number }
  | { kind: 'remove-volumes'; names: string[]; reclaimableBytes: number }
  | { kind: 'remove-networks'; names: string[]; reclaimableBytes: 0 };

export const IRREVERSIBLE_KINDS = ['remove-container', 'remove-images', 'remove-volumes', 'remove-networks'];

export function isIrreversible(a: FixAction): boolean {
  return IRREVERSIBLE_KINDS.includes(a.kind);
}

export interface FixPlan {
  createdAt: string;
  project: string | null;
  /** Reversible actions first, irreversible ones last (see isIrreversible). */
  actions: FixAction[];
  /** Resources the plan leaves alone on purpose, with the reason and how to include them. */
  kept: Array<{ resource: string; reason: string }>;
  /** Findings the doctor will not fix by itself. */
  manual: Array<{ ruleId: string; service: string; message: string; remediation: string }>;
}

export interface PlanOptions extends RemovalOptions {
  /**
   * Memory limits the resource optimizer recommends from its stored history, by container name
   * (src/optimizer, `optimize plan`). Used for a container with no limit when present; otherwise
   * the doctor's own usage history or the per-kind default decides.
   */
  memoryRecommendations?: ReadonlyMap<string, { bytes: number; basis: string }>;
}

type LimitAction = Extract<FixAction, { kind: 'set-limits' }>;

function cpusFor(kind: LimitKind, config: DoctorConfig): number {
  return config.defaultLimits[kind as keyof DoctorConfig['defaultLimits']]?.cpus ?? KIND_LIMITS[kind].cpus;
}

function limitAction(f: Finding, view: ContainerView, snap: Snapshot): LimitAction {
  const decl = snap.compose?.services.find((s) => s.name === f.service);
  return {
    kind: 'set-limits',
    containerId: view.inspect.Id,
    container: view.name,
    service: f.service,
    ...(f.project ? { project: f.project } : {}),
    sources: {},
    basis: '',
    ...(decl?.location
      ? { composeFile: decl.keyLocations['deploy.resources.limits']?.file ?? decl.location.file }
      : {}),
  };
}

function addLimit(
  a: LimitAction,
  f: Finding,
  view: ContainerView,
  snap: Snapshot,
  state: DoctorState,
  config: DoctorConfig,
  recommended?: { bytes: number; basis: string },
): void {
  const decl = snap.compose?.services.find((s) => s.name === f.service);
  const kind = limitKindOf(decl?.kind);
  let part: string;
  if (f.ruleId === 'no-memory-limit') {
    if (decl?.memoryLimit) {
      a.memory = decl.memoryLimit;
      a.sources.memory = 'declared';
      part = `memory ${mib(a.memory)}: declared limit`;
    } else if (recommended) {
      a.memory = recommended.bytes;
      a.sources.memory = 'optimizer';
      part = `memory ${mib(a.memory)}: optimizer recommendation (${recommended.basis})`;
    } else {
      const m = chooseMemoryLimit(
        kind,
        state.usage[usageKey(view)],
        policyFrom(config),
        kindDefaultsFrom(config),
      );
      a.memory = m.bytes;
      a.sources.memory = m.source;
      part = `memory ${mib(m.bytes)}: ${m.basis}`;
    }
  } else {
    a.cpus = decl?.cpuLimit ?? cpusFor(kind, config);
    a.sources.cpus = decl?.cpuLimit ? 'declared' : 'kind-default';
    part = `cpus ${a.cpus}: ${decl?.cpuLimit ? 'declared limit' : `default for ${kind}`}`;
  }
  a.basis = [a.basis, part].filter(Boolean).join('; ');
}

/** Turns fixable findings into a two-phase plan; suppressed findings are left alone. */
export function planFix(
  report: Report,
  snap: Snapshot,
  state: DoctorState,
  config: DoctorConfig,
  options: PlanOptions = {},
): FixPlan {
  const open = report.findings.filter((x) => !x.suppressed);
  const viewOf = (f: Finding) => snap.containers?.find((c) => c.inspect.Id.startsWith(f.containerId ?? '\0'));
  const removed = new Map<string, Extract<FixAction, { kind: 'remove-container' }>>();
  for (const f of open) {
    const view = viewOf(f);
    if (f.ruleId === 'orphan-container' && view && !removed.has(view.inspect.Id))
      removed.set(view.inspect.Id, {
        kind: 'remove-container',
        containerId: view.inspect.Id,
        container: view.name,
        service: f.service,
        folded: [],
      });
  }
  const reversible: FixAction[] = [];
  const manual: FixPlan['manual'] = [];
  const limits = new Map<string, LimitAction>();
  for (const f of open) {
    const view = viewOf(f);
    const removal = view ? removed.get(view.inspect.Id) : undefined;
    if (removal) {
      if (f.ruleId !== 'orphan-container') removal.folded.push(f.ruleId);
    } else if ((f.ruleId === 'no-memory-limit' || f.ruleId === 'no-cpu-limit') && view) {
      const a = limits.get(view.inspect.Id) ?? limitAction(f, view, snap);
      addLimit(a, f, view, snap, state, config, options.memoryRecommendations?.get(view.name));
      if (!limits.has(view.inspect.Id)) reversible.push(a);
      limits.set(view.inspect.Id, a);
    } else if (f.ruleId === 'restart-loop' && view) {
      const decl = snap.compose?.services.find((s) => s.name === f.service);
      reversible.push({
        kind: 'restart-policy',
        containerId: view.inspect.Id,
        container: view.name,
        service: f.service,
        policy: { Name: 'on-failure', MaximumRetryCount: 3 },
        ...(decl?.location ? { composeFile: decl.keyLocations['restart']?.file ?? decl.location.file } : {}),
      });
    } else if (!f.ruleId.startsWith('dangling-')) {
      manual.push({
        ruleId: f.ruleId,
        service: f.service,
        message: f.message,
        remediation: ruleById(f.ruleId)!.remediation,
      });
    }
  }
  const wanted = new Set(open.filter((f) => f.ruleId.startsWith('dangling-')).map((f) => f.ruleId));
  const { actions: removals, kept } = removalsFor(snap, wanted, options);
  return {
    createdAt: new Date(snap.now).toISOString(),
    project: report.project,
    actions: [...reversible, ...removed.values(), ...removals],
    kept,
    manual,
  };
}

function describe(a: FixAction): string {
  switch (a.kind) {
    case 'set-limits':
      return `set limits on ${a.container}: ${a.basis}${a.composeFile ? `; and in ${a.composeFile}` : ''}`;
    case 'restart-policy':
      return `set restart policy of ${a.container} to ${a.policy.Name}:${a.policy.MaximumRetryCount}${a.composeFile ? `, and in ${a.composeFile}` : ''}`;
    case 'mcp-budget':
      return `set MCP server ${a.server}'s memory budget to ${mib(a.memoryBytes)} in ${a.file}: ${a.basis}`;
    case 'compose-env':
      return `set ${Object.entries(a.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')} for ${a.service} in ${a.composeFile}: ${a.basis}`;
    case 'remove-container':
      return `remove orphan container ${a.container} (service ${a.service})${a.folded.length ? `; settles ${a.folded.join(', ')}` : ''}`;
    case 'remove-images':
      return `remove ${a.ids.length} dangling image(s) (${a.reclaimableBytes} bytes)`;
    case 'remove-volumes':
      return `remove dangling volume(s) ${a.names.join(', ')} (${a.reclaimableBytes} bytes)`;
    case 'remove-networks':
      return `remove unused network(s) ${a.names.join(', ')}`;
  }
}

/** The plan as text; with composeDiffs (compose-preview.ts), the compose edits it would write. */
export function renderFixPlan(plan: FixPlan, composeDiffs: ReadonlyArray<{ diff: string }> = []): string {
  const lines = [
    `Fix plan for ${plan.project ?? '(no project)'} — ${plan.actions.length} action(s); run with --apply to act`,
  ];
  const reversible = plan.actions.filter((a) => !isIrreversible(a));
  const irreversible = plan.actions.filter(isIrreversible);
  if (reversible.length) lines.push('1. Reversible (then verified):');
  for (const a of reversible) lines.push(`  - ${describe(a)}`);
  if (irreversible.length) lines.push('2. Irreversible (only after verification passed; backed up first):');
  for (const a of irreversible) lines.push(`  - ${describe(a)}`);
  if (plan.kept.length) lines.push('', 'Kept:');
  for (const k of plan.kept) lines.push(`  - ${k.resource}: ${k.reason}`);
  if (plan.manual.length) lines.push('', 'Needs a person:');
  for (const m of plan.manual) lines.push(`  - [${m.ruleId}] ${m.service}: ${m.message} — ${m.remediation}`);
  if (composeDiffs.length) lines.push('', 'Compose edits it would write:');
  for (const d of composeDiffs) lines.push(d.diff.trimEnd());
  return `${lines.join('\n')}\n`;
}
