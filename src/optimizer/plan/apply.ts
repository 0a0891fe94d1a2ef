import path from 'node:path';
import { SutazaiError } from '../../errors.js';
import { applyFix } from '../../ops/fix/apply.js';
import { loadBackup } from '../../ops/fix/backup.js';
import type { FixAction, FixPlan } from '../../ops/fix/plan.js';
import { rollback } from '../../ops/fix/rollback.js';
import type { DockerClient } from '../../ops/sources/docker-types.js';
import { BACKUP_ID, type ApplyResponse, type PlanMode, type RollbackResponse } from '../plan-schema.js';
import { buildPlan, type BuiltPlan, type PlanDeps, type PlannedChange } from './build.js';
import { recordStep, stepTargetOf } from './step-log.js';

export interface ApplyDeps extends PlanDeps {
  dataDir: string;
  verify: { windowMs: number; pollMs: number };
  sleep?: (ms: number) => Promise<void>;
}

/** Stands in for a missing engine when the plan touches no container (MCP budgets only). */
const noEngine = new Proxy({} as DockerClient, {
  // Not a thenable: only method calls fail.
  get: (_t, key) =>
    key === 'then'
      ? undefined
      : () => Promise.reject(new SutazaiError('SUTAZAI_ERR_DOCTOR_DOCKER_UNAVAILABLE')),
});

type Grouped = { actions: FixAction[]; ids: string[][]; skipped: string[] };

/** One set-limits action per container (memory and CPU together), one edit per MCP server or service. */
function toActions(changes: PlannedChange[], hasEngine: boolean): Grouped {
  const out: Grouped = { actions: [], ids: [], skipped: [] };
  const byContainer = new Map<string, number>();
  for (const c of changes) {
    if (c.target.kind === 'container') {
      if (!c.containerId || !hasEngine) {
        out.skipped.push(`${c.id}: no Docker engine to update the container through`);
        continue;
      }
      let i = byContainer.get(c.containerId);
      if (i === undefined) {
        i =
          out.actions.push({
            kind: 'set-limits',
            containerId: c.containerId,
            container: c.target.name,
            service: c.target.service ?? c.target.name,
            ...(c.project ? { project: c.project } : {}),
            sources: {},
            basis: '',
            ...(c.target.service && c.target.composeFile ? { composeFile: c.target.composeFile } : {}),
          }) - 1;
        out.ids.push([]);
        byContainer.set(c.containerId, i);
      }
      const a = out.actions[i] as Extract<FixAction, { kind: 'set-limits' }>;
      if (c.resource === 'memory') a.memory = Number(c.proposed);
      else a.cpus = Number(c.proposed);
      a.sources[c.resource === 'memory' ? 'memory' : 'cpus'] = 'optimizer';
      a.basis = [a.basis, c.reason].filter(Boolean).join(' ');
      out.ids[i]!.push(c.id);
    } else if (c.target.kind === 'mcp' && c.target.composeFile) {
      out.actions.push({
        kind: 'mcp-budget',
        server: c.target.name,
        file: c.target.composeFile,
        memoryBytes: Number(c.proposed),
        basis: c.reason,
      });
      out.ids.push([c.id]);
    } else if (c.target.kind === 'ollama' && c.target.service && c.target.composeFile && c.env) {
      out.actions.push({
        kind: 'compose-env',
        service: c.target.service,
        composeFile: c.target.composeFile,
        env: { [c.env]: String(c.proposed) },
        basis: c.reason,
      });
      out.ids.push([c.id]);
    } else {
      out.skipped.push(`${c.id}: no compose service or file to write it into; set it by hand`);
    }
  }
  return out;
}

function unknownId(id: string, index: number, mode: PlanMode): SutazaiError {
  return new SutazaiError(
    'SUTAZAI_ERR_OPTIMIZER_CHANGE_UNKNOWN',
    { id, mode },
    { details: [{ path: `body.ids.${index}`, message: `not in the current ${mode} plan` }] },
  );
}

