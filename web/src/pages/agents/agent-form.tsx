import { useState, type FormEvent } from 'react';
import { useSession } from '../../api/context.js';
import type { Agent } from '../../api/types.js';
import { ErrorBox } from '../../components/state-view.js';

const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Create (no `agent`) or edit an API-defined agent. Admin only; the API refuses others anyway. */
export function AgentForm({ agent, onDone }: { agent?: Agent; onDone: () => void }) {
  const { client } = useSession();
  const [v, setV] = useState({
    name: agent?.name ?? '',
    description: agent?.description ?? '',
    model: agent?.model ?? '',
    system_prompt: agent?.system_prompt ?? '',
    tools: agent?.tools.join(', ') ?? '',
    capabilities: agent?.capabilities.join(', ') ?? '',
  });
  const [error, setError] = useState<Error | undefined>();
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) =>
    setV((s) => ({ ...s, [k]: e.target.value }));
  const prefix = agent ? `edit-${agent.id}` : 'new-agent';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: v.name.trim(),
      description: v.description,
      model: v.model.trim() || null,
      system_prompt: v.system_prompt,
      tools: list(v.tools),
      capabilities: list(v.capabilities),
    };
    try {
      if (agent) await client.call('PATCH', `/api/v1/agents/${agent.id}`, body);
      else await client.post('/api/v1/agents', body);
      onDone();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form
      className="stack"
      onSubmit={(e) => void submit(e)}
      aria-label={agent ? `Edit ${agent.name}` : 'New agent'}
    >
      <label htmlFor={`${prefix}-name`}>Name</label>
      <input id={`${prefix}-name`} required value={v.name} onChange={set('name')} />
      <label htmlFor={`${prefix}-desc`}>Description</label>
      <input id={`${prefix}-desc`} value={v.description} onChange={set('description')} />
      <label htmlFor={`${prefix}-model`}>Model (empty: the default model)</label>
      <input id={`${prefix}-model`} value={v.model} onChange={set('model')} />
      <label htmlFor={`${prefix}-prompt`}>System prompt</label>
      <textarea
        id={`${prefix}-prompt`}
        required
        rows={4}
        value={v.system_prompt}
        onChange={set('system_prompt')}
      />
      <label htmlFor={`${prefix}-tools`}>Tools (server__tool, comma separated)</label>
      <input id={`${prefix}-tools`} value={v.tools} onChange={set('tools')} />
      <label htmlFor={`${prefix}-caps`}>Capabilities (comma separated)</label>
      <input id={`${prefix}-caps`} value={v.capabilities} onChange={set('capabilities')} />
      {error && <ErrorBox error={error} />}
      <div className="actions">
        <button type="submit" className="primary">
          {agent ? 'Save' : 'Create agent'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
