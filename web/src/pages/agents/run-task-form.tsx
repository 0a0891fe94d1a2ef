import { useState } from 'react';
import { useSession } from '../../api/context.js';
import type { Agent, TaskType } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { SchemaForm } from '../../components/schema-form.js';
import { ErrorBox } from '../../components/state-view.js';
import { navigate } from '../../lib/router.js';

/** Submits an agent.run task for one agent, with a form generated from the payload schema. */
export function RunTaskForm({ agent }: { agent: Agent }) {
  const { client } = useSession();
  const types = useApi<{ items: TaskType[] }>('/api/v1/task-types');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const run = types.data?.items.find((t) => t.type === 'agent.run');
  if (!types.data) return null;
  if (!run) return <p className="muted">This platform has no agent.run task type (no LLM backend?).</p>;
  const submit = async (payload: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      const made = await client.post<{ id: string }>('/api/v1/tasks', {
        type: 'agent.run',
        agent: agent.name,
        payload,
      });
      navigate(`/tasks/${made.id}`);
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };
  return (
    <div className="run-task">
      <h3>Run a task</h3>
      <SchemaForm
        schema={run.payload_schema}
        idPrefix={`run-${agent.name}`}
        submitLabel={`Run ${agent.name}`}
        busy={busy}
        omit={['agent', 'agent_id']}
        onSubmit={(p) => void submit(p)}
      />
      {error && <ErrorBox error={error} />}
    </div>
  );
}
