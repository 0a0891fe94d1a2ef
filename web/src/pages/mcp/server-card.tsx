import { useEffect, useState } from 'react';
import { useIsAdmin, useSession } from '../../api/context.js';
import type { McpServer, McpTool } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { StatusBadge } from '../../components/status-badge.js';
import { TimeAgo } from '../../components/time-ago.js';
import { duration } from '../../lib/format.js';
import { ToolCard } from './tool-card.js';

function StderrTail({ server }: { server: string }) {
  const tail = useApi<{ lines: string[] }>(
    `/api/v1/mcp/servers/${encodeURIComponent(server)}/stderr`,
    ['mcp'],
    500,
  );
  return (
    <details>
      <summary>stderr tail</summary>
      <StateView state={tail} empty="Nothing printed on stderr." isEmpty={(d) => d.lines.length === 0}>
        {(d) => (
          <pre className="json stderr" tabIndex={0} aria-label={`stderr of ${server}`}>
            {d.lines.join('\n')}
          </pre>
        )}
      </StateView>
    </details>
  );
}

/** Servers start on first use: listing the tools of a stopped one starts it. */
function Tools({ server, onStarted }: { server: McpServer; onStarted: () => void }) {
  const usable = server.state === 'ready' || server.state === 'stopped' || server.state === 'starting';
  const tools = useApi<{ tools: McpTool[] }>(
    usable ? `/api/v1/mcp/servers/${encodeURIComponent(server.name)}/tools` : null,
  );
  const wasStopped = server.state !== 'ready';
  useEffect(() => {
    if (tools.data && wasStopped) onStarted();
  }, [tools.data, wasStopped, onStarted]);
  if (!usable) return <p className="muted">Tools are listed once the server is running again.</p>;
  return (
    <StateView state={tools} empty="This server offers no tools." isEmpty={(d) => d.tools.length === 0}>
      {(d) => (
        <div className="tools">
          {d.tools.map((t) => (
            <ToolCard key={t.name} server={server.name} tool={t} />
          ))}
        </div>
      )}
    </StateView>
  );
}

/** One MCP server: state, processes, restarts, backoff, stderr (admin), restart (admin), tools. */
export function ServerCard({ server, onChanged }: { server: McpServer; onChanged: () => void }) {
  const admin = useIsAdmin();
  const { client } = useSession();
  const [error, setError] = useState<Error | undefined>();
  const restart = async () => {
    setError(undefined);
    try {
      await client.post(`/api/v1/mcp/servers/${encodeURIComponent(server.name)}/restart`);
      onChanged();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <article className="card" aria-labelledby={`mcp-${server.name}`} data-server={server.name}>
      <h2 id={`mcp-${server.name}`}>
        {server.name} <StatusBadge status={server.state} />
      </h2>
      <dl className="facts">
        <dt>Transport</dt>
        <dd>
          {server.transport} · {server.sharing}
        </dd>
        <dt>Processes</dt>
        <dd className="mono">{server.pids.length ? server.pids.join(', ') : '—'}</dd>
        <dt>Uptime</dt>
        <dd>{duration(server.uptimeMs)}</dd>
        <dt>Restarts</dt>
        <dd data-testid="restarts">{server.restarts}</dd>
        {server.consecutiveFailures > 0 && (
          <>
            <dt>Failures in a row</dt>
            <dd>{server.consecutiveFailures}</dd>
          </>
        )}
        {server.retryAt && (
          <>
            <dt>Next attempt</dt>
            <dd>
              <TimeAgo at={server.retryAt} />
            </dd>
          </>
        )}
        <dt>In flight / queued</dt>
        <dd>
          {server.inFlight} / {server.queued}
        </dd>
      </dl>
      {server.lastError && <p className="error-text">Last error: {server.lastError}</p>}
      {admin && (
        <div className="actions">
          <button type="button" onClick={() => void restart()}>
            Restart {server.name}
          </button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      {admin && <StderrTail server={server.name} />}
      <h3>Tools</h3>
      <Tools server={server} onStarted={onChanged} />
    </article>
  );
}
