import { ProbeFailure, type Probe, type ProbeSource } from '../health/index.js';
import type { McpGateway } from './gateway.js';
import type { ServerRuntime } from './supervisor/server-runtime.js';

/**
 * One probe per enabled server (required: false). A probe never starts a server: a stopped one is
 * down with its state as the reason; a ready one must answer a live ping. The gateway tells the
 * registry the moment a server's state changes, so an exit shows at once, not after the cache.
 */
export function mcpProbeSource(gateway: McpGateway): ProbeSource {
  return {
    subscribe(changed) {
      gateway.stateListeners.add((server) => changed(`mcp:${server}`));
    },
    probes(): Probe[] {
      return gateway
        .serverNames()
        .filter((name) => gateway.runtime(name).spec.enabled)
        .map((name) => ({
          name: `mcp:${name}`,
          required: false,
          async check(signal: AbortSignal) {
            const rt = gateway.runtime(name);
            const instances = rt.readyInstances();
            if (instances.length === 0)
              throw new ProbeFailure(
                `not running (state ${rt.state})${rt.lastError ? `: ${rt.lastError}` : ''}`,
                detail(rt),
              );
            try {
              await Promise.race([
                instances[0]!.ping(gateway.config.probeIntervalMs),
                new Promise((_, reject) =>
                  signal.addEventListener('abort', () => reject(new Error('probe aborted'))),
                ),
              ]);
            } catch (err) {
              throw new ProbeFailure(`ping failed: ${(err as Error).message}`, detail(rt));
            }
            return { ...detail(rt), instances: instances.length };
          },
        }));
    },
  };
}

function detail(rt: ServerRuntime): Record<string, unknown> {
  return { state: rt.state, restarts: rt.restarts, lastError: rt.lastError };
}
