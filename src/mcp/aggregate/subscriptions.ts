import type { McpGateway } from '../gateway.js';
import type { Instance } from '../upstream/instance.js';

/**
 * `resources/subscribe` across /mcp sessions: one upstream subscription per (server, URI) shared
 * by every session that asked (per-session servers: one per session, on its own instance); the
 * upstream is unsubscribed when the last of them unsubscribes or ends.
 */
export class Subscriptions {
  private readonly sessionsByKey = new Map<string, Set<string>>();
  /** Keys whose upstream subscription succeeded: the ones a restarted instance must get again. */
  private readonly confirmed = new Set<string>();

  constructor(private readonly gateway: McpGateway) {}

  private key(server: string, uri: string, sessionId: string): string {
    const own = this.gateway.runtime(server).spec.sharing.mode === 'per-session' ? sessionId : '';
    return JSON.stringify([server, uri, own]);
  }

  async subscribe(sessionId: string, server: string, uri: string): Promise<void> {
    const key = this.key(server, uri, sessionId);
    let sessions = this.sessionsByKey.get(key);
    if (!sessions) {
      sessions = new Set();
      this.sessionsByKey.set(key, sessions);
      try {
        await this.gateway.request(server, 'resources/subscribe', { uri }, { sessionKey: sessionId });
        this.confirmed.add(key);
      } catch (err) {
        if (sessions.size === 0) this.sessionsByKey.delete(key);
        throw err;
      }
    }
    sessions.add(sessionId);
  }

  async unsubscribe(sessionId: string, server: string, uri: string): Promise<void> {
    await this.drop(this.key(server, uri, sessionId), sessionId);
  }

  /** The sessions subscribed to `uri` on `server` (`instanceKey`: a per-session instance's session). */
  subscribers(server: string, uri: string, instanceKey: string | null): ReadonlySet<string> {
    const own = instanceKey ?? '';
    return this.sessionsByKey.get(JSON.stringify([server, uri, own])) ?? new Set();
  }

  /**
   * An instance of `server` (re)started: it knows nothing of earlier subscriptions, so every
   * subscription its sessions hold is made again on it (`instanceKey`: a per-session instance's session).
   */
  resubscribe(server: string, instanceKey: string | null, instance: Instance): void {
    for (const key of this.confirmed) {
      const [s, uri, own] = JSON.parse(key) as [string, string, string];
      if (s !== server || own !== (instanceKey ?? '')) continue;
      void instance.request('resources/subscribe', { uri }, { timeout: 5000 }).catch(() => {});
    }
  }

  /** A session ended: its subscriptions go, and upstream ones nobody else holds. */
  endSession(sessionId: string): void {
    for (const [key, sessions] of this.sessionsByKey)
      if (sessions.has(sessionId)) void this.drop(key, sessionId, true).catch(() => {});
  }

  private async drop(key: string, sessionId: string, ended = false): Promise<void> {
    const sessions = this.sessionsByKey.get(key);
    if (!sessions?.delete(sessionId) || sessions.size > 0) return;
    this.sessionsByKey.delete(key);
    this.confirmed.delete(key);
    const [server, uri, own] = JSON.parse(key) as [string, string, string];
    // A per-session instance stops with its session: unsubscribing would start it again.
    if (!this.gateway.supervisor.get(server) || (ended && own)) return;
    await this.gateway
      .request(server, 'resources/unsubscribe', { uri }, { sessionKey: own || sessionId })
      .catch(() => {}); // the upstream may be gone; nothing is left to undo
  }
}
