import { useState } from 'react';
import type { Placement } from '../../api/optimizer-types.js';
import { useApi } from '../../api/use-api.js';
import { JsonView } from '../../components/json-view.js';
import { StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';
import { percent } from '../../lib/format.js';
import { bySeverity, windowText } from './hardware-data.js';

const WINDOWS = ['1h', '6h', '24h', '7d'] as const;

function PerCore({ p }: { p: Placement }) {
  const nodeOf = new Map(p.topology.physicalCores.flatMap((c) => c.cpus.map((cpu) => [cpu, c] as const)));
  return (
    <div className="hw-cores" data-testid="hw-per-core">
      <h3>Per-core load</h3>
      <p className="muted small">
        {p.topology.cpus} CPUs on {p.topology.physicalCores.length} physical cores, {p.topology.numaNodes}{' '}
        NUMA node(s); mean and p95 busy over {windowText(p.windowMs)}.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">CPU</th>
            <th scope="col">Core</th>
            <th scope="col">Mean</th>
            <th scope="col">p95</th>
          </tr>
        </thead>
        <tbody>
          {p.perCore.map((c) => (
            <tr key={c.cpu}>
              <th scope="row">{c.cpu}</th>
              <td className="mono">{nodeOf.get(c.cpu)?.id ?? '—'}</td>
              <td>
                <meter
                  min={0}
                  max={1}
                  low={0.5}
                  high={0.85}
                  optimum={0.2}
                  value={c.mean}
                  aria-label={`CPU ${c.cpu} mean busy`}
                />{' '}
                {c.samples === 0 ? 'no samples' : percent(c.mean)}
              </td>
              <td>{c.samples === 0 ? '—' : percent(c.p95)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Findings({ p }: { p: Placement }) {
  return (
    <div>
      <h3>Findings</h3>
      {p.findings.length === 0 ? (
        <p className="state-empty">No placement problems in this window.</p>
      ) : (
        <ul className="plain">
          {bySeverity(p.findings).map((f, i) => (
            <li key={`${f.rule}-${f.subject}-${i}`} className="finding">
              <StatusBadge status={f.severity} /> <strong>{f.subject}</strong>: {f.message}{' '}
              <span className="muted small mono">{f.rule}</span>
              <details>
                <summary>Evidence</summary>
                <JsonView value={f.evidence} label={`Evidence for ${f.rule} on ${f.subject}`} />
              </details>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Suggestion({ p }: { p: Placement }) {
  return (
    <div>
      <h3>Suggested cpusets</h3>
      {p.suggestion.length === 0 ? (
        <p className="state-empty">No container is busy enough to pin.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">cpuset</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {p.suggestion.map((s) => (
              <tr key={s.target}>
                <th scope="row">{s.target}</th>
                <td className="mono">{s.cpuset || 'unpinned'}</td>
                <td>{s.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Per-core load, the placement findings and the suggested cpusets over a chosen window. */
export function PlacementSection() {
  const [window, setWindow] = useState<string>('24h');
  const placement = useApi<Placement>(`/api/v1/optimizer/placement?window=${window}`);
  return (
    <section className="card hw-placement" aria-labelledby="hw-placement-title" data-testid="hw-placement">
      <h2 id="hw-placement-title">CPU placement</h2>
      <div className="hw-controls">
        <label>
          Window{' '}
          <select value={window} onChange={(e) => setWindow(e.target.value)}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={placement.reload}>
          Refresh
        </button>
      </div>
      <StateView state={placement} empty="">
        {(p) => (
          <>
            <p className="muted small">
              {p.generatedAt && (
                <>
                  Judged <TimeAgo at={p.generatedAt} />
                </>
              )}
              {p.engine && !p.engine.available && <> · Docker engine unavailable: {p.engine.reason}</>}
            </p>
            <PerCore p={p} />
            <Findings p={p} />
            <Suggestion p={p} />
          </>
        )}
      </StateView>
    </section>
  );
}
