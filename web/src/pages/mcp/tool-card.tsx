import { useState } from 'react';
import { useSession } from '../../api/context.js';
import type { McpTool } from '../../api/types.js';
import { JsonView } from '../../components/json-view.js';
import { SchemaForm } from '../../components/schema-form.js';
import { ErrorBox } from '../../components/state-view.js';

interface CallResult {
  content?: Array<{ type: string; text?: string }>;
  isError?: boolean;
}

/** One tool: its description, a form generated from its input schema, and the last result. */
export function ToolCard({ server, tool }: { server: string; tool: McpTool }) {
  const { client } = useSession();
  const [result, setResult] = useState<CallResult | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const call = async (args: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await client.post<CallResult>(
          `/api/v1/mcp/servers/${encodeURIComponent(server)}/tools/${encodeURIComponent(tool.name)}/call`,
          { arguments: args },
        ),
      );
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const texts = result?.content?.filter((c) => c.type === 'text').map((c) => c.text ?? '') ?? [];
  return (
    <details className="tool" data-tool={tool.name}>
      <summary>
        <strong className="mono">{tool.name}</strong>
        {tool.description && <span className="muted small"> — {tool.description.split('\n')[0]}</span>}
      </summary>
      <SchemaForm
        schema={tool.inputSchema}
        idPrefix={`tool-${server}-${tool.name}`}
        submitLabel={busy ? 'Calling…' : `Call ${tool.name}`}
        busy={busy}
        onSubmit={(a) => void call(a)}
      />
      {error && <ErrorBox error={error} />}
      {result && (
        <div className={result.isError ? 'tool-result error-box' : 'tool-result'} data-testid="tool-result">
          <h4>{result.isError ? 'The tool reported an error' : 'Result'}</h4>
          {texts.length > 0 ? (
            texts.map((t, i) => (
              <pre key={i} className="json" tabIndex={0}>
                {t}
              </pre>
            ))
          ) : (
            <JsonView value={result} label="Tool result" />
          )}
        </div>
      )}
    </details>
  );
}
