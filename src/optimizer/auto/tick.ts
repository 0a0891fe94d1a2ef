import type { ApplyResponse } from '../plan-schema.js';
import { applyChanges, type ApplyDeps } from '../plan/apply.js';
import { buildPlan, type BuiltPlan, type PlannedChange } from '../plan/build.js';
import { stepTargetOf } from '../plan/step-log.js';
import type { AutoOutcome, AutoStep } from './report.js';
import { autoPaused, claimStep, releaseLease, settleUndone, takeLease, type Claim } from './rows.js';

export type AutoKind = 'container' | 'mcp';

export interface AutoTickDeps {
  /** Plan and apply dependencies; `now` is set per tick from `clock`. */
  apply: ApplyDeps;
  kinds: readonly AutoKind[];
  /** Who holds the lease: unique per process (host and pid). */
  holder: string;
  clock: () => number;
}

export type AutoTickResult = { ran: false; reason: 'paused' | 'busy' } | { ran: true; steps: AutoStep[] };

/** The changes auto mode may make: stepwise memory steps of the allowed kinds, nothing else. */
export function autoCandidates(plan: BuiltPlan, kinds: readonly AutoKind[]): PlannedChange[] {
  return plan.changes.filter(
    (c) => c.resource === 'memory' && (kinds as readonly string[]).includes(c.target.kind),
  );
}

function outcomeOf(out: ApplyResponse): AutoOutcome {
  if (out.applied.length) return 'kept';
  return out.rolledBack ? 'rolled-back' : 'failed';
}

async function stepOne(apply: ApplyDeps, plan: BuiltPlan, c: PlannedChange) {
  const claim: Claim = {
    target: stepTargetOf(c.id),
    changeId: c.id,
    from: c.current === null ? null : String(c.current),
    to: String(c.proposed),
  };
  if (!(await claimStep(apply.db, claim, apply.now!))) return undefined; // stepped elsewhere today
  let out: ApplyResponse;
  try {
    // The same path as `optimize apply`: backup → live update + file edit → verification → rollback.
    out = await applyChanges(apply, { ids: [c.id], plan });
  } catch (err) {
    out = {
      applied: [],
      backupId: null,
      verification: { ok: false, details: [String(err)] },
      rolledBack: false,
    };
  }
  const outcome = outcomeOf(out);
  if (outcome !== 'kept') await settleUndone(apply.db, claim, out.backupId);
  const step: AutoStep = {
    target: claim.target,
    changeId: c.id,
    from: c.current === null ? null : Number(c.current),
    to: Number(c.proposed),
    outcome,
    reason: c.reason,
    evidence: c.evidence,
    backupId: out.backupId,
    details: out.verification.details,
  };
  return step;
}

/** Why auto mode may not step now: the kill switch is off, or another process holds the lease. */
async function blocked(deps: AutoTickDeps): Promise<'paused' | 'busy' | undefined> {
  if (await autoPaused(deps.apply.db)) return 'paused';
  if (!(await takeLease(deps.apply.db, deps.holder, deps.clock()))) return 'busy';
  return undefined;
}

/**
 * One pass of auto mode: unless paused or another process is ticking, build the step plan and
 * apply each allowed step on its own (its own backup and verification), each target at most once
 * a day (claimed in optimizer_steps first). Returns what it did, for the webhooks and metrics.
 */
export async function runAutoTick(deps: AutoTickDeps): Promise<AutoTickResult> {
  const db = deps.apply.db;
  const now = deps.clock();
  // This check stands for the first step's, so a tick with nothing to do is still paused or busy.
  const reason = await blocked(deps);
  if (reason) return { ran: false, reason };
  try {
    const apply: ApplyDeps = { ...deps.apply, now };
    const plan = await buildPlan(apply, 'step');
    const steps: AutoStep[] = [];
    for (const [i, c] of autoCandidates(plan, deps.kinds).entries()) {
      // Each step can take a verification window: renew the lease before the next one (a long tick
      // must not outlive its lease and let a second process tick beside it), and honour a pause.
      if (i > 0 && (await blocked(deps))) break;
      const step = await stepOne(apply, plan, c);
      if (step) steps.push(step);
    }
    return { ran: true, steps };
  } finally {
    await releaseLease(db, deps.holder, deps.clock());
  }
}
