import { useEffect, useRef, useState } from 'react';
import { useSession } from '../../api/context.js';
import type { ApplyResult, OptimizerPlan, RollbackResult } from '../../api/optimizer-types.js';
import { useApi } from '../../api/use-api.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { TimeAgo } from '../../components/time-ago.js';
import { describeChange, evidenceFacts } from './hardware-data.js';

function ConfirmApply({ count, onYes, onNo }: { count: number; onYes: () => void; onNo: () => void }) {
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => yes.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="hw-confirm-title"
      onKeyDown={(e) => e.key === 'Escape' && onNo()}
    >
      <p id="hw-confirm-title">
        Apply {count} change(s)? A backup is taken first, each container is updated live and in its compose
        file, then verified; a change that fails verification is rolled back.
      </p>
      <button ref={yes} type="button" className="danger" onClick={onYes}>
        Yes, apply {count} change(s)
      </button>
      <button type="button" onClick={onNo}>
        Cancel
      </button>
    </div>
  );
}

function Outcome({
  result,
  onRollback,
  rolled,
}: {
  result: ApplyResult;
  onRollback: () => void;
  rolled?: RollbackResult;
}) {
  return (
    <div className="hw-outcome" role="status" data-testid="hw-apply-result">
      <p>
        Applied {result.applied.length} change(s); verification {result.verification.ok ? 'passed' : 'failed'}
        {result.rolledBack ? ' and the changes were rolled back' : ''}.
      </p>
      {result.verification.details.length > 0 && (
        <ul>
          {result.verification.details.map((d, i) => (
            <li key={i}>{d}</li>
          ))}
        </ul>
      )}
      {result.backupId && !result.rolledBack && !rolled && (
        <button type="button" onClick={onRollback}>
          Roll back (backup <span className="mono">{result.backupId}</span>)
        </button>
      )}
      {rolled && (
        <p data-testid="hw-rollback-result">
          Rolled back: restored {rolled.restored.length}
          {rolled.failed.length ? `, failed ${rolled.failed.join(', ')}` : ''}.
        </p>
      )}
    </div>
  );
}

/** The optimizer's plan with the evidence for each change; apply (confirmed) and roll back. */
export function PlanSection() {
  const { client } = useSession();
  const [mode, setMode] = useState<'rightsize' | 'step'>('rightsize');
  const plan = useApi<OptimizerPlan>(`/api/v1/optimizer/plan?mode=${mode}`);
  const [unticked, setUnticked] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [result, setResult] = useState<ApplyResult | undefined>();
  const [rolled, setRolled] = useState<RollbackResult | undefined>();
  const ids = (plan.data?.changes ?? []).map((c) => c.id).filter((id) => !unticked.has(id));

  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(undefined);
    }
  };
  const apply = () =>
    run('Applying and verifying…', async () => {
      setConfirming(false);
      setRolled(undefined);
      setResult(await client.post<ApplyResult>('/api/v1/optimizer/apply', { ids, confirm: true }));
      plan.reload();
    });
  const rollback = (backupId: string) =>
    run('Rolling back…', async () => {
      setRolled(await client.post<RollbackResult>('/api/v1/optimizer/rollback', { backupId }));
      plan.reload();
    });
  const toggle = (id: string) =>
    setUnticked((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="card hw-plan" aria-labelledby="hw-plan-title" data-testid="hw-plan">
      <h2 id="hw-plan-title">Right-sizing plan</h2>
      <div className="hw-controls">
        <label>
          Mode{' '}
          <select value={mode} onChange={(e) => setMode(e.target.value as 'rightsize' | 'step')}>
            <option value="rightsize">Right-size (peak + margin)</option>
            <option value="step">Stepwise (±25 %)</option>
          </select>
        </label>
      </div>
      <StateView state={plan} empty="">
        {(p) => (
          <>
            <p className="muted small">
              Planned <TimeAgo at={p.generatedAt} />
            </p>
            {p.changes.length === 0 && p.insufficient.length === 0 ? (
              <p className="state-empty">
                Nothing to size yet: no container, MCP server memory budget or Ollama model has recorded
                history.
              </p>
            ) : p.changes.length === 0 ? (
              <p className="state-empty">No changes: every limit fits its recorded use.</p>
            ) : (
              <ul className="plain">
                {p.changes.map((c) => (
                  <li key={c.id} className="hw-change" data-testid="hw-change">
                    <label>
                      <input type="checkbox" checked={!unticked.has(c.id)} onChange={() => toggle(c.id)} />{' '}
                      <strong>{c.target.name}</strong> ({c.target.kind}): {describeChange(c)}
                    </label>
                    <p className="small">{c.reason}</p>
                    <p className="muted small">Evidence: {evidenceFacts(c).join(' · ')}</p>
                    <p className="muted small mono">{c.evidence.series.join(', ')}</p>
                  </li>
                ))}
              </ul>
            )}
            {p.insufficient.length > 0 && (
              <>
                <h3>Not enough evidence</h3>
                <ul>
                  {p.insufficient.map((i) => (
                    <li key={`${i.target.kind}:${i.target.name}`}>
                      {i.target.name} ({i.target.kind}): {i.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {p.changes.length > 0 && !confirming && (
              <div className="actions">
                <button
                  type="button"
                  className="danger"
                  disabled={!!busy || ids.length === 0}
                  onClick={() => setConfirming(true)}
                >
                  Apply {ids.length} change(s)…
                </button>
              </div>
            )}
          </>
        )}
      </StateView>
      {confirming && (
        <ConfirmApply count={ids.length} onYes={() => void apply()} onNo={() => setConfirming(false)} />
      )}
      {busy && <p role="status">{busy}</p>}
      {error && <ErrorBox error={error} />}
      {result && (
        <Outcome
          result={result}
          rolled={rolled}
          onRollback={() => result.backupId && void rollback(result.backupId)}
        />
      )}
    </section>
  );
}
