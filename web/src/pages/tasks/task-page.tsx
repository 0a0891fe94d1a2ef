import { useState } from 'react';
import { useSession } from '../../api/context.js';
import type { Task } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { JsonView } from '../../components/json-view.js';
import { Link } from '../../components/link.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';
import { navigate } from '../../lib/router.js';
import { StepTrace } from './step-trace.js';

function Actions({ task, onChange }: { task: Task; onChange: () => void }) {
  const { client } = useSession();
  const [error, setError] = useState<Error | undefined>();
  const run = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err as Error);
    }
  };
  const cancel = () => run(async () => (await client.post(`/api/v1/tasks/${task.id}/cancel`), onChange()));
  // A dead task is not retried in place: the same type, payload and agent become a new task.
  const rerun = () =>
    run(async () => {
      const made = await client.post<{ id: string }>('/api/v1/tasks', {
        type: task.type,
        payload: task.payload,
        ...(task.agent_id ? { agent_id: task.agent_id } : {}),
      });
      navigate(`/tasks/${made.id}`);
    });
  return (
    <div className="actions">
      {(task.status === 'pending' || task.status === 'running') && (
        <button type="button" onClick={() => void cancel()} disabled={task.cancel_requested}>
          {task.cancel_requested ? 'Cancel requested' : 'Cancel task'}
        </button>
      )}
      {task.status === 'dead' && (
        <button type="button" onClick={() => void rerun()}>
          Re-run as a new task
        </button>
      )}
      {error && <ErrorBox error={error} />}
    </div>
  );
}

/** One task: its state, payload, result or error, attempts, and its step trace. */
export function TaskPage({ id }: { id: string }) {
  const task = useApi<Task>(`/api/v1/tasks/${encodeURIComponent(id)}`, ['task'], 300);
  return (
    <>
      <p>
        <Link href="/tasks">← All tasks</Link>
      </p>
      <StateView state={task} empty="">
        {(t) => (
          <div className="grid wide">
            <section className="card" aria-labelledby="task-title">
              <h2 id="task-title">
                {t.type} <StatusBadge status={t.status} />
              </h2>
              <dl className="facts">
                <dt>Id</dt>
                <dd className="mono">{t.id}</dd>
                <dt>Attempts</dt>
                <dd>
                  {t.attempts} of {t.max_attempts}
                </dd>
                <dt>Created</dt>
                <dd>
                  <TimeAgo at={t.created_at} />
                </dd>
                <dt>Started</dt>
                <dd>
                  <TimeAgo at={t.started_at} />
                </dd>
                <dt>Finished</dt>
                <dd>
                  <TimeAgo at={t.completed_at} />
                </dd>
              </dl>
              <Actions task={t} onChange={task.reload} />
              <h3>Payload</h3>
              <JsonView value={t.payload} label="Payload" />
              {t.error ? (
                <>
                  <h3>Error</h3>
                  <p className="error-text" data-testid="task-error">
                    {t.error}
                  </p>
                </>
              ) : (
                t.result !== null && (
                  <>
                    <h3>Result</h3>
                    <JsonView value={t.result} label="Result" />
                  </>
                )
              )}
            </section>
            <StepTrace taskId={t.id} />
          </div>
        )}
      </StateView>
    </>
  );
}
