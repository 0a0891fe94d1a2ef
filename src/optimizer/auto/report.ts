import type { ActionReport } from '../../ops/index.js';
import { formatSpan, mib } from '../../ops/limits/floors.js';
import type { PlannedChange } from '../plan/build.js';

/** kept: verification passed; rolled-back: it failed and the backup was restored; failed: not applied. */
export type AutoOutcome = 'kept' | 'rolled-back' | 'failed';

export interface AutoStep {
  /** `container:redis` */
  target: string;
  changeId: string;
  from: number | null;
  to: number;
  outcome: AutoOutcome;
  reason: string;
  evidence: PlannedChange['evidence'];
  backupId: string | null;
  /** Verification and apply details (what was watched, what went wrong). */
  details: string[];
}

function evidenceSummary(e: PlannedChange['evidence']): string {
  const span = e.historyMs === undefined ? '' : ` over ${formatSpan(e.historyMs)}`;
  return `${e.samples} samples${span}${e.peak === undefined ? '' : `, peak ${mib(e.peak)}`}`;
}

const VERDICT: Record<AutoOutcome, string> = {
  kept: 'kept (verification passed)',
  'rolled-back': 'rolled back (verification failed); next try after a day',
  failed: 'not applied; next try after a day',
};

/** The `optimizer:step` webhook event: target, old and new limit, evidence, and what became of it. */
export function stepReport(s: AutoStep): ActionReport {
  const from = s.from === null ? 'unlimited' : mib(s.from);
  return {
    text: `optimizer auto step ${s.target} memory ${from} → ${mib(s.to)}: ${VERDICT[s.outcome]}; ${evidenceSummary(s.evidence)}`,
    data: {
      target: s.target,
      change: s.changeId,
      resource: 'memory',
      from: s.from,
      to: s.to,
      outcome: s.outcome,
      reason: s.reason,
      evidence: { summary: evidenceSummary(s.evidence), ...s.evidence },
      backupId: s.backupId,
      details: s.details,
    },
  };
}
