import { ProbeFailure, type Probe } from '../../health/index.js';
import type { GatewayToolProvider } from './gateway-client.js';

/**
 * The gateway as a dependency of an api or worker process: up when it lists its tools with this
 * process's credential within the timeout. Not required: without it agents wait for their MCP
 * tools, but the API and every other task type keep working.
 */
export function gatewayProbe(gateway: GatewayToolProvider): Probe {
  return {
    name: 'mcp-gateway',
    required: false,
    async check(signal: AbortSignal) {
      try {
        const tools = await gateway.listTools(signal);
        return { url: gateway.url, tools: tools.length };
      } catch (err) {
        throw new ProbeFailure((err as Error).message, { url: gateway.url });
      }
    },
  };
}
