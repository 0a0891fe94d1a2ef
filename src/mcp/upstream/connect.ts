import {
  Client,
  StreamableHTTPClientTransport,
  type ClientCapabilities,
  type Transport,
} from '@modelcontextprotocol/client';
import type { ServerSpec } from '../config/server-spec.js';
import { ServerChild } from '../process/child.js';
import type { LineRing } from '../process/ring-buffer.js';
import { ChildStdioTransport } from './child-stdio-transport.js';

export const CLIENT_INFO = { name: 'sutazai-mcp-gateway', version: '0.1.0' };

export interface Connection {
  client: Client;
  child?: ServerChild;
  transport: Transport;
  /** Set when an HTTP session is being replaced: why (requests failing on it are retried alike). */
  lost?: 'forgotten' | 'network';
}

export interface ConnectOptions {
  marker: string;
  stderr: LineRing;
  startTimeoutMs: number;
  /** Called for tools/resources/prompts list_changed so caches are dropped. */
  onListChanged: (kind: 'tools' | 'resources' | 'prompts') => void;
  /** Called as soon as a process exists (before the handshake), so it is in the ledger at once. */
  onSpawn: (child: ServerChild) => void;
  /** Called for every `notifications/message` (log message) the server sends. */
  onLog?: (params: Record<string, unknown>) => void;
  /** Called for `notifications/resources/updated`. */
  onResourceUpdated?: (uri: string) => void;
  /**
   * What the gateway announces upstream as its client capabilities: only sampling, elicitation
   * and roots mean anything there, and each one announced gets a handler that relays it.
   */
  capabilities?: ClientCapabilities;
  /** A server-to-client request (sampling, elicitation, roots) to relay to a client session. */
  onServerRequest?: (request: UpstreamRequest) => Promise<unknown>;
  /** `notifications/elicitation/complete`: a URL-mode elicitation the server sent has finished. */
  onElicitationComplete?: (params: Record<string, unknown>) => void;
}

/** The server-to-client requests the gateway relays, and the capability each needs. */
export const SERVER_REQUESTS = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
} as const;
export type ServerRequestMethod = keyof typeof SERVER_REQUESTS;

export interface UpstreamRequest {
  method: ServerRequestMethod;
  params: Record<string, unknown>;
  signal: AbortSignal;
}

function newClient(options: ConnectOptions): Client {
  const capabilities = options.capabilities ?? {};
  const client = new Client(CLIENT_INFO, { capabilities });
  for (const [method, capability] of Object.entries(SERVER_REQUESTS) as Array<
    [ServerRequestMethod, string]
  >) {
    if (!(capability in capabilities)) continue;
    client.setRequestHandler(method, async (req, ctx) => {
      if (!options.onServerRequest) throw new Error(`no client to relay ${method} to`);
      const params = (req.params ?? {}) as Record<string, unknown>;
      return (await options.onServerRequest({ method, params, signal: ctx.mcpReq.signal })) as never;
    });
  }
  client.setNotificationHandler('notifications/tools/list_changed', () => options.onListChanged('tools'));
  client.setNotificationHandler('notifications/resources/list_changed', () =>
    options.onListChanged('resources'),
  );
  client.setNotificationHandler('notifications/prompts/list_changed', () => options.onListChanged('prompts'));
  client.setNotificationHandler('notifications/message', (n) =>
    options.onLog?.(n.params as unknown as Record<string, unknown>),
  );
  client.setNotificationHandler('notifications/elicitation/complete', (n) =>
    options.onElicitationComplete?.(n.params as unknown as Record<string, unknown>),
  );
  client.setNotificationHandler('notifications/resources/updated', (n) =>
    options.onResourceUpdated?.(String(n.params.uri)),
  );
  return client;
}

/**
 * Spawns (stdio) or dials (HTTP) one instance and runs the MCP handshake. On failure anything
 * spawned is killed before the error propagates.
 */
export async function connectInstance(
  spec: ServerSpec,
  options: ConnectOptions,
  graceMs: number,
): Promise<Connection> {
  const client = newClient(options);
  if (spec.transport.kind === 'http') {
    const transport = new StreamableHTTPClientTransport(new URL(spec.transport.url), {
      requestInit: { headers: spec.transport.headers },
    });
    await client.connect(transport, { timeout: options.startTimeoutMs });
    return { client, transport };
  }
  const t = spec.transport;
  const child = new ServerChild(
    {
      command: t.command,
      args: t.args,
      env: t.env,
      ...(t.cwd ? { cwd: t.cwd } : {}),
      marker: options.marker,
    },
    options.stderr,
  );
  options.onSpawn(child);
  const spawnError = new Promise<never>((_, reject) => {
    child.proc.once('error', (err) => reject(err));
    void child.exited.then(() =>
      reject(new Error(`process exited during start (code ${child.exitCode}, signal ${child.exitSignal})`)),
    );
  });
  spawnError.catch(() => {});
  const transport = new ChildStdioTransport(child);
  try {
    await Promise.race([client.connect(transport, { timeout: options.startTimeoutMs }), spawnError]);
  } catch (err) {
    await child.kill(graceMs);
    throw err;
  }
  return { client, child, transport };
}
