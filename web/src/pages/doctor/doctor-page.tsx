import { useState } from 'react';
import { useSession } from '../../api/context.js';
import type { Backup, DoctorReport, Finding, FixPlan } from '../../api/types.js';
import { useApi, type ApiState } from '../../api/use-api.js';
import { DiffView } from '../../components/diff-view.js';
import { JsonView } from '../../components/json-view.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';

const RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;

/** Findings grouped by service, the most severe service first and the most severe finding first. */
export function groupFindings(findings: readonly Finding[]): Array<[string, Finding[]]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.service, [...(groups.get(f.service) ?? []), f]);
  const worst = (fs: Finding[]) => Math.min(...fs.map((f) => RANK[f.severity]));
  return [...groups.entries()]
    .map(([s, fs]): [string, Finding[]] => [s, [...fs].sort((a, b) => RANK[a.severity] - RANK[b.severity])])
    .sort((a, b) => worst(a[1]) - worst(b[1]) || a[0].localeCompare(b[0]));
}

function Findings({ report }: { report: DoctorReport }) {
  const groups = groupFindings(report.findings);
  return (
    <section className="card" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings</h2>
      <p className="muted small">
        Report <TimeAgo at={report.generatedAt} />
        {report.partial ? ' · partial view' : ''}
        {report.sources
          .filter((s) => s.status !== 'ok')
          .map((s) => ` · ${s.name} ${s.status}${s.reason ? ` (${s.reason})` : ''}`)
          .join('')}
      </p>
      {groups.length === 0 ? (
        <p className="state-empty">No findings: declared and observed state agree.</p>
      ) : (
        groups.map(([service, fs]) => (
          <div key={service} className="finding-group">
            <h3>{service}</h3>
            <ul className="plain">
              {fs.map((f) => (
                <li key={f.fingerprint} className="finding">
                  <StatusBadge status={f.severity} /> <strong>{f.message}</strong>{' '}
                  <span className="muted small mono">{f.ruleId}</span>
                  {f.remediation && <p className="small">Fix: {f.remediation}</p>}
                  <details>
                    <summary>Evidence</summary>
                    <JsonView value={f.evidence} label={`Evidence for ${f.ruleId} on ${service}`} />
                  </details>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}

interface ApplyResult {
  outcome: string;
  summary: string;
}

/** The fix plan; `onApplied` is told after an apply (a backup was taken, the list changed). */
function Plan({ onApplied }: { onApplied: () => void }) {
  const { client } = useSession();
  const [plan, setPlan] = useState<FixPlan | undefined>();
  const [result, setResult] = useState<ApplyResult | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [confirm, setConfirm] = useState(false);
  const go = async (apply: boolean) => {
    setBusy(apply ? 'Applying and verifying…' : 'Planning…');
    setError(undefined);
    try {
      setResult(undefined);
      const r = await client.post<{ plan: FixPlan; result?: ApplyResult }>('/api/v1/doctor/fix', { apply });
      setPlan(r.plan);
      if (apply) {
        setResult(r.result);
        onApplied();
      }
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(undefined);
      setConfirm(false);
    }
  };
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Fix plan</h2>
      <div className="actions">
        <button type="button" onClick={() => void go(false)} disabled={!!busy}>
          Plan fixes
        </button>
        {plan && plan.actions.length > 0 && !confirm && (
          <button type="button" className="danger" onClick={() => setConfirm(true)} disabled={!!busy}>
            Apply…
          </button>
        )}
      </div>
      {confirm && (
        <div className="confirm" role="alertdialog" aria-labelledby="confirm-title">
          <p id="confirm-title">
            Apply {plan?.actions.length} action(s)? A backup is taken first; a fix that makes things worse is
            rolled back.
          </p>
          <button type="button" className="danger" onClick={() => void go(true)}>
            Yes, apply
          </button>
          <button type="button" onClick={() => setConfirm(false)}>
            No
          </button>
        </div>
      )}
      {busy && <p role="status">{busy}</p>}
      {error && <ErrorBox error={error} />}
      {plan &&
        (plan.actions.length === 0 ? (
          <p className="state-empty">Nothing to fix automatically.</p>
        ) : (
          <ol>
            {plan.actions.map((a, i) => (
              <li key={i}>
                <strong>{a.kind}</strong> {String(a.service ?? '')} {String(a.container ?? '')}
                {typeof a.composeFile === 'string' && (
                  <span className="muted small"> · writes {a.composeFile}</span>
                )}
                <JsonView value={a} label={`Action ${i + 1}`} />
              </li>
            ))}
          </ol>
        ))}
      {plan && plan.composeDiffs && plan.composeDiffs.length > 0 && (
        <>
          <h3>Compose edits it would write</h3>
          {plan.composeDiffs.map((d) => (
            <DiffView key={d.path} {...d} />
          ))}
        </>
      )}
      {plan && plan.manual.length > 0 && (
        <>
          <h3>Needs a person</h3>
          <ul>
            {plan.manual.map((m, i) => (
              <li key={i}>
                {m.service}: {m.message} — {m.remediation}
              </li>
            ))}
          </ul>
        </>
      )}
      {result && (
        <>
          <p role="status" data-testid="apply-outcome">
            <StatusBadge status={result.outcome} /> {result.summary}
          </p>
          <JsonView value={result} label="Apply result" />
        </>
      )}
    </section>
  );
}

function Backups({ backups }: { backups: ApiState<{ backups: Backup[] }> }) {
  const { client } = useSession();
  const [error, setError] = useState<Error | undefined>();
  const [restored, setRestored] = useState<string | undefined>();
  const rollback = async (id: string) => {
    if (!window.confirm(`Restore backup ${id}?`)) return;
    setError(undefined);
    setRestored(undefined);
    try {
      await client.post('/api/v1/doctor/rollback', { backup: id });
      setRestored(`Backup ${id} restored.`);
      backups.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <section className="card" aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
      {restored && <p role="status">{restored}</p>}
      {error && <ErrorBox error={error} />}
      <StateView
        state={backups}
        empty="No backups: nothing has been applied yet."
        isEmpty={(d) => d.backups.length === 0}
      >
        {(d) => (
          <ul className="plain">
            {d.backups.map((b) => (
              <li key={b.id}>
                <span className="mono">{b.id}</span> · {b.actions} action(s) · <TimeAgo at={b.createdAt} />{' '}
                {b.outcome && <StatusBadge status={b.outcome} />}{' '}
                <button type="button" onClick={() => void rollback(b.id)}>
                  Roll back to {b.id}
                </button>
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </section>
  );
}

/** The doctor (admin only): findings, the fix plan, apply with confirmation, backups and rollback. */
export function DoctorPage() {
  const report = useApi<DoctorReport>('/api/v1/doctor/report', ['doctor'], 5000);
  const backups = useApi<{ backups: Backup[] }>('/api/v1/doctor/backups', ['doctor']);
  return (
    <div className="grid wide">
      <StateView state={report} empty="">
        {(r) => <Findings report={r} />}
      </StateView>
      <Plan onApplied={backups.reload} />
      <Backups backups={backups} />
    </div>
  );
}
