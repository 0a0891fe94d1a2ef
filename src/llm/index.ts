export { createLlmService, LlmService, collect } from './service.js';
export type {
  LlmServiceDeps,
  ChatOptions,
  ChatOutcome,
  BatchItem,
  BackendModels,
  BackendOverview,
} from './service.js';
export { LlmError, isLlmError, toSutazaiError } from './errors.js';
export type { LlmErrorKind } from './errors.js';
export { CircuitBreaker, type BreakerState } from './breaker.js';
export { ModelLimiter } from './limiter.js';
export { MemoryLruCache, RedisResponseCache, cacheKey, type ResponseCache } from './cache.js';
export { OllamaBackend } from './ollama-backend.js';
export { OpenAiBackend } from './openai-backend.js';
export { LineDecoder, SseDecoder, ndjson, sse } from './decoders.js';
export { ConversationStore } from './conversations.js';
export type { Conversation, StoredMessage } from './conversations.js';
export {
  prepareChat,
  persistTurn,
  inputMessages,
  type ChatInput,
  type PreparedChat,
} from './chat-session.js';
export { openEventStream, clientSignal, type EventWriter } from './event-stream.js';
export type * from './types.js';
