import { UriTemplate } from '@modelcontextprotocol/server';
import type { McpGateway } from '../gateway.js';

/**
 * Which server serves a resource URI, for `resources/read` on the aggregated /mcp endpoint.
 * URIs are passed through unchanged (no per-server prefix: clients and models recognize
 * `file://`, `https://` …), so the owner is found on demand: first a server whose resource list
 * contains the URI exactly, then the first server (in name order) with a resource template that
 * matches it. Lists come from the gateway's cache, so after the first lookup this costs no
 * upstream round trip; the first lookup starts every enabled server that is not running yet.
 */
export async function findResourceOwner(
  gateway: McpGateway,
  servers: string[],
  uri: string,
  sessionKey: string,
): Promise<string | undefined> {
  const list = (s: string, method: 'resources/list' | 'resources/templates/list') =>
    gateway.list(s, method, { sessionKey }).catch(() => [] as unknown[]);
  const resources = await Promise.all(servers.map((s) => list(s, 'resources/list')));
  const exact = servers.find((_, i) => (resources[i] as Array<{ uri?: unknown }>).some((r) => r.uri === uri));
  if (exact) return exact;
  const templates = await Promise.all(servers.map((s) => list(s, 'resources/templates/list')));
  return servers.find((_, i) =>
    (templates[i] as Array<{ uriTemplate?: unknown }>).some(
      (t) => t.uriTemplate === uri || templateMatches(t.uriTemplate, uri),
    ),
  );
}

function templateMatches(template: unknown, uri: string): boolean {
  if (typeof template !== 'string') return false;
  try {
    return new UriTemplate(template).match(uri) !== null;
  } catch {
    return false; // an upstream template we cannot parse never claims a URI
  }
}
