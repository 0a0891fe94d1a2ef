import type { CallToolResult, ProgressCallback } from '@modelcontextprotocol/client';
import { ProtocolError } from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';
import { scopeServers } from './capabilities.js';
import type { NameTable } from './names.js';
import type { Origin } from '../upstream/instance.js';

/** Which server and item an exposed tool or prompt name means in a session's scope. */
export interface Routed {
  server: string;
  item: string;
}

/**
 * Resolves an exposed name: on /mcp/{server} it is the server's own name; on /mcp it is
 * `server__item`, and a name that matches no server is -32602 saying how names are made.
 */
export function routeName(
  gateway: McpGateway,
  names: NameTable,
  scope: string | null,
  exposed: string,
  kind: 'tool' | 'prompt',
): Routed {
  if (scope) return { server: scope, item: exposed };
  const found = names.resolve(exposed);
  if (!gateway.supervisor.get(found.server))
    throw new ProtocolError(-32602, unknownName(kind, exposed, found.server, scopeServers(gateway, scope)), {
      name: exposed,
    });
  return found;
}

/** On /mcp, a tool the server's (cached) list does not have is refused with the names it has. */
export function assertListed(
  gateway: McpGateway,
  names: NameTable,
  scope: string | null,
  { server, item }: Routed,
  exposed: string,
): void {
  if (scope) return;
  const listed = gateway.runtime(server).cache.get('tools') as Array<{ name: string }> | undefined;
  if (!listed || listed.some((t) => t.name === item)) return;
  const shown = listed.slice(0, 20).map((t) => names.expose(server, t.name));
  const more = listed.length > 20 ? `, … (${listed.length} in all)` : '';
  throw new ProtocolError(
    -32602,
    `Unknown tool "${exposed}": ${server} has ${shown.join(', ') || 'no tools'}${more}`,
    { name: exposed },
  );
}

/** Says how names on /mcp are made, and which servers exist, for a name that matches none. */
function unknownName(kind: 'tool' | 'prompt', exposed: string, server: string, servers: string[]): string {
  const why = server ? `no MCP server "${server}"` : 'it has no server prefix';
  return (
    `Unknown ${kind} "${exposed}": ${why}; ${kind}s on /mcp are named server__${kind} ` +
    `(servers: ${servers.join(', ') || 'none'}); ${kind}s/list shows them all`
  );
}

/** What a session forwards a tool call with: its gateway view, scope and key. */
export interface ToolScope {
  gateway: McpGateway;
  names: NameTable;
  scope: string | null;
  sessionKey: string;
}

/** Forwards one client `tools/call` (the request `origin` names) to the tool's server. */
export function forwardToolCall(
  t: ToolScope,
  params: { name: string; arguments?: Record<string, unknown> },
  origin: Origin,
  signal: AbortSignal,
  onprogress?: ProgressCallback,
): Promise<CallToolResult> {
  const routed = routeName(t.gateway, t.names, t.scope, params.name, 'tool');
  assertListed(t.gateway, t.names, t.scope, routed, params.name);
  return t.gateway.callTool(routed.server, routed.item, params.arguments ?? {}, {
    signal,
    origin,
    sessionKey: t.sessionKey,
    ...(onprogress ? { onprogress } : {}),
  });
}
