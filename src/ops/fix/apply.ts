import { doctorFixOutcomes } from '../../metrics/index.js';
import type { Snapshot } from '../rules/context.js';
import { DockerApiError, type ContainerInspect, type DockerClient } from '../sources/docker-types.js';
import { errorMessage } from '../util.js';
import { backupVolumes, createBackup, type Backup } from './backup.js';
import { composeEditOf, editLimitsInFile } from './compose-edit.js';
import { editMcpBudgetInFile } from './mcp-budget-edit.js';
import { isIrreversible, type FixAction, type FixPlan } from './plan.js';
import { rollback } from './rollback.js';

export interface ApplyOptions {
  docker: DockerClient;
  dataDir: string;
  verify: { windowMs: number; pollMs: number };
  /** Volumes up to this size are saved as a tar before removal (doctor.volumeBackupMaxBytes). */
  volumeBackupMaxBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ApplyResult {
  /** `incomplete`: verified changes kept, but an irreversible step failed (see steps). */
  outcome: 'applied' | 'rolled-back' | 'incomplete' | 'nothing-to-do';
  backupDir: string | null;
  steps: Array<{ action: string; ok: boolean; detail?: unknown }>;
  bytesFreed: number;
  /** `windowMs`: the verification window this apply used (config or --verify-ms). */
  verification?: { ok: boolean; problems: string[]; windowMs: number; watched: string[] };
  rollbackErrors?: string[];
  /** What the rollback could not bring back, one line each. */
  notRestored?: string[];
  summary: string;
}

const sleepDefault = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Files the plan's actions write: backed up with the compose files, restored by rollback. */
function writtenFiles(plan: FixPlan): string[] {
  return plan.actions.flatMap((a) =>
    a.kind === 'mcp-budget' ? [a.file] : 'composeFile' in a && a.composeFile ? [a.composeFile] : [],
  );
}

function touched(plan: FixPlan): string[] {
  return [...new Set(plan.actions.flatMap((a) => ('containerId' in a ? [a.containerId] : [])))];
}

/**
 * The memory+swap limit to send with a new memory limit. A container that already has a finite
 * one keeps its swap allowance (memory+swap − memory): on cgroup v1 the kernel refuses a memory
 * limit above the current memory+swap limit, which `-1` does not lift in time for a raise.
 * Otherwise -1 (swap as the engine allows).
 */
async function swapFor(docker: DockerClient, id: string, memory: number): Promise<number> {
  const hc = (await docker.inspectContainer(id)).HostConfig;
  const swap = hc.MemorySwap ?? 0;
  return hc.Memory > 0 && swap > hc.Memory ? memory + (swap - hc.Memory) : -1;
}

async function applyAction(a: FixAction, docker: DockerClient): Promise<unknown> {
  switch (a.kind) {
    case 'set-limits': {
      const swap = a.memory === undefined ? -1 : await swapFor(docker, a.containerId, a.memory);
      await docker.updateContainer(a.containerId, {
        ...(a.memory !== undefined ? { Memory: a.memory, MemorySwap: swap } : {}),
        ...(a.cpus !== undefined ? { NanoCpus: Math.round(a.cpus * 1e9) } : {}),
      });
      // A live update alone is lost when compose recreates the container: write it down too.
      const written = a.composeFile ? await editLimitsInFile(a.composeFile, composeEditOf(a)!) : false;
      return { memory: a.memory ?? null, cpus: a.cpus ?? null, composeFile: written ? a.composeFile : null };
    }
    case 'restart-policy': {
      await docker.updateContainer(a.containerId, { RestartPolicy: a.policy });
      // Live only would be lost on the next recreate: write `restart:` into the compose file too.
      const written = a.composeFile ? await editLimitsInFile(a.composeFile, composeEditOf(a)!) : false;
      return { policy: a.policy, composeFile: written ? a.composeFile : null };
    }
    case 'mcp-budget':
      await editMcpBudgetInFile(a.file, a.server, a.memoryBytes);
      return { server: a.server, memoryBytes: a.memoryBytes, file: a.file };
    case 'compose-env': {
      if (!(await editLimitsInFile(a.composeFile, composeEditOf(a)!)))
        throw new Error(
          `${a.composeFile}: service ${a.service} has no map-form environment to write ${Object.keys(a.env).join(', ')} into`,
        );
      return { env: a.env, composeFile: a.composeFile };
    }
    default:
      throw new Error(`${a.kind} is irreversible: run it with runRemoval`);
  }
}

const gone = (err: unknown) => err instanceof DockerApiError && err.status === 404;

/** One irreversible action, item by item; an item already gone counts as done. */
async function runRemoval(
  a: FixAction,
  docker: DockerClient,
  snap: Snapshot,
): Promise<{ freed: number; detail: unknown }> {
  const done: string[] = [];
  const alreadyGone: string[] = [];
  const remove = async (item: string, fn: () => Promise<void>) => {
    try {
      await fn();
      done.push(item);
    } catch (err) {
      if (!gone(err))
        throw new Error(`${item}: ${errorMessage(err)} (removed so far: ${done.join(', ') || 'none'})`);
      alreadyGone.push(item);
    }
  };
  let freed = 0;
  switch (a.kind) {
    case 'remove-container':
      await remove(a.container, () => docker.removeContainer(a.containerId, { force: true }));
      break;
    case 'remove-images':
      for (const id of a.ids) await remove(id, () => docker.removeImage(id));
      freed = (snap.dangling?.images ?? [])
        .filter((i) => done.includes(i.Id))
        .reduce((n, i) => n + (i.Size ?? 0), 0);
      break;
    case 'remove-volumes':
      for (const name of a.names) await remove(name, () => docker.removeVolume(name));
      freed = (snap.dangling?.volumes ?? [])
        .filter((v) => done.includes(v.Name))
        .reduce((n, v) => n + Math.max(0, v.UsageData?.Size ?? 0), 0);
      break;
    case 'remove-networks':
      for (const name of a.names) await remove(name, () => docker.removeNetwork(name));
      break;
    default:
      throw new Error(`${a.kind} is reversible`);
  }
  return { freed, detail: { removed: done, alreadyGone } };
}

/** Polls the touched containers for the window: each must stay running and not turn unhealthy, with no die/oom events. */
export async function verifyContainers(
  docker: DockerClient,
  before: ContainerInspect[],
  window: { windowMs: number; pollMs: number },
  sleep: (ms: number) => Promise<void>,
): Promise<{ ok: boolean; problems: string[]; windowMs: number; watched: string[] }> {
  const start = Math.floor(Date.now() / 1000);
  const deadline = Date.now() + window.windowMs;
  const watched = before.filter((b) => b.State.Running);
  // Nothing running was touched (file edits only): there is no container to watch.
  if (watched.length === 0) return { ok: true, problems: [], windowMs: window.windowMs, watched: [] };
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
  return {
    ok: problems.size === 0,
    problems: [...problems],
    windowMs: window.windowMs,
    watched: watched.map((b) => b.Name.replace(/^\//, '')),
  };
}

function labelOf(a: FixAction): string {
  return 'container' in a ? `${a.kind} ${a.container}` : a.kind;
}

/** Runs the reversible phase; stops at the first failure (the caller rolls back). */
async function runReversible(
  actions: FixAction[],
  backup: Backup,
  docker: DockerClient,
  result: ApplyResult,
): Promise<boolean> {
  for (const a of actions) {
    try {
      const detail = await applyAction(a, docker);
      result.steps.push({ action: labelOf(a), ok: true, detail });
      await backup.journal('fix:action:applied', { action: a, detail });
    } catch (err) {
      result.steps.push({ action: labelOf(a), ok: false, detail: errorMessage(err) });
      await backup.journal('fix:action:failed', { action: a, error: errorMessage(err) });
      return false;
    }
  }
  return true;
}

/** Runs the irreversible phase after verification; a failure is recorded, the rest still run. */
async function runIrreversible(
  actions: FixAction[],
  backup: Backup,
  opts: ApplyOptions,
  snap: Snapshot,
  result: ApplyResult,
): Promise<boolean> {
  const volumes = actions.flatMap((a) => (a.kind === 'remove-volumes' ? a.names : []));
  if (volumes.length) {
    const sizes = new Map((snap.dangling?.volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
    await backupVolumes(backup, opts.docker, volumes, {
      maxBytes: opts.volumeBackupMaxBytes ?? 256 * 1024 * 1024,
      sizes,
    });
  }
  let ok = true;
  for (const a of actions) {
    try {
      const { freed, detail } = await runRemoval(a, opts.docker, snap);
      result.bytesFreed += freed;
      result.steps.push({ action: labelOf(a), ok: true, detail });
      await backup.journal('fix:action:applied', { action: a, detail });
    } catch (err) {
      ok = false;
      result.steps.push({ action: labelOf(a), ok: false, detail: errorMessage(err) });
      await backup.journal('fix:action:failed', { action: a, error: errorMessage(err) });
    }
  }
  return ok;
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
  // A container that vanished since the audit has nothing to back up (its removal is then a no-op).
  const inspects = (
    await Promise.all(touched(plan).map((id) => opts.docker.inspectContainer(id).catch(() => undefined)))
  ).filter((i): i is ContainerInspect => i !== undefined);
  const files = [...new Set([...(snap.compose?.files ?? []), ...writtenFiles(plan)])];
  const backup = await createBackup(opts.dataDir, plan, files, inspects);
  result.backupDir = backup.dir;
  const reversible = plan.actions.filter((a) => !isIrreversible(a));
  const irreversible = plan.actions.filter(isIrreversible);
  const applied = await runReversible(reversible, backup, opts.docker, result);
  // Verification watches every container the reversible phase touched; none is being removed.
  const changed = new Set(reversible.flatMap((a) => ('containerId' in a ? [a.containerId] : [])));
  const verification = applied
    ? await verifyContainers(
        opts.docker,
        inspects.filter((i) => changed.has(i.Id)),
        opts.verify,
        opts.sleep ?? sleepDefault,
      )
    : { ok: false, problems: ['an action failed'], windowMs: opts.verify.windowMs, watched: [] };
  result.verification = verification;
  await backup.journal('fix:verify', verification);
  if (!verification.ok) {
    await backup.journal('fix:irreversible:skipped', { actions: irreversible.length });
    const rb = await rollback(opts.docker, backup);
    result.outcome = 'rolled-back';
    result.rollbackErrors = rb.errors;
    result.notRestored = rb.notRestored;
    result.summary = `verification failed (${verification.problems.join('; ')}); rolled back${rb.ok ? '' : ` with errors: ${rb.errors.join('; ')}`}${rb.notRestored.length ? `; could not restore: ${rb.notRestored.join('; ')}` : ''}; ${irreversible.length} irreversible action(s) not run`;
    backup.manifest.outcome = 'rolled-back';
  } else {
    const complete = await runIrreversible(irreversible, backup, opts, snap, result);
    result.outcome = complete ? 'applied' : 'incomplete';
    result.summary = complete
      ? `applied ${plan.actions.length} action(s); verified; ${result.bytesFreed} bytes freed`
      : `verified changes kept; some removals failed: ${result.steps
          .filter((s) => !s.ok)
          .map((s) => `${s.action}: ${String(s.detail)}`)
          .join('; ')}`;
    backup.manifest.outcome = result.outcome;
  }
  await backup.saveManifest();
  doctorFixOutcomes.inc({ outcome: result.outcome });
  return result;
}
