import type { ServerCapabilities } from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';

/**
 * What a /mcp or /mcp/{server} session announces: the union of what its upstreams announced in
 * their `initialize` results (decision 0063), limited to what the gateway relays — tools,
 * resources (with `subscribe` when any upstream offers it), prompts, logging and completions.
 * `listChanged` is announced for every kind present: the gateway sends list_changed itself when
 * servers are added, removed or reconfigured, whether or not an upstream does.
 */
export function announcedCapabilities(upstreams: ServerCapabilities[]): ServerCapabilities {
  const out: ServerCapabilities = {};
  for (const caps of upstreams) {
    if (caps.tools) out.tools = { listChanged: true };
    if (caps.prompts) out.prompts = { listChanged: true };
    if (caps.resources)
      out.resources = {
        listChanged: true,
        ...(caps.resources.subscribe || out.resources?.subscribe ? { subscribe: true } : {}),
      };
    if (caps.logging) out.logging = {};
    if (caps.completions) out.completions = {};
  }
  return out;
}

/** The servers a session sees: its own on /mcp/{server}; every enabled one on /mcp. */
export function scopeServers(gateway: McpGateway, scope: string | null): string[] {
  return scope
    ? [gateway.runtime(scope).spec.name]
    : gateway.serverNames().filter((n) => gateway.runtime(n).spec.enabled);
}

/** The union of what the servers in `scope` announced so far (servers never connected add nothing). */
export function knownCapabilities(gateway: McpGateway, scope: string | null): ServerCapabilities {
  const known = scopeServers(gateway, scope).flatMap((n) => gateway.runtime(n).serverCapabilities ?? []);
  return announcedCapabilities(known);
}

/**
 * The capabilities a new session is told at its `initialize`: servers in its scope that never
 * connected are started first (bounded by the start timeout; `sessionKey` owns a per-session one).
 * A session keeps what it was told for its life: MCP has no way to change capabilities mid-session.
 */
export async function capabilitiesForNewSession(
  gateway: McpGateway,
  scope: string | null,
  sessionKey: string | null,
): Promise<ServerCapabilities> {
  await gateway.learnCapabilities(scopeServers(gateway, scope), sessionKey);
  return knownCapabilities(gateway, scope);
}
