import pino from 'pino';
import { LlmConfigSchema, type LlmConfig } from '../../../src/config/schema.js';
import { createLlmService, type LlmService } from '../../../src/llm/index.js';

export const silent = pino({ level: 'silent' });

/** Test-sized settings: short backoff and breaker windows so suites stay fast. */
export function llmConfig(url: string, overrides: Partial<LlmConfig> = {}): LlmConfig {
  return LlmConfigSchema.parse({
    ollamaHost: url,
    defaultModel: 'tinyllama',
    retryBaseMs: 5,
    breakerOpenMs: 200,
    connectTimeoutMs: 2000,
    firstTokenTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    ...overrides,
  });
}

export function service(url: string, overrides: Partial<LlmConfig> = {}): LlmService {
  return createLlmService({ config: { llm: llmConfig(url, overrides) }, logger: silent });
}
