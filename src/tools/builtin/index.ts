import type { HttpFetchToolConfig } from '../../config/schema.js';
import type { ToolCallOptions, ToolDescriptor, ToolProvider, ToolResult } from '../types.js';
import { httpFetch, httpFetchDescriptor } from './http-fetch.js';
import { timeNow, timeNowDescriptor } from './time-now.js';

export { isBlockedAddress, resolveAllowed, SsrfError } from './ssrf-guard.js';

/** The in-process tools: `http.fetch` and `time.now`. Arguments are validated by the caller. */
export function createBuiltinTools(config: HttpFetchToolConfig, now?: () => Date): ToolProvider {
  return {
    async listTools(): Promise<ToolDescriptor[]> {
      return [httpFetchDescriptor, timeNowDescriptor];
    },
    async callTool(
      name: string,
      args: Record<string, unknown>,
      options?: ToolCallOptions,
    ): Promise<ToolResult> {
      if (name === 'http.fetch') return httpFetch(args as { url: string }, config, options);
      if (name === 'time.now') return timeNow(args as { timezone?: string }, now);
      return { content: `unknown tool ${name}`, isError: true };
    },
  };
}
