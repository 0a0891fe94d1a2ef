import path from 'node:path';
import type { Logger } from 'pino';
import type { CloseStack } from './close-stack.js';
import type { Config } from './config/index.js';
import type { HealthRegistry } from './health/index.js';
import {
  createMcpGateway,
  gatewayProbe,
  GatewayToolProvider,
  reapLedger,
  type McpGatewayHandle,
  type ServerStatus,
} from './mcp/index.js';
import type { ToolProvider } from './tools/types.js';

/**
 * How one process reaches MCP tools: it runs the MCP servers itself (role `all`, `gateway`, or
 * api/worker without mcp.gatewayUrl), or it is a client of the gateway process (api/worker with
 * mcp.gatewayUrl; decision 0066) and spawns none.
 */
export interface McpForRole {
  /** The in-process gateway, when this process runs the MCP servers. */
  readonly local?: McpGatewayHandle;
  readonly toolProvider: ToolProvider;
  servers(): ServerStatus[];
  states(): Record<string, number>;
  /** Registers the MCP side's probes: every local server, or the gateway as one dependency. */
  addProbes(health: HealthRegistry): void;
}

export async function startMcpForRole(
  config: Config,
  role: 'all' | 'api' | 'worker' | 'gateway',
  logger: Logger,
  stack: CloseStack,
): Promise<McpForRole> {
  const { gatewayUrl, gatewayToken } = config.mcp;
  if (role !== 'gateway' && gatewayUrl && gatewayToken) {
    const remote = new GatewayToolProvider({
      url: gatewayUrl,
      token: gatewayToken,
      maxInFlight: config.mcp.gatewayMaxInFlight,
      slotWaitMs: config.mcp.slotWaitMs,
      timeoutMs: config.mcp.gatewayTimeoutMs,
      callTimeoutMs: config.mcp.callTimeoutMs,
    });
    return {
      toolProvider: remote,
      servers: () => [],
      states: () => ({}),
      addProbes: (health) => health.add(gatewayProbe(remote)),
    };
  }
  await reapLedger(path.resolve(config.dataDir));
  const mcp = createMcpGateway({
    configPath: path.resolve(config.mcp.configPath),
    dataDir: path.resolve(config.dataDir),
    logger,
    config: config.mcp,
  });
  stack.push('mcp', () => mcp.close());
  await mcp.start();
  return {
    local: mcp,
    toolProvider: mcp.toolProvider,
    servers: () => mcp.servers(),
    states: () => mcp.status().states,
    addProbes: (health) => health.addSource(mcp.probeSource),
  };
}
