import type { Probe, ProbeSource } from '../health/types.js';
import type { McpGateway } from './gateway.js';

/**
 * One probe per enabled server (required: false). A probe never starts a server: a stopped one is
 * down with its state as the reason; a ready one must answer a live ping.
 */
export function mcpProbeSource(gateway: McpGateway): ProbeSource {
  return {
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
            if (instances.length === 0) throw new Error(`not running (state ${rt.state})`);
            await Promise.race([
              instances[0]!.ping(gateway.config.probeIntervalMs),
              new Promise((_, reject) =>
                signal.addEventListener('abort', () => reject(new Error('probe aborted'))),
              ),
            ]);
            return { state: rt.state, instances: instances.length, restarts: rt.restarts };
          },
        }));
    },
  };
}
