import type { HttpFetchToolConfig } from '../../config/schema.js';
import { createOutboundGuard, type OutboundGuard } from '../../net/index.js';
import type { ToolCallOptions, ToolDescriptor, ToolProvider, ToolResult } from '../types.js';
import { httpFetch, httpFetchDescriptor } from './http-fetch.js';
import { timeNow, timeNowDescriptor } from './time-now.js';

/**
 * The in-process tools: `http.fetch` (through the outbound guard) and `time.now`. Arguments are
 * validated by the caller.
 */
export function createBuiltinTools(
  config: HttpFetchToolConfig,
  options: { guard?: OutboundGuard; now?: () => Date } = {},
): ToolProvider {
  const guard = options.guard ?? createOutboundGuard({ allow: config.allowPrivateHosts });
  const now = options.now;
  return {
    async listTools(): Promise<ToolDescriptor[]> {
      return [httpFetchDescriptor, timeNowDescriptor];
    },
    async callTool(
      name: string,
      args: Record<string, unknown>,
      options?: ToolCallOptions,
    ): Promise<ToolResult> {
      if (name === 'http.fetch') return httpFetch(args as { url: string }, config, guard, options);
      if (name === 'time.now') return timeNow(args as { timezone?: string }, now);
      return { content: `unknown tool ${name}`, isError: true };
    },
  };
}
