import { useEffect, useState } from 'react';
import type { McpServer } from '../../api/types.js';
import { useApi, useLive } from '../../api/use-api.js';
import { StateView } from '../../components/state-view.js';
import { ServerCard } from './server-card.js';

interface McpEvent {
  server: string;
  state: McpServer['state'];
  pid: number | null;
  restarts: number;
}

/** Every declared MCP server, live: an `mcp` event changes its state at once, then a refetch fills in the rest. */
export function McpPage() {
  const servers = useApi<{ servers: McpServer[] }>('/api/v1/mcp/servers', ['mcp'], 500);
  const [list, setList] = useState<McpServer[]>([]);
  useEffect(() => setList(servers.data?.servers ?? []), [servers.data]);
  useLive(['mcp'], (data) => {
    const e = data as McpEvent;
    setList((all) =>
      all.map((s) => (s.name === e.server ? { ...s, state: e.state, restarts: e.restarts } : s)),
    );
  });
  return (
    <StateView
      state={servers}
      empty="No MCP servers are declared. Add them to .mcp.json (see docs/mcp.md)."
      isEmpty={(d) => d.servers.length === 0}
    >
      {() => (
        <div className="grid wide">
          {list.map((s) => (
            <ServerCard key={s.name} server={s} onChanged={servers.reload} />
          ))}
        </div>
      )}
    </StateView>
  );
}
