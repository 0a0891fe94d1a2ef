import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatResult } from './types.js';

/**
 * Chat response cache keyed on model, messages, tools and options. Two implementations: an
 * in-process LRU with an entry cap and TTL, and Redis (shared across processes) with the same TTL.
 */
export interface ResponseCache {
  get(key: string): Promise<ChatResult | undefined>;
  set(key: string, value: ChatResult): Promise<void>;
  close(): Promise<void>;
}

export function cacheKey(parts: {
  model: string;
  messages: unknown;
  tools?: unknown;
  options?: unknown;
}): string {
  const canonical = JSON.stringify([
    parts.model,
    parts.messages,
    parts.tools ?? null,
    sortKeys(parts.options ?? {}),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

export class MemoryLruCache implements ResponseCache {
  private readonly entries = new Map<string, { value: ChatResult; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<ChatResult | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry); // most recently used goes last
    return structuredClone(entry.value);
  }

  async set(key: string, value: ChatResult): Promise<void> {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value: structuredClone(value), expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

export class RedisResponseCache implements ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly prefix = 'sutazai:llm:cache:',
  ) {}

  async get(key: string): Promise<ChatResult | undefined> {
    const text = await this.redis.get(this.prefix + key);
    return text ? (JSON.parse(text) as ChatResult) : undefined;
  }

  async set(key: string, value: ChatResult): Promise<void> {
    await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', this.ttlSeconds);
  }

  /** The connection belongs to the caller (the composition root); nothing to close here. */
  async close(): Promise<void> {}
}
