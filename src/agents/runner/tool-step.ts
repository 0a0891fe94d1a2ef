import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolCall } from '../../llm/index.js';
import {
  ToolBackendUnavailableError,
  type ToolDescriptor,
  type ToolProvider,
  type ToolResult,
} from '../../tools/types.js';

/**
 * One tool call: allowed-list check, JSON Schema validation (ajv), then the provider call under a
 * timeout. Every failure of the tool becomes a tool result the model can read and repair; only a
 * provider that cannot answer at all (ToolBackendUnavailableError) or an abort throws.
 */
export class ToolStepRunner {
  constructor(
    private readonly tools: ToolProvider,
    private readonly offered: Map<string, ToolDescriptor>,
    private readonly timeoutMs: number,
    private readonly validators: SchemaValidators,
  ) {}

  async run(
    call: ToolCall,
    signal: AbortSignal,
    requester: 'admin' | 'user' = 'user',
  ): Promise<{ result: ToolResult; error: string | null }> {
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
        requester,
      });
      return { result, error: result.isError ? 'tool_error' : null };
    } catch (err) {
      if (signal.aborted || err instanceof ToolBackendUnavailableError) throw err;
      return fail(`Tool ${call.name} failed: ${(err as Error).message}`, 'tool_exception');
    }
  }

  private validate(tool: ToolDescriptor, args: Record<string, unknown>): string | null {
    const validator = this.validators.get(tool);
    if (validator(args)) return null;
    return (validator.errors ?? [])
      .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
      .join('; ');
  }
}

/**
 * Compiled validators shared by every task a runner works: compiling a schema costs milliseconds,
 * so it happens once per (tool, schema), with a cap so changing MCP schemas cannot grow it forever.
 */
export class SchemaValidators {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly maxEntries = 1000) {}

  get(tool: ToolDescriptor): ValidateFunction {
    const key = `${tool.name}\u0000${JSON.stringify(tool.inputSchema)}`;
    let validator = this.cache.get(key);
    if (!validator) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      validator = this.ajv.compile(tool.inputSchema);
      this.cache.set(key, validator);
    }
    return validator;
  }
}

function fail(content: string, error: string): { result: ToolResult; error: string } {
  return { result: { content, isError: true }, error };
}
