import { useState } from 'react';
import { useIsAdmin } from '../../api/context.js';
import type { Agent, AgentStats, Page } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { Link } from '../../components/link.js';
import { StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';
import { count, percent } from '../../lib/format.js';
import { AgentForm } from './agent-form.js';
import { RunTaskForm } from './run-task-form.js';

function AgentCard({ agent, onChanged }: { agent: Agent; onChanged: () => void }) {
  const admin = useIsAdmin();
  const detail = useApi<Agent & { stats: AgentStats }>(`/api/v1/agents/${agent.id}`, ['task'], 3000);
  const [editing, setEditing] = useState(false);
  const stats = detail.data?.stats;
  return (
    <article className="card" aria-labelledby={`agent-${agent.id}`} data-agent={agent.name}>
      <h2 id={`agent-${agent.id}`}>
        {agent.name} <StatusBadge status={agent.status} />
      </h2>
      <p>{agent.description || <span className="muted">No description.</span>}</p>
      <dl className="facts">
        <dt>Model</dt>
        <dd>{agent.model ?? 'default'}</dd>
        <dt>Heartbeat</dt>
        <dd>
          <TimeAgo at={agent.last_heartbeat} />
        </dd>
        <dt>Success rate</dt>
        <dd>
          {percent(stats?.success_rate)}
          {stats && <span className="muted small"> of {count(stats.finished_considered)} finished</span>}
        </dd>
        <dt>Tokens used</dt>
        <dd>{count(stats?.token_usage.total_tokens)}</dd>
        <dt>Tools</dt>
        <dd>{agent.tools.length ? agent.tools.join(', ') : <span className="muted">none</span>}</dd>
        <dt>Defined by</dt>
        <dd className="mono small">{agent.read_only ? agent.source.replace(/^file:/, '') : 'the API'}</dd>
      </dl>
      <p>
        <Link href={`/tasks?agent_id=${agent.id}`}>Tasks of {agent.name}</Link>
      </p>
      {admin && !agent.read_only && !editing && (
        <button type="button" onClick={() => setEditing(true)}>
          Edit {agent.name}
        </button>
      )}
      {agent.read_only && <p className="muted small">Defined by a file: edit the file to change it.</p>}
      {editing && (
        <AgentForm
          agent={agent}
          onDone={() => {
            setEditing(false);
            onChanged();
          }}
        />
      )}
      <RunTaskForm agent={agent} />
    </article>
  );
}

/** Agents with status, heartbeat, success rate and token use; create/edit (admin); run a task. */
export function AgentsPage() {
  const admin = useIsAdmin();
  const agents = useApi<Page<Agent>>('/api/v1/agents?limit=100');
  const [creating, setCreating] = useState(false);
  return (
    <>
      {admin && (
        <div className="actions">
          {creating ? (
            <section className="card">
              <h2>New agent</h2>
              <AgentForm
                onDone={() => {
                  setCreating(false);
                  agents.reload();
                }}
              />
            </section>
          ) : (
            <button type="button" className="primary" onClick={() => setCreating(true)}>
              New agent
            </button>
          )}
        </div>
      )}
      <StateView state={agents} empty="No agents yet." isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <div className="grid wide">
            {d.items.map((a) => (
              <AgentCard key={a.id} agent={a} onChanged={agents.reload} />
            ))}
          </div>
        )}
      </StateView>
    </>
  );
}
