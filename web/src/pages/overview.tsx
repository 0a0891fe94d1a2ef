import { useEffect, useState } from 'react';
import type { Check, HealthDetailed, McpServer, Overview } from '../api/types.js';
import { useApi, useLive } from '../api/use-api.js';
import { LineChart } from '../components/chart.js';
import { Link } from '../components/link.js';
import { StateView, TableView } from '../components/state-view.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeAgo } from '../components/time-ago.js';
import { count, duration, freshStatus } from '../lib/format.js';

/** A probe result older than this is shown as unknown: the page never claims "up" on an old result. */
const STALE_AFTER_MS = 120_000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
const QUEUE_STATES = ['pending', 'running', 'completed', 'dead', 'cancelled'];

function Dependencies() {
  const health = useApi<HealthDetailed>('/api/v1/health/detailed', [], 1000, [503]);
  const [checks, setChecks] = useState<Check[]>([]);
  useEffect(() => setChecks(health.data?.checks ?? []), [health.data]);
  // A health event replaces one row in place; no refetch needed.
  useLive(['health'], (data) => {
    const c = data as Pick<Check, 'name' | 'status' | 'latency_ms' | 'checked_at'>;
    setChecks((all) =>
      all.some((x) => x.name === c.name)
        ? all.map((x) => (x.name === c.name ? { ...x, ...c } : x))
        : [...all, { required: false, error: null, ...c }],
    );
  });
  const { reload } = health;
  useEffect(() => {
    const t = setInterval(reload, 30_000);
    return () => clearInterval(t);
  }, [reload]);
  return (
    <section className="card span-2" aria-labelledby="deps-title">
      <h2 id="deps-title">Dependencies</h2>
      <TableView
        state={health}
        label="Dependencies"
        testId="dependencies"
        empty="No dependencies are probed."
        isEmpty={() => checks.length === 0}
        columns={['Name', 'Status', 'Latency', 'Checked']}
        rows={() =>
          checks.map((c) => (
            <tr key={c.name} data-check={c.name}>
              <th scope="row">
                {c.name}
                {c.required && <span className="muted"> (required)</span>}
              </th>
              <td>
                <StatusBadge status={freshStatus(c.status, c.checked_at, STALE_AFTER_MS)} />
                {c.error && <div className="muted small">{c.error}</div>}
              </td>
              <td>{duration(c.latency_ms)}</td>
              <td>
                <TimeAgo at={c.checked_at} />
              </td>
            </tr>
          ))
        }
      />
    </section>
  );
}

function Counts({ label, counts, keys }: { label: string; counts: Record<string, number>; keys: string[] }) {
  const all = [...keys, ...Object.keys(counts).filter((k) => !keys.includes(k))];
  return (
    <dl className="counts" aria-label={label}>
      {all.map((k) => (
        <div key={k} data-count={k}>
          <dt>{k.replace('_', ' ')}</dt>
          <dd>{count(counts[k] ?? 0)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Queue({ overview }: { overview: Overview }) {
  const [samples, setSamples] = useState<Array<[number, number]>>([]);
  useEffect(() => {
    setSamples((s) => [...s.slice(-59), [Date.now() / 1000, overview.queue.throughput_per_min]]);
  }, [overview]);
  return (
    <section className="card" aria-labelledby="queue-title">
      <h2 id="queue-title">
        <Link href="/tasks">Task queue</Link>
      </h2>
      <Counts label="Tasks by state" counts={overview.queue.by_state} keys={QUEUE_STATES} />
      <p>
        Throughput <strong>{overview.queue.throughput_per_min.toFixed(1)} tasks/min</strong> · lag{' '}
        <strong>{duration(overview.queue.lag_ms)}</strong>
      </p>
      <LineChart label="Throughput" unit="/min" samples={samples} />
    </section>
  );
}

function McpSummary() {
  const servers = useApi<{ servers: McpServer[] }>('/api/v1/mcp/servers', ['mcp'], 250);
  return (
    <section className="card" aria-labelledby="mcp-title">
      <h2 id="mcp-title">
        <Link href="/mcp-servers">MCP servers</Link>
      </h2>
      <StateView
        state={servers}
        empty="No MCP servers are declared in .mcp.json."
        isEmpty={(d) => d.servers.length === 0}
      >
        {(d) => (
          <ul className="plain" data-testid="mcp-summary">
            {d.servers.map((s) => (
              <li key={s.name} data-server={s.name}>
                <strong>{s.name}</strong> <StatusBadge status={s.state} />{' '}
                <span className="muted small">{s.restarts} restarts</span>
              </li>
            ))}
          </ul>
        )}
      </StateView>
    </section>
  );
}

function Doctor({ overview }: { overview: Overview }) {
  const { at, findings } = overview.doctor;
  return (
    <section className="card" aria-labelledby="doctor-title">
      <h2 id="doctor-title">Doctor findings</h2>
      {at ? (
        <>
          <Counts label="Findings by severity" counts={{ ...findings }} keys={[...SEVERITIES]} />
          <p className="muted small">
            Last report <TimeAgo at={at} />
          </p>
        </>
      ) : (
        <p className="state-empty">No doctor report yet.</p>
      )}
    </section>
  );
}

function Llm({ overview }: { overview: Overview }) {
  const backends = overview.llm.backends;
  return (
    <section className="card" aria-labelledby="llm-title">
      <h2 id="llm-title">LLM backends</h2>
      {backends.length === 0 ? (
        <p className="state-empty">No LLM backend is configured.</p>
      ) : (
        backends.map((b) => (
          <div key={b.name} className="backend" data-backend={b.name}>
            <p>
              <strong>{b.name}</strong> <span className="muted small">{b.url}</span> · breaker{' '}
              <StatusBadge status={b.breaker} />
            </p>
            <ul className="plain">
              {b.models.map((m) => (
                <li key={m.name}>
                  <label className="slots">
                    <span>{m.name}</span>
                    <meter min={0} max={m.slots_max} value={m.slots_in_use} />
                    <span className="small">
                      {m.slots_in_use} / {m.slots_max} slots
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}

/** Everything at a glance: dependencies, queue, MCP servers, doctor findings, LLM backends. */
export function OverviewPage() {
  const overview = useApi<Overview>('/api/v1/overview', ['task', 'mcp', 'doctor'], 2000);
  return (
    <div className="grid">
      <Dependencies />
      <McpSummary />
      <StateView state={overview} empty="">
        {(o) => (
          <>
            <Queue overview={o} />
            <Llm overview={o} />
            <Doctor overview={o} />
          </>
        )}
      </StateView>
    </div>
  );
}
