import { randomBytes } from 'node:crypto';
import { SutazaiError } from '../errors.js';
import { eventsDropped, eventsPublished, eventStreamsOpen } from '../metrics/index.js';
import { visibleTo, type Audience, type EventType, type PlatformEvent, type Viewer } from './types.js';

/**
 * The in-process fan-out behind GET /api/v1/events (decision 0031). Every event gets an id
 * `<epoch>.<n>`: `epoch` is random per process start, `n` counts up. The last `replaySize` events
 * stay in a ring so a client that reconnects with Last-Event-ID gets what it missed; an id from
 * another process start, or older than the ring, answers `reset` (refetch everything).
 *
 * Bounds: at most `maxStreams` streams in all and `maxStreamsPerUser` per user (429 past
 * either); each stream may have at most `bufferBytes` written but not yet taken by the client;
 * past that it gets `event: reconnect` and is closed (a slow consumer never holds memory).
 */
export interface EventHubOptions {
  replaySize: number;
  bufferBytes: number;
  maxStreams: number;
  maxStreamsPerUser: number;
  /** The retry hint in the `reconnect` event a dropped consumer gets. */
  reconnectRetryMs: number;
}

/** What a stream writes to; the Node response in production, anything in tests. */
export interface StreamSink {
  /** Writes a chunk; the hub drops the stream when `buffered()` passes the cap afterwards. */
  write(chunk: string): void;
  /** Bytes written but not yet flushed to the client. */
  buffered(): number;
  /** Ends the stream (after the last chunk written). */
  end(): void;
}

interface Stored {
  n: number;
  type: EventType;
  audience: Audience;
  frame: string;
}

interface Subscriber {
  viewer: Viewer;
  viewerKey: string;
  sink: StreamSink;
}

export type ResumePlan = { kind: 'live' } | { kind: 'replay'; after: number } | { kind: 'reset' };

export class EventHub {
  readonly epoch = randomBytes(4).toString('hex');
  private n = 0;
  private readonly ring: Stored[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly perViewer = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: EventHubOptions) {}

  get streams(): number {
    return this.subscribers.size;
  }

  /** Assigns the next id, keeps it for replay, and writes it to every stream that may see it. */
  publish(event: PlatformEvent): string {
    const n = ++this.n;
    const id = `${this.epoch}.${n}`;
    const frame = `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    const stored: Stored = { n, type: event.type, audience: event.audience, frame };
    this.ring.push(stored);
    if (this.ring.length > this.options.replaySize) this.ring.shift();
    eventsPublished.inc({ type: event.type });
    for (const sub of this.subscribers) if (visibleTo(sub.viewer, event.audience)) this.send(sub, frame);
    return id;
  }

  /** Where a client that sent `lastEventId` resumes. */
  resumePlan(lastEventId: string | undefined): ResumePlan {
    if (lastEventId === undefined || lastEventId === '') return { kind: 'live' };
    const [epoch, count] = lastEventId.split('.');
    const after = Number(count);
    if (epoch !== this.epoch || !Number.isSafeInteger(after) || after < 0 || after > this.n)
      return { kind: 'reset' };
    const oldest = this.ring[0]?.n ?? this.n + 1;
    // Everything after `after` must still be in the ring, or the client has a gap.
    if (after + 1 < oldest && after < this.n) return { kind: 'reset' };
    return { kind: 'replay', after };
  }

  /**
   * Opens a stream: refuses past the caps, writes the replay (or `reset`), then live events.
   * Returns the function that closes it (idempotent).
   */
  subscribe(viewer: Viewer, viewerKey: string, sink: StreamSink, lastEventId?: string): () => void {
    this.admit(viewerKey);
    const sub: Subscriber = { viewer, viewerKey, sink };
    this.subscribers.add(sub);
    this.perViewer.set(viewerKey, (this.perViewer.get(viewerKey) ?? 0) + 1);
    eventStreamsOpen.set(this.subscribers.size);
    const plan = this.resumePlan(lastEventId);
    if (plan.kind === 'reset') this.send(sub, this.resetFrame());
    if (plan.kind === 'replay')
      for (const e of this.ring)
        if (e.n > plan.after && visibleTo(viewer, e.audience)) this.send(sub, e.frame);
    return () => this.remove(sub);
  }

  /**
   * Tells every stream to refetch everything: events were lost before they reached the hub (the
   * database listener was reconnected). Not kept for replay: a resume point stays valid.
   */
  resetAll(): void {
    const frame = this.resetFrame();
    for (const sub of this.subscribers) this.send(sub, frame);
  }

  private resetFrame(): string {
    return `id: ${this.epoch}.${this.n}\nevent: reset\ndata: {}\n\n`;
  }

  /** Writes a comment line to every stream (heartbeat); slow streams are dropped as for events. */
  heartbeat(): void {
    for (const sub of this.subscribers) this.send(sub, ': hb\n\n');
  }

  /** Ends every stream (shutdown): clients see the end and reconnect to whoever serves next. */
  close(): void {
    this.closed = true;
    for (const sub of [...this.subscribers]) {
      this.remove(sub);
      sub.sink.end();
    }
  }

  /** Throws 429 (SUTAZAI_ERR_EVENTS_TOO_MANY_STREAMS) when one more stream would pass a cap. */
  admit(viewerKey: string): void {
    if (this.closed)
      throw new SutazaiError('SUTAZAI_ERR_SHUTTING_DOWN', {}, { headers: { 'retry-after': '5' } });
    this.checkCaps(viewerKey);
  }

  private checkCaps(viewerKey: string): void {
    const retryAfter = 5;
    const refuse = (scope: string, limit: number) =>
      new SutazaiError(
        'SUTAZAI_ERR_EVENTS_TOO_MANY_STREAMS',
        { scope, limit, retryAfter },
        { headers: { 'retry-after': String(retryAfter) } },
      );
    if (this.subscribers.size >= this.options.maxStreams) throw refuse('total', this.options.maxStreams);
    if ((this.perViewer.get(viewerKey) ?? 0) >= this.options.maxStreamsPerUser)
      throw refuse('per-user', this.options.maxStreamsPerUser);
  }

  private send(sub: Subscriber, frame: string): void {
    if (!this.subscribers.has(sub)) return;
    sub.sink.write(frame);
    if (sub.sink.buffered() <= this.options.bufferBytes) return;
    // A slow consumer: tell it to come back (it resumes from the ring with Last-Event-ID).
    this.remove(sub);
    eventsDropped.inc();
    sub.sink.write(
      `event: reconnect\ndata: ${JSON.stringify({ retry_ms: this.options.reconnectRetryMs })}\n\n`,
    );
    sub.sink.end();
  }

  private remove(sub: Subscriber): void {
    if (!this.subscribers.delete(sub)) return;
    const left = (this.perViewer.get(sub.viewerKey) ?? 1) - 1;
    if (left > 0) this.perViewer.set(sub.viewerKey, left);
    else this.perViewer.delete(sub.viewerKey);
    eventStreamsOpen.set(this.subscribers.size);
  }
}
