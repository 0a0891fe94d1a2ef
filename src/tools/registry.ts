import type { ToolCallOptions, ToolDescriptor, ToolProvider, ToolResult } from './types.js';

/**
 * A composite ToolProvider over several providers (built-ins, the MCP gateway…). Names must be
 * unique; on a clash the earlier provider wins and the later tool is hidden (reported through
 * `onConflict`). Calls route by name; an unknown name refreshes the listing once, then answers
 * an error result rather than throwing, so the model can recover.
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
      if (result.status !== 'fulfilled') return; // a provider that is down offers no tools right now
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
