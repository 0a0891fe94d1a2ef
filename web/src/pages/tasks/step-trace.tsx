import type { Step } from '../../api/types.js';
import { JsonView } from '../../components/json-view.js';
import { StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useApi } from '../../api/use-api.js';
import { count, duration } from '../../lib/format.js';

/** Every model turn and tool call of a task, in order, live while it runs. */
export function StepTrace({ taskId }: { taskId: string }) {
  const steps = useApi<{ steps: Step[] }>(`/api/v1/tasks/${taskId}/steps`, ['task_step', 'task'], 300);
  return (
    <section className="card" aria-labelledby="trace-title">
      <h2 id="trace-title">Step trace</h2>
      <StateView state={steps} empty="No steps recorded yet." isEmpty={(d) => d.steps.length === 0}>
        {(d) => (
          <ol className="trace" data-testid="trace">
            {d.steps.map((s) => (
              <li key={`${s.attempt}-${s.seq}`} className={`step step-${s.kind}`} data-kind={s.kind}>
                <header>
                  <strong>
                    #{s.seq} {s.kind === 'model' ? 'Model turn' : `Tool call: ${s.tool_name ?? '?'}`}
                  </strong>
                  <span className="muted small">
                    attempt {s.attempt} · {duration(s.duration_ms)}
                    {s.kind === 'model' &&
                      ` · ${count(s.prompt_tokens)} prompt + ${count(s.completion_tokens)} completion tokens`}
                  </span>
                  {s.error && <StatusBadge status="error" />}
                </header>
                {s.message?.content && <p className="plain-text">{s.message.content}</p>}
                {s.arguments !== null && s.arguments !== undefined && (
                  <details open={s.kind === 'tool'}>
                    <summary>Arguments</summary>
                    <JsonView value={s.arguments} label={`Arguments of step ${s.seq}`} />
                  </details>
                )}
                {s.result !== null && s.result !== undefined && (
                  <details>
                    <summary>Result</summary>
                    <JsonView value={s.result} label={`Result of step ${s.seq}`} />
                  </details>
                )}
                {s.error && <p className="error-text">{s.error}</p>}
              </li>
            ))}
          </ol>
        )}
      </StateView>
    </section>
  );
}