/**
 * Applies the named changes of the current plan through the doctor's fix path: backup (compose
 * files, .mcp.json, inspect JSON) → live update and file edits → verification window → rollback
 * when verification fails, journaled in the backup directory. Each applied target is recorded
 * in optimizer_steps (the once-a-day limit).
 */
export async function applyChanges(
  deps: ApplyDeps,
  req: {
    ids: string[];
    mode?: PlanMode;
    verifyWindowMs?: number;
    /** A plan this process built moments ago (auto mode); callers from outside always rebuild. */
    plan?: BuiltPlan;
  },
): Promise<ApplyResponse> {
  const mode = req.plan?.mode ?? req.mode ?? 'rightsize';
  const plan = req.plan ?? (await buildPlan(deps, mode));
  const byId = new Map(plan.changes.map((c) => [c.id, c]));
  req.ids.forEach((id, i) => {
    if (!byId.has(id)) throw unknownId(id, i, mode);
  });
  const selected = [...new Set(req.ids)].map((id) => byId.get(id)!);
  const { actions, ids, skipped } = toActions(selected, !!deps.docker);
  if (actions.length === 0)
    return { applied: [], backupId: null, verification: { ok: false, details: skipped }, rolledBack: false };
  const fixPlan: FixPlan = { createdAt: plan.generatedAt, project: null, actions, kept: [], manual: [] };
  const result = await applyFix(
    fixPlan,
    { now: deps.now ?? Date.now() },
    {
      docker: deps.docker ?? noEngine,
      dataDir: deps.dataDir,
      verify: { ...deps.verify, ...(req.verifyWindowMs ? { windowMs: req.verifyWindowMs } : {}) },
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
    },
  );
  const backupId = result.backupDir ? path.basename(result.backupDir) : null;
  const applied = result.outcome === 'applied' ? ids.flat() : [];
  const at = deps.now ?? Date.now();
  for (const id of applied) {
    const c = byId.get(id)!;
    await recordStep(
      deps.db,
      {
        target: stepTargetOf(id),
        changeId: id,
        from: c.current === null ? null : String(c.current),
        to: String(c.proposed),
        backupId,
      },
      at,
    );
  }
  const v = result.verification;
  return {
    applied,
    backupId,
    verification: {
      ok: !!v?.ok && result.outcome === 'applied',
      details: [
        result.summary,
        ...(v?.watched.length ? [`watched ${v.watched.join(', ')} for ${v.windowMs} ms`] : []),
        ...(v?.problems ?? []),
        ...result.steps.filter((s) => !s.ok).map((s) => `${s.action}: ${String(s.detail)}`),
        ...skipped,
      ],
    },
    rolledBack: result.outcome === 'rolled-back',
  };
}

/** Restores one optimizer (or doctor) backup: its files and every container it holds. */
export async function rollbackChanges(
  deps: { dataDir: string; docker?: DockerClient },
  backupId: string,
): Promise<RollbackResponse> {
  const known = BACKUP_ID.test(backupId)
    ? await loadBackup(deps.dataDir, backupId).catch(() => undefined)
    : undefined;
  if (!known) throw new SutazaiError('SUTAZAI_ERR_DOCTOR_BACKUP_NOT_FOUND', { backup: backupId });
  const backup = known;
  const result = await rollback(deps.docker ?? noEngine, backup);
  backup.manifest.outcome = 'restored';
  await backup.saveManifest();
  const failedIds = (e: string) => result.errors.some((x) => x.startsWith(e));
  const names = new Map(
    backup.manifest.plan.actions.flatMap((a) => ('containerId' in a ? [[a.containerId, a.container]] : [])),
  );
  return {
    restored: [
      ...backup.manifest.composeFiles.map((f) => f.original).filter((f) => !failedIds(f)),
      ...backup.manifest.containers
        .filter((id) => !failedIds(id.slice(0, 12)))
        .map((id) => `container ${names.get(id) ?? id.slice(0, 12)}`),
    ],
    failed: result.errors,
  };
}
