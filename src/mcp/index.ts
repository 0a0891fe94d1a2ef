/**
 * The MCP gateway area. The composition root builds one gateway:
 *
 *   await reapLedger(config.dataDir);                       // kill what a crashed run left behind
 *   const mcp = createMcpGateway({ configPath, dataDir, logger, config: config.mcp });
 *   await mcp.start();
 *   routes.push(mcpRoutes({ gateway: mcp }));
 *   ... on shutdown: await mcp.close();
 */
import { NameTable } from './aggregate/names.js';
import { SessionManager } from './aggregate/sessions.js';
import type { McpGateway } from './gateway.js';
import { createMcpGateway as createGatewayCore, type GatewayOptions } from './gateway.js';
import { mcpProbeSource } from './probes.js';
import { McpToolProvider } from './tool-provider.js';

export { reapLedger } from './process/ledger.js';
export { McpGateway, PASSTHROUGH_METHODS, type CallOptions, type GatewayOptions } from './gateway.js';
export { McpGatewayError, toSutazaiError as mcpErrorToSutazai } from './errors.js';
export type { ServerStatus } from './status.js';
export type { ServerState } from './supervisor/server-runtime.js';
export { NameTable } from './aggregate/names.js';
export { SessionManager } from './aggregate/sessions.js';
export {
  GATEWAY_TOKEN_HEADER,
  GatewayToolProvider,
  INTERNAL_CALL_PATH,
  INTERNAL_TOOLS_PATH,
  type GatewayClientOptions,
} from './remote/gateway-client.js';
export { gatewayProbe } from './remote/probe.js';

export interface McpGatewayHandle {
  gateway: McpGateway;
  start(): Promise<void>;
  /** Idempotent: closes /mcp sessions, stops every server and process tree, then the watchdog. */
  close(): Promise<void>;
  servers: McpGateway['servers'];
  status: McpGateway['status'];
  toolProvider: McpToolProvider;
  probeSource: ReturnType<typeof mcpProbeSource>;
  sessions: SessionManager;
  names: NameTable;
}

export function createMcpGateway(options: GatewayOptions): McpGatewayHandle {
  const gateway = createGatewayCore(options);
  const names = new NameTable();
  const sessions = new SessionManager(gateway, names);
  let closing: Promise<void> | undefined;
  return {
    gateway,
    names,
    sessions,
    start: () => gateway.start(),
    close: () => {
      closing ??= (async () => {
        try {
          await sessions.close();
        } finally {
          await gateway.close();
        }
      })();
      return closing;
    },
    servers: () => gateway.servers(),
    status: () => gateway.status(),
    toolProvider: new McpToolProvider(gateway, names),
    probeSource: mcpProbeSource(gateway),
  };
}
