import { doctorFixOutcomes } from '../../metrics/index.js';
import type { Snapshot } from '../rules/context.js';
import type { ContainerInspect, DockerClient } from '../sources/docker-types.js';
import { errorMessage } from '../util.js';
import { createBackup, type Backup } from './backup.js';
import { editLimitsInFile } from './compose-edit.js';
import type { FixAction, FixPlan } from './plan.js';
import { rollback } from './rollback.js';

export interface ApplyOptions {
  docker: DockerClient;
  dataDir: string;
  verify: { windowMs: number; pollMs: number };
  sleep?: (ms: number) => Promise<void>;
}

export interface ApplyResult {
  outcome: 'applied' | 'rolled-back' | 'nothing-to-do';
  backupDir: string | null;
  steps: Array<{ action: string; ok: boolean; detail?: unknown }>;
  bytesFreed: number;
  verification?: { ok: boolean; problems: string[] };
  rollbackErrors?: string[];
  summary: string;
}

const sleepDefault = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function touched(plan: FixPlan): string[] {
  return [...new Set(plan.actions.flatMap((a) => ('containerId' in a ? [a.containerId] : [])))];
}

async function applyAction(a: FixAction, docker: DockerClient): Promise<unknown> {
  switch (a.kind) {
    case 'set-limits': {
      await docker.updateContainer(a.containerId, {
        ...(a.memory !== undefined ? { Memory: a.memory, MemorySwap: -1 } : {}),
        ...(a.cpus !== undefined ? { NanoCpus: Math.round(a.cpus * 1e9) } : {}),
      });
      // A live update alone is lost when compose recreates the container: write it down too.
      const written = a.composeFile
        ? await editLimitsInFile(a.composeFile, {
            service: a.service,
            ...(a.memory !== undefined ? { memory: a.memory } : {}),
            ...(a.cpus !== undefined ? { cpus: a.cpus } : {}),
          })
        : false;
      return { memory: a.memory ?? null, cpus: a.cpus ?? null, composeFile: written ? a.composeFile : null };
    }
    case 'remove-orphan':
      await docker.removeContainer(a.containerId, { force: true });
      return { removed: a.container };
    case 'restart-policy': {
      await docker.updateContainer(a.containerId, { RestartPolicy: a.policy });
      // Live only would be lost on the next recreate: write `restart:` into the compose file too.
      const written = a.composeFile
        ? await editLimitsInFile(a.composeFile, {
            service: a.service,
            restart: `${a.policy.Name}:${a.policy.MaximumRetryCount}`,
          })
        : false;
      return { policy: a.policy, composeFile: written ? a.composeFile : null };
    }
    case 'prune-images':
      return docker.pruneImages();
    case 'prune-volumes':
      return docker.pruneVolumes();
    case 'prune-networks':
      return docker.pruneNetworks();
  }
}

/** Polls the touched containers for the window: each must stay running and not turn unhealthy, with no die/oom events. */
export async function verifyContainers(
  docker: DockerClient,
  before: ContainerInspect[],
  window: { windowMs: number; pollMs: number },
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: boolean; problems: string[] }> {
  const start = Math.floor(Date.now() / 1000);
  const deadline = Date.now() + window.windowMs;
  const watched = before.filter((b) => b.State.Running);
  const problems = new Set<string>();
  do {
    await sleep(Math.min(window.pollMs, Math.max(0, deadline - Date.now())));
    for (const b of watched) {
      const now = await docker.inspectContainer(b.Id).catch(() => undefined);
      const name = b.Name.replace(/^\//, '');
      if (!now?.State.Running) problems.add(`${name} is not running`);
      else if (now.State.Health?.Status === 'unhealthy' && b.State.Health?.Status !== 'unhealthy')
        problems.add(`${name} became unhealthy`);
    }
    if (problems.size) break;
  } while (Date.now() < deadline);
  const ids = new Set(watched.map((b) => b.Id));
  const events = await docker.events({
    since: start,
    until: Math.floor(Date.now() / 1000),
    filters: { type: ['container'], event: ['die', 'oom'] },
  });
  for (const e of events)
    if (ids.has(e.Actor.ID))
      problems.add(`${e.Actor.Attributes.name ?? e.Actor.ID.slice(0, 12)}: ${e.Action} event`);
  return { ok: problems.size === 0, problems: [...problems] };
}

async function runActions(
  plan: FixPlan,
  backup: Backup,
  docker: DockerClient,
  result: ApplyResult,
): Promise<boolean> {
  for (const a of plan.actions) {
    const label = 'container' in a ? `${a.kind} ${a.container}` : a.kind;
    try {
      const detail = await applyAction(a, docker);
      if (detail && typeof detail === 'object' && 'spaceReclaimed' in detail)
        result.bytesFreed += Number(detail.spaceReclaimed);
      result.steps.push({ action: label, ok: true, detail });
      await backup.journal('fix:action:applied', { action: a, detail });
    } catch (err) {
      result.steps.push({ action: label, ok: false, detail: errorMessage(err) });
      await backup.journal('fix:action:failed', { action: a, error: errorMessage(err) });
      return false;
    }
  }
  return true;
}

/** Backs up, applies, verifies for a window, and rolls back by itself when verification fails. */
export async function applyFix(plan: FixPlan, snap: Snapshot, opts: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = {
    outcome: 'nothing-to-do',
    backupDir: null,
    steps: [],
    bytesFreed: 0,
    summary: 'nothing to fix',
  };
  if (plan.actions.length === 0) return result;
  const inspects = await Promise.all(touched(plan).map((id) => opts.docker.inspectContainer(id)));
  const backup = await createBackup(opts.dataDir, plan, snap.compose?.files ?? [], inspects);
  result.backupDir = backup.dir;
  const applied = await runActions(plan, backup, opts.docker, result);
  const stillThere = inspects.filter(
    (i) => !plan.actions.some((a) => a.kind === 'remove-orphan' && a.containerId === i.Id),
  );
  const verification = applied
    ? await verifyContainers(opts.docker, stillThere, opts.verify, opts.sleep ?? sleepDefault)
    : { ok: false, problems: ['an action failed'] };
  result.verification = verification;
  await backup.journal('fix:verify', verification);
  if (verification.ok) {
    result.outcome = 'applied';
    result.summary = `applied ${plan.actions.length} action(s); verified; ${result.bytesFreed} bytes freed`;
    backup.manifest.outcome = 'applied';
  } else {
    const rb = await rollback(opts.docker, backup);
    result.outcome = 'rolled-back';
    result.rollbackErrors = rb.errors;
    result.summary = `verification failed (${verification.problems.join('; ')}); rolled back${rb.ok ? '' : ` with errors: ${rb.errors.join('; ')}`}`;
    backup.manifest.outcome = 'rolled-back';
  }
  await backup.saveManifest();
  doctorFixOutcomes.inc({ outcome: result.outcome });
  return result;
}
