import {
  ToolBackendUnavailableError,
  type ToolCallOptions,
  type ToolDescriptor,
  type ToolProvider,
  type ToolResult,
} from './types.js';

/**
 * A composite ToolProvider over several providers (built-ins, the MCP gateway…). Names must be
 * unique; on a clash the earlier provider wins and the later tool is hidden (reported through
 * `onConflict`). Calls route by name; an unknown name refreshes the listing once, then answers
 * an error result rather than throwing, so the model can recover. A provider whose backend is
 * down (ToolBackendUnavailableError) fails the listing, carrying the tools the others offered:
 * the caller decides whether those are enough (an agent that names only built-ins) or whether to
 * wait for the backend rather than run without the tools it was given.
 */
export interface ToolRegistryOptions {
  onConflict?: (name: string) => void;
}

export function createToolRegistry(
  providers: readonly ToolProvider[],
  options: ToolRegistryOptions = {},
): ToolProvider {
  let routes = new Map<string, ToolProvider>();

  async function refresh(): Promise<ToolDescriptor[]> {
    const next = new Map<string, ToolProvider>();
    const all: ToolDescriptor[] = [];
    const listed = await Promise.allSettled(providers.map((p) => p.listTools()));
    listed.forEach((result, i) => {
      if (result.status !== 'fulfilled') return; // a provider that failed otherwise offers nothing now
      for (const tool of result.value) {
        if (next.has(tool.name)) {
          options.onConflict?.(tool.name);
          continue;
        }
        next.set(tool.name, providers[i]!);
        all.push(tool);
      }
    });
    routes = next;
    const backendDown = listed.find(
      (r): r is PromiseRejectedResult =>
        r.status === 'rejected' && r.reason instanceof ToolBackendUnavailableError,
    );
    if (backendDown) {
      const { backend, code, reason } = backendDown.reason as ToolBackendUnavailableError;
      throw new ToolBackendUnavailableError(backend, code, reason, {
        cause: backendDown.reason,
        available: all,
      });
    }
    return all;
  }

  return {
    listTools: refresh,
    async callTool(
      name: string,
      args: Record<string, unknown>,
      callOptions?: ToolCallOptions,
    ): Promise<ToolResult> {
      if (!routes.has(name)) await refresh();
      const provider = routes.get(name);
      if (!provider) return { content: `unknown tool ${name}`, isError: true };
      return provider.callTool(name, args, callOptions);
    },
  };
}
