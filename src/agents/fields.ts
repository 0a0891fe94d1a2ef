import { z } from 'zod';
import { AGENT_NAME_PATTERN, TOOL_NAME_PATTERN } from './types.js';

/** Field validators shared by the HTTP API and agent files, so both accept the same agents. */
export const agentName = z
  .string()
  .regex(AGENT_NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9._-]{0,63}$ (lower case, at most 64 characters)');
export const agentType = z.string().trim().min(1).max(64);
export const agentDescription = z.string().max(4096);
export const capability = z.string().trim().min(1).max(64);
export const toolName = z.string().trim().regex(TOOL_NAME_PATTERN, 'tool names match ^[a-zA-Z0-9_.-]{1,64}$');
export const modelName = z.string().trim().min(1).max(200);
export const systemPrompt = z.string().max(200_000);
export const configuration = z.record(z.string(), z.unknown());

/** Lists are capped so a definition cannot grow without bound. */
export const capabilityList = z.array(capability).max(100);
export const toolList = z.array(toolName).max(200);

/** Drops duplicates while keeping the first occurrence's order. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
