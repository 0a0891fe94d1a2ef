import { useEffect, useState, type FormEvent } from 'react';
import { query } from '../../api/client.js';
import type { Agent, Page, Task } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { Link } from '../../components/link.js';
import { TableView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';
import { navigate } from '../../lib/router.js';

const STATES = ['pending', 'running', 'completed', 'cancelled', 'dead'];

/** Tasks newest first, filtered by state, type and agent (kept in the URL), paged by cursor. */
export function TasksPage({ search }: { search: URLSearchParams }) {
  const status = search.get('status') ?? '';
  const type = search.get('type') ?? '';
  const agentId = search.get('agent_id') ?? '';
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  useEffect(() => setCursors([]), [status, type, agentId]);
  const page = useApi<Page<Task>>(
    '/api/v1/tasks' + query({ status, type, agent_id: agentId, limit: 25, cursor }),
    ['task'],
  );
  const agents = useApi<Page<Agent>>('/api/v1/agents?limit=100');
  const agentName = (id: string | null) => agents.data?.items.find((a) => a.id === id)?.name ?? id ?? '—';

  const [typeText, setTypeText] = useState(type);
  const apply = (next: Record<string, string>) =>
    navigate('/tasks' + query({ status, type, agent_id: agentId, ...next }));
  const submitType = (e: FormEvent) => {
    e.preventDefault();
    apply({ type: typeText.trim() });
  };

  return (
    <>
      <form className="filters" onSubmit={submitType} aria-label="Filter tasks">
        <label>
          State
          <select value={status} onChange={(e) => apply({ status: e.target.value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <select value={agentId} onChange={(e) => apply({ agent_id: e.target.value })}>
            <option value="">any</option>
            {agents.data?.items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input
            value={typeText}
            onChange={(e) => setTypeText(e.target.value)}
            placeholder="e.g. agent.run"
          />
        </label>
        <button type="submit">Filter</button>
      </form>
      <section className="card">
        <TableView
          state={page}
          label="Tasks"
          testId="tasks"
          empty="No tasks match."
          isEmpty={(p) => p.items.length === 0}
          columns={['Task', 'State', 'Agent', 'Attempts', 'Created']}
          rows={(p) =>
            p.items.map((t) => (
              <tr key={t.id} data-task={t.id}>
                <th scope="row">
                  <Link href={`/tasks/${t.id}`}>{t.type}</Link>
                  <div className="muted small mono">{t.id.slice(0, 8)}</div>
                </th>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{agentName(t.agent_id)}</td>
                <td>
                  {t.attempts} / {t.max_attempts}
                </td>
                <td>
                  <TimeAgo at={t.created_at} />
                </td>
              </tr>
            ))
          }
        />
        <div className="pager">
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            disabled={!page.data?.next_cursor}
            onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data!.next_cursor!])}
          >
            Older
          </button>
        </div>
      </section>
    </>
  );
}
