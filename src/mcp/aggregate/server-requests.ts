import { ProtocolError, type ClientCapabilities, type StandardSchemaV1 } from '@modelcontextprotocol/client';
import type { Server } from '@modelcontextprotocol/server';
import { plainMessage, RETRY_LATER } from '../errors.js';
import { SERVER_REQUESTS, type UpstreamRequest } from '../upstream/connect.js';
import type { Origin } from '../upstream/instance.js';
import type { NodeSessionTransport } from './http-transport.js';
import type { PendingInputs } from './input-required.js';

/** A client session a server-to-client request can be relayed to. */
export interface RelayTarget {
  server: Server;
  transport: NodeSessionTransport;
  /** Server-to-client requests relayed to it and not yet answered. */
  pendingServerRequests: number;
}

/** Results are relayed as the client sent them; the upstream's own SDK validates them. */
const AS_IS: StandardSchemaV1 = {
  '~standard': { version: 1, vendor: 'sutazai', validate: (value) => ({ value }) },
};

/** At most this many unanswered server-to-client requests per client session. */
export const MAX_PENDING_SERVER_REQUESTS = 16;
/** URL-mode elicitations remembered until their completion notice; the oldest is forgotten first. */
export const MAX_OPEN_URL_ELICITATIONS = 1024;

/**
 * Relays sampling, elicitation and roots requests from an upstream instance to the /mcp client
 * session behind them, and the answer back (decision 0040).
 *
 * Which session: a per-session instance's own session; for a shared instance, the session whose
 * call is in flight on it (the most recent one whose client declared the capability, when several
 * are — stdio carries no link from a server request to the call that caused it). The request goes
 * on that call's stream; with no call in flight (per-session only) on the session's GET stream.
 * Refused with the protocol's errors: -32601 when no client session is related or it lacks the
 * capability; -32005 with `retryAfter` when the session already has 16 unanswered; -32603 when
 * the session has no stream to receive it. Bounded by `timeoutMs`.
 */
export class ServerRequestRelay {
  /** URL-mode elicitations relayed and not completed yet: `server` NUL `elicitationId` → session. */
  private readonly urlElicitations = new Map<string, string>();

  constructor(
    private readonly lookup: (sessionId: string) => RelayTarget | undefined,
    private readonly timeoutMs: number,
    /** Stateless 2026-07-28 calls: their requests become `input_required` results. */
    private readonly inputs?: PendingInputs,
  ) {}

  async relay(
    key: string | null,
    request: UpstreamRequest,
    origins: Origin[],
    server = '',
  ): Promise<unknown> {
    const capability = SERVER_REQUESTS[request.method];
    const capabilitiesOf = (session: string) =>
      this.inputs?.capabilities(session) ?? this.lookup(session)?.server.getClientCapabilities();
    const declared = (o: { session: string }) => capability in (capabilitiesOf(o.session) ?? {});
    // A stateless call's origin is its own whatever the instance key (per-session servers: 'default').
    const live = origins.filter(
      (o) => this.inputs?.has(o.session) || ((key === null || o.session === key) && this.lookup(o.session)),
    );
    // A stateless call whose client is thinking about its input sent nothing new: prefer the others.
    const capable = live.filter(declared);
    const origin =
      capable.filter((o) => !this.inputs?.awaitingClient(o.session)).at(-1) ?? capable.at(-1) ?? live.at(-1);
    const sessionId = origin?.session ?? (key !== null && this.lookup(key) ? key : undefined);
    if (!sessionId)
      throw new ProtocolError(-32601, `${request.method}: no client request on the gateway is related to it`);
    if (!declared({ session: sessionId }))
      throw new ProtocolError(
        -32601,
        `${request.method}: the client did not declare the ${capability} capability`,
      );
    const urlMode = request.method === 'elicitation/create' && request.params.mode === 'url';
    if (urlMode && !capabilitiesOf(sessionId)?.elicitation?.url)
      throw new ProtocolError(-32601, `${request.method}: the client did not declare URL-mode elicitation`);
    if (this.inputs?.has(sessionId)) return this.inputs.ask(sessionId, request);
    const target = this.lookup(sessionId)!;
    const rid = origin?.requestId;
    if (!target.transport.canDeliver(rid))
      throw new ProtocolError(-32603, `${request.method}: the client has no open stream to receive it`);
    if (target.pendingServerRequests >= MAX_PENDING_SERVER_REQUESTS)
      throw new ProtocolError(RETRY_LATER, `${request.method}: the client has too many unanswered requests`, {
        retryAfter: 1,
      });
    if (urlMode) this.rememberUrlElicitation(server, request.params.elicitationId, sessionId);
    target.pendingServerRequests++;
    try {
      return await target.server.request({ method: request.method, params: request.params } as never, AS_IS, {
        ...(rid === undefined ? {} : { relatedRequestId: rid }),
        signal: request.signal,
        timeout: this.timeoutMs,
      });
    } catch (err) {
      throw asProtocolError(err);
    } finally {
      target.pendingServerRequests--;
    }
  }

  /**
   * `notifications/elicitation/complete` from `server`: goes to the session its URL-mode
   * elicitation was relayed to, once; a notice for an elicitation it never relayed is dropped.
   */
  elicitationComplete(server: string, params: Record<string, unknown>): void {
    const key = `${server}\0${String(params.elicitationId)}`;
    const sessionId = this.urlElicitations.get(key);
    if (sessionId === undefined) return;
    this.urlElicitations.delete(key);
    void this.lookup(sessionId)
      ?.server.notification({ method: 'notifications/elicitation/complete', params: params as never })
      .catch(() => {});
  }

  /** A session ended: its URL-mode elicitations can no longer be completed for it. */
  endSession(sessionId: string): void {
    for (const [key, session] of this.urlElicitations)
      if (session === sessionId) this.urlElicitations.delete(key);
  }

  private rememberUrlElicitation(server: string, elicitationId: unknown, sessionId: string): void {
    if (typeof elicitationId !== 'string') return;
    if (this.urlElicitations.size >= MAX_OPEN_URL_ELICITATIONS)
      this.urlElicitations.delete(this.urlElicitations.keys().next().value!);
    this.urlElicitations.set(`${server}\0${elicitationId}`, sessionId);
  }
}

/** The client's error keeps its code and data; a timeout or a closed session is -32603 with why. */
function asProtocolError(err: unknown): ProtocolError {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  const message = plainMessage(String(e?.message ?? err));
  if (typeof e?.code === 'number' && Number.isInteger(e.code) && e.code < 0)
    return new ProtocolError(e.code, message, e.data);
  return new ProtocolError(-32603, message);
}

export type { ClientCapabilities };
