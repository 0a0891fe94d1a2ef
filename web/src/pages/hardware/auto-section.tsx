import { useState } from 'react';
import { useSession } from '../../api/context.js';
import type { AutoStatus } from '../../api/optimizer-types.js';
import { useApi } from '../../api/use-api.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { TimeAgo } from '../../components/time-ago.js';
import { bytes, duration } from '../../lib/format.js';

/** A step's value: byte counts for memory steps, as recorded otherwise. */
const valueOf = (v: string | null) => (v === null ? '—' : /^\d+$/.test(v) ? bytes(Number(v)) : v);

function stateWords(s: AutoStatus): string {
  if (!s.enabled) return 'Off (optimizer.auto.enabled is false): nothing is changed unattended.';
  if (s.paused) return 'Paused by the kill switch: no step is taken until it is resumed.';
  return `On: every ${duration(s.intervalMs)}, at most one ±25 % memory step per target per day (${s.kinds.join(', ')}).`;
}

/** Auto mode: on, off or paused, the kill switch, and the latest step per target. */
export function AutoSection() {
  const { client } = useSession();
  const auto = useApi<AutoStatus>('/api/v1/optimizer/auto');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const toggle = async (paused: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await client.post<AutoStatus>('/api/v1/optimizer/auto', { paused });
      auto.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card hw-auto" aria-labelledby="hw-auto-title" data-testid="hw-auto">
      <h2 id="hw-auto-title">Auto mode</h2>
      <StateView state={auto} empty="">
        {(s) => (
          <>
            <p data-testid="hw-auto-state">{stateWords(s)}</p>
            <div className="actions">
              <button type="button" disabled={busy} onClick={() => void toggle(!s.paused)}>
                {s.paused ? 'Resume auto mode' : 'Pause auto mode'}
              </button>
            </div>
            {s.steps.length === 0 ? (
              <p className="state-empty">No step recorded yet.</p>
            ) : (
              <ul className="plain">
                {s.steps.map((step) => (
                  <li key={step.target} data-testid="hw-auto-step">
                    <strong>{step.target}</strong>: {valueOf(step.from)} → {valueOf(step.to)}{' '}
                    <span className="muted small">
                      (<TimeAgo at={step.at} />
                      {step.backupId ? `, backup ${step.backupId}` : ''})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </StateView>
      {error && <ErrorBox error={error} />}
    </section>
  );
}
