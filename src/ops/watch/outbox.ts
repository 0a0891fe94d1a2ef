import type { Finding } from '../types.js';
import { FileOutboxStore, type OutboxStore } from './outbox-store.js';
import {
  actionBody,
  postWebhook,
  wants,
  webhookBody,
  type ActionKind,
  type ActionReport,
  type AlertKind,
  type WebhookTarget,
} from './webhooks.js';

/**
 * The alert outbox: alerts are delivered, not just attempted (issue 14).
 *
 * Episodes: a finding (by fingerprint) opens an episode when it appears and closes it when it
 * resolves; each opening queues one `finding:new` and each closing one `finding:resolved` per
 * webhook that wants it. A finding that resolves and returns opens a new episode and is alerted
 * again; a persisting one never is. Entries leave the queue only after a 2xx; failures retry with
 * exponential backoff, and a webhook's entries go out strictly in order (a failed head holds back
 * the rest of that webhook's queue). Episodes and queue are one JSON document in an OutboxStore
 * (the platform's database inside `sutazai up`, a file in the data dir for the CLI), written
 * atomically after every change, so a restart neither loses nor re-posts alerts.
 *
 * Actions the platform took by itself (an optimizer auto step) are queued with `report`: no
 * episode, sent to every webhook whatever its minSeverity, delivered and retried the same way.
 *
 * Entry states: queued → (2xx) gone | (failure) queued with attempts+1 and nextAt in the future.
 */
export interface OutboxEntry {
  id: number;
  webhook: string;
  kind: AlertKind;
  fingerprint: string;
  episode: number;
  /** The finding of a finding:* entry. */
  finding?: Finding;
  /** The action of an action entry (`optimizer:step`). */
  report?: ActionReport;
  attempts: number;
  nextAt: number;
  lastError?: string;
}

interface OutboxData {
  seq: number;
  /** Per fingerprint: the episode count, whether one is open, and the finding as last opened. */
  episodes: Record<string, { open: boolean; episode: number; finding: Finding }>;
  queue: OutboxEntry[];
}

export interface OutboxOptions {
  /** Where the document lives; `file` is shorthand for a FileOutboxStore. */
  store?: OutboxStore;
  file?: string;
  targets: WebhookTarget[];
  retry: { minMs: number; maxMs: number };
  now?: () => number;
  timeoutMs?: number;
}

export interface DeliveryFailure {
  /** The webhook without credentials or query: safe to log. */
  webhook: string;
  kind: AlertKind;
  fingerprint: string;
  attempts: number;
  error: string;
}

/** A webhook URL fit for logs: no user info, no query string (tokens live there). */
export function webhookName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

export class AlertOutbox {
  private data: OutboxData = { seq: 0, episodes: {}, queue: [] };
  private loaded: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly store: OutboxStore;

  constructor(private readonly opts: OutboxOptions) {
    this.now = opts.now ?? Date.now;
    if (opts.store) this.store = opts.store;
    else if (opts.file) this.store = new FileOutboxStore(opts.file);
    else throw new Error('AlertOutbox needs a store or a file');
  }

  load(): Promise<void> {
    this.loaded ??= this.store.read().then(
      (text) => {
        if (text !== undefined)
          this.data = { seq: 0, episodes: {}, queue: [], ...(JSON.parse(text) as Partial<OutboxData>) };
      },
      () => undefined,
    );
    return this.loaded;
  }

  isOpen(fingerprint: string): boolean {
    return this.data.episodes[fingerprint]?.open === true;
  }

  /** The finding an episode was opened for. */
  findingOf(fingerprint: string): Finding | undefined {
    return this.data.episodes[fingerprint]?.finding;
  }

  openFingerprints(): string[] {
    return Object.entries(this.data.episodes)
      .filter(([, e]) => e.open)
      .map(([k]) => k);
  }

  /** Opens an episode for the finding and queues its NEW alerts; false when already open. */
  open(f: Finding): boolean {
    if (this.isOpen(f.fingerprint)) return false;
    const episode = (this.data.episodes[f.fingerprint]?.episode ?? 0) + 1;
    this.data.episodes[f.fingerprint] = { open: true, episode, finding: f };
    this.enqueue('finding:new', f, episode);
    return true;
  }

  /** Closes the episode and queues its RESOLVED alerts; the finding, or undefined when none was open. */
  resolve(fingerprint: string): Finding | undefined {
    const e = this.data.episodes[fingerprint];
    if (!e?.open) return undefined;
    e.open = false;
    this.enqueue('finding:resolved', e.finding, e.episode);
    return e.finding;
  }

  /** Queues an action report for every webhook (not filtered by severity: it is not a finding). */
  report(kind: ActionKind, key: string, report: ActionReport): void {
    for (const t of this.opts.targets)
      this.data.queue.push({
        id: ++this.data.seq,
        webhook: t.url,
        kind,
        fingerprint: key,
        episode: 0,
        report,
        attempts: 0,
        nextAt: 0,
      });
  }

  pending(): OutboxEntry[] {
    return structuredClone(this.data.queue);
  }

  private enqueue(kind: AlertKind, f: Finding, episode: number): void {
    for (const t of this.opts.targets.filter((w) => wants(w, f)))
      this.data.queue.push({
        id: ++this.data.seq,
        webhook: t.url,
        kind,
        fingerprint: f.fingerprint,
        episode,
        finding: f,
        attempts: 0,
        nextAt: 0,
      });
  }

  private saving: Promise<void> = Promise.resolve();

  /** Writes are serialised (a pass and a retry may both save); each store write is atomic. */
  save(): Promise<void> {
    const snapshot = JSON.stringify(this.data);
    const write = () => this.store.write(snapshot);
    this.saving = this.saving.then(write, write);
    return this.saving;
  }

  /** Posts every due entry, per webhook in order; returns the failures of this round. */
  async deliver(): Promise<DeliveryFailure[]> {
    const failures: DeliveryFailure[] = [];
    for (const target of this.opts.targets) {
      for (const entry of this.data.queue.filter((e) => e.webhook === target.url)) {
        if (entry.nextAt > this.now()) break; // keeps this webhook's order
        const body = entry.report
          ? actionBody(target, entry.kind as ActionKind, entry.report)
          : webhookBody(target, entry.kind, entry.finding!);
        const error = await postWebhook(target, body, this.opts.timeoutMs);
        if (error === undefined) {
          this.data.queue = this.data.queue.filter((e) => e.id !== entry.id);
          await this.save();
          continue;
        }
        entry.attempts++;
        entry.lastError = error;
        entry.nextAt =
          this.now() + Math.min(this.opts.retry.maxMs, this.opts.retry.minMs * 2 ** (entry.attempts - 1));
        await this.save();
        failures.push({
          webhook: webhookName(target.url),
          kind: entry.kind,
          fingerprint: entry.fingerprint,
          attempts: entry.attempts,
          error,
        });
        break;
      }
    }
    // Entries for webhooks no longer configured would wait forever: drop them.
    const urls = new Set(this.opts.targets.map((t) => t.url));
    this.data.queue = this.data.queue.filter((e) => urls.has(e.webhook));
    return failures;
  }
}
