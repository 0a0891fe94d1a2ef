import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolCall } from '../../llm/index.js';
import type { ToolDescriptor, ToolProvider, ToolResult } from '../../tools/types.js';

/**
 * One tool call: allowed-list check, JSON Schema validation (ajv), then the provider call under a
 * timeout. Every failure becomes a tool result the model can read and repair, never a throw.
 */
export class ToolStepRunner {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly tools: ToolProvider,
    private readonly offered: Map<string, ToolDescriptor>,
    private readonly timeoutMs: number,
  ) {}

  async run(call: ToolCall, signal: AbortSignal): Promise<{ result: ToolResult; error: string | null }> {
    const tool = this.offered.get(call.name);
    if (!tool) {
      const names = [...this.offered.keys()].join(', ') || 'none';
      return fail(
        `Tool ${call.name} is not available to this agent. Available tools: ${names}.`,
        'not_allowed',
      );
    }
    const problems = this.validate(tool, call.arguments);
    if (problems) {
      return fail(
        `Invalid arguments for ${call.name}: ${problems}. Call ${call.name} again with arguments matching its JSON Schema: ${JSON.stringify(tool.inputSchema)}`,
        'validation',
      );
    }
    try {
      const result = await this.tools.callTool(call.name, call.arguments, {
        signal,
        timeoutMs: this.timeoutMs,
      });
      return { result, error: result.isError ? 'tool_error' : null };
    } catch (err) {
      if (signal.aborted) throw err;
      return fail(`Tool ${call.name} failed: ${(err as Error).message}`, 'tool_exception');
    }
  }

  private validate(tool: ToolDescriptor, args: Record<string, unknown>): string | null {
    let validator = this.validators.get(tool.name);
    if (!validator) {
      validator = this.ajv.compile(tool.inputSchema);
      this.validators.set(tool.name, validator);
    }
    if (validator(args)) return null;
    return (validator.errors ?? [])
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
      .join('; ');
  }
}

function fail(content: string, error: string): { result: ToolResult; error: string } {
  return { result: { content, isError: true }, error };
}
