import type { ToolCallOptions, ToolDescriptor, ToolProvider, ToolResult } from '../tools/types.js';
import type { McpGateway } from './gateway.js';
import type { NameTable } from './aggregate/names.js';

/**
 * The tools contract over the gateway: every allowed tool of every enabled server, named
 * `server__tool` (shortened reversibly when longer than 64). Calls go through the gateway's slots,
 * timeouts and metrics like any other call.
 */
export class McpToolProvider implements ToolProvider {
  constructor(
    private readonly gateway: McpGateway,
    private readonly names: NameTable,
  ) {}

  async listTools(): Promise<ToolDescriptor[]> {
    const out: ToolDescriptor[] = [];
    for (const server of this.gateway.serverNames()) {
      if (!this.gateway.runtime(server).spec.enabled) continue;
      const tools = await this.gateway.listTools(server).catch(() => []);
      for (const t of tools)
        out.push({
          name: this.names.expose(server, t.name),
          description: t.description ?? '',
          inputSchema: t.inputSchema as Record<string, unknown>,
        });
    }
    return out;
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions = {},
  ): Promise<ToolResult> {
    const { server, item } = this.names.resolve(name);
    const result = await this.gateway.callTool(server, item, args, {
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const content = (result.content ?? [])
      .map((c) => (c.type === 'text' ? c.text : `[${c.type}]`))
      .join('\n');
    return {
      content,
      isError: result.isError === true,
      ...(result.structuredContent !== undefined ? { structured: result.structuredContent } : {}),
    };
  }
}
