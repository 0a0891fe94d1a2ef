import type { ApiClient } from './client.js';
import { readSse, SseParser, type SseEvent } from './sse.js';

export type LiveEventType = 'task' | 'task_step' | 'mcp' | 'health' | 'doctor' | 'reset';
export type Listener = (data: unknown, type: LiveEventType) => void;
export type StreamStatus = 'connecting' | 'live' | 'offline';

/** Delay before reconnect attempt n (0-based): 1 s doubling to 30 s, with ±20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The live events stream (GET /api/v1/events) read with fetch so it can carry the Authorization
 * header. Reconnects with backoff and Last-Event-ID; `reset` (resume point too old) and a fresh
 * connection both tell listeners to refetch everything; `reconnect` honours the server's retry_ms.
 */
export class EventStream {
  private listeners = new Set<Listener>();
  private statusListeners = new Set<(s: StreamStatus) => void>();
  private controller: AbortController | undefined;
  private parser = new SseParser();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  status: StreamStatus = 'offline';

  constructor(private readonly client: ApiClient) {}

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.setStatus('offline');
  }

  private setStatus(s: StreamStatus): void {
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private emit(type: LiveEventType, data: unknown): void {
    for (const l of this.listeners) l(data, type);
  }

  private async connect(): Promise<void> {
    this.controller = new AbortController();
    this.setStatus('connecting');
    let retryMs: number | undefined;
    try {
      const last = this.parser.lastEventId;
      const res = await this.client.send('GET', '/api/v1/events', undefined, {
        signal: this.controller.signal,
        headers: { accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) },
      });
      if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
      this.attempt = 0;
      this.setStatus('live');
      // Whatever happened while we were away is unknown unless the server replays it.
      if (!last) this.emit('reset', null);
      await readSse(res.body, (e) => (retryMs = this.handle(e) ?? retryMs), this.parser);
    } catch {
      // network error, abort or refusal: fall through to the reconnect
    }
    if (this.stopped) return;
    this.setStatus('offline');
    const delay = retryMs ?? backoffMs(this.attempt++);
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  /** Dispatches one event; returns a retry delay when the server asked for one. */
  private handle(e: SseEvent): number | undefined {
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      return undefined;
    }
    if (e.event === 'reconnect') {
      const ms = (data as { retry_ms?: unknown }).retry_ms;
      return typeof ms === 'number' ? ms : undefined;
    }
    this.emit(e.event as LiveEventType, data);
    return undefined;
  }
}
