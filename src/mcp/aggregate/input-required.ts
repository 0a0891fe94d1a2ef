import { randomBytes } from 'node:crypto';
import { ProtocolError, type ClientCapabilities } from '@modelcontextprotocol/server';
import { RETRY_LATER } from '../errors.js';
import type { UpstreamRequest } from '../upstream/connect.js';
import type { Origin } from '../upstream/instance.js';

/** Origins of stateless calls start with this; the rest is the pending call's id. */
const ORIGIN_PREFIX = 'input:';
/** Calls one principal may have waiting for its input at once; one more ask is refused upstream. */
export const MAX_AWAITING_INPUT_PER_PRINCIPAL = 16;
/** Calls waiting for input across all principals. */
export const MAX_AWAITING_INPUT = 1024;
/** The code a retry gets whose `requestState` names no waiting call (as for tampered state). */
export const STALE_REQUEST_STATE = -32602;

/** What the client sent in one stateless request of a multi-round-trip method. */
export interface RoundTripRequest {
  /** Who asked (API key, user or client address): state is never honoured for anyone else. */
  principal: string;
  /** The method and its salient parameters: state is honoured only on the same request. */
  fingerprint: string;
  capabilities: ClientCapabilities;
  requestState?: string;
  inputResponses?: Record<string, unknown>;
  /** Aborted when the client goes away: the upstream call is cancelled. */
  signal: AbortSignal;
}

/** The 2026-07-28 answer that asks the client for input and to retry with `requestState`. */
export interface InputRequiredResult {
  resultType: 'input_required';
  inputRequests: Record<string, { method: string; params: Record<string, unknown> }>;
  requestState: string;
  [key: string]: unknown;
}

interface Ask {
  method: string;
  params: Record<string, unknown>;
  answer(value: unknown): void;
  fail(err: Error): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * One upstream call made for a stateless request, kept while it waits for the client's input.
 * States: running (no ask) → awaiting (asks sent as `input_required`, timer armed) → running again
 * on a valid retry (the answers go upstream) … → settled (result returned to the retry that finds
 * it) or expired (cancelled upstream after `waitMs` without a retry, or the client hung up).
 */
class PendingCall {
  readonly id = randomBytes(16).toString('base64url');
  readonly abort = new AbortController();
  /** Unanswered asks by the key the client answers them under. */
  readonly asks = new Map<string, Ask>();
  round = 0;
  awaiting = false;
  outcome?: Outcome;
  timer?: NodeJS.Timeout;
  private asked = 0;
  private wake?: () => void;

  constructor(readonly request: Omit<RoundTripRequest, 'signal' | 'requestState' | 'inputResponses'>) {}

  settle(outcome: Outcome): void {
    this.outcome = outcome;
    this.wakeUp();
  }

  add(ask: Ask): string {
    const key = `${ask.method.split('/')[0]}-${++this.asked}`;
    this.asks.set(key, ask);
    this.wakeUp();
    return key;
  }

  /** Resolves once the call has settled or has asks for the client (false: the client hung up). */
  async next(signal: AbortSignal): Promise<boolean> {
    if (!this.outcome && this.asks.size === 0) {
      // Woken by the call or by the client hanging up; the listener goes with the round, so a
      // signal that outlives several rounds does not gather one per round.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = () => resolve()));
      this.wake = wake;
      signal.addEventListener('abort', wake, { once: true });
      await woken;
      signal.removeEventListener('abort', wake);
      this.wake = undefined;
      // Asks sent together (a tool asking for two things at once) go to the client together.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return !signal.aborted || this.outcome !== undefined;
  }

  private wakeUp(): void {
    this.wake?.();
  }
}

/**
 * Turns server-to-client requests from upstreams the gateway speaks 2025-11-25 to (stdio children,
 * remote servers without the 2026 revision) into the 2026-07-28 `input_required` result of the
 * stateless request that caused them, and the client's retry into their answers (issue 15;
 * decision 0071).
 *
 * The upstream call stays open in the gateway between the result and the retry: `requestState` is
 * a random handle to it (plus the round, so each state is good for one retry), honoured only for
 * the same principal and the same request. A call waits `waitMs` for the retry; then it is
 * cancelled upstream (`notifications/cancelled`) and its state is refused with -32602, as is state
 * that was tampered with or already used. At most 16 calls per principal (1,024 in all) wait at
 * once; a further ask is refused to the upstream with -32005.
 */
export class PendingInputs {
  private readonly calls = new Map<string, PendingCall>();

  constructor(private readonly waitMs: number) {}

  /** Whether `session` (an origin's) is a stateless call of this registry. */
  has(session: string): boolean {
    return this.callOf(session) !== undefined;
  }

  /** Whether `session` is a stateless call whose client has its input requests and no retry came yet. */
  awaitingClient(session: string): boolean {
    return this.callOf(session)?.timer !== undefined;
  }

  capabilities(session: string): ClientCapabilities | undefined {
    return this.callOf(session)?.request.capabilities;
  }

  /**
   * Serves one stateless request: a first request starts the upstream call with `start`; a retry
   * (with `requestState`) answers the asks it carries responses for. Either returns the call's
   * result once it has one, or `input_required` with the asks still unanswered.
   */
  async run(
    request: RoundTripRequest,
    start: (origin: Origin, signal: AbortSignal) => Promise<unknown>,
  ): Promise<unknown> {
    const call = request.requestState === undefined ? this.begin(request, start) : this.resume(request);
    if (!(await call.next(request.signal))) {
      this.expire(call, 'the client hung up');
      throw new ProtocolError(-32603, 'cancelled: the client closed the request');
    }
    if (call.outcome) {
      this.forget(call);
      if (call.outcome.ok) return call.outcome.value;
      throw call.outcome.error;
    }
    call.timer = setTimeout(() => this.expire(call, 'no retry in time'), this.waitMs);
    call.timer.unref();
    const inputRequests: InputRequiredResult['inputRequests'] = {};
    for (const [key, ask] of call.asks) inputRequests[key] = { method: ask.method, params: ask.params };
    return {
      resultType: 'input_required',
      inputRequests,
      requestState: `${call.id}.${call.round}`,
    } satisfies InputRequiredResult;
  }

  /** A server-to-client request from the upstream call behind `session`: resolves to the client's answer. */
  ask(session: string, request: UpstreamRequest): Promise<unknown> {
    const call = this.callOf(session);
    if (!call) return Promise.reject(new ProtocolError(-32601, `${request.method}: the request has ended`));
    if (!call.awaiting) {
      const waiting = [...this.calls.values()].filter((c) => c.awaiting);
      const mine = waiting.filter((c) => c.request.principal === call.request.principal);
      if (mine.length >= MAX_AWAITING_INPUT_PER_PRINCIPAL || waiting.length >= MAX_AWAITING_INPUT)
        return Promise.reject(
          new ProtocolError(
            RETRY_LATER,
            `${request.method}: too many requests are waiting for client input`,
            {
              retryAfter: Math.ceil(this.waitMs / 1000),
            },
          ),
        );
      call.awaiting = true;
    }
    return new Promise((resolve, reject) => {
      const key = call.add({ method: request.method, params: request.params, answer: resolve, fail: reject });
      request.signal.addEventListener('abort', () => {
        if (call.asks.delete(key)) reject(new ProtocolError(-32603, 'cancelled by the server'));
      });
    });
  }

  /** The stateless call an origin's `session` names; undefined for a /mcp session's id. */
  private callOf(session: string): PendingCall | undefined {
    return session.startsWith(ORIGIN_PREFIX)
      ? this.calls.get(session.slice(ORIGIN_PREFIX.length))
      : undefined;
  }

  /** Cancels every waiting call (the gateway is closing). */
  close(): void {
    for (const call of [...this.calls.values()]) this.expire(call, 'the gateway is closing');
  }

  private begin(
    request: RoundTripRequest,
    start: (origin: Origin, signal: AbortSignal) => Promise<unknown>,
  ): PendingCall {
    const { principal, fingerprint, capabilities } = request;
    const call = new PendingCall({ principal, fingerprint, capabilities });
    this.calls.set(call.id, call);
    start({ session: ORIGIN_PREFIX + call.id }, call.abort.signal).then(
      (value) => call.settle({ ok: true, value }),
      (error: unknown) => call.settle({ ok: false, error }),
    );
    return call;
  }

  /** The call a retry's `requestState` names, with the retry's answers given to its asks. */
  private resume(request: RoundTripRequest): PendingCall {
    const [id = '', round] = String(request.requestState).split('.');
    const call = this.calls.get(id);
    if (
      !call ||
      String(call.round) !== round ||
      call.request.principal !== request.principal ||
      call.request.fingerprint !== request.fingerprint
    )
      throw new ProtocolError(
        STALE_REQUEST_STATE,
        `requestState is unknown, expired (input is awaited ${Math.round(this.waitMs / 1000)} s) or ` +
          'already used, or belongs to another request: send the request again without it',
        { requestState: request.requestState },
      );
    clearTimeout(call.timer);
    call.timer = undefined;
    call.round++;
    for (const [key, value] of Object.entries(request.inputResponses ?? {})) {
      const ask = call.asks.get(key);
      if (!ask || value === null || typeof value !== 'object') continue;
      call.asks.delete(key);
      ask.answer(value);
    }
    return call;
  }

  private expire(call: PendingCall, why: string): void {
    this.forget(call);
    call.abort.abort(new Error(why));
    for (const ask of call.asks.values())
      ask.fail(new ProtocolError(-32603, `client input not given: ${why}`));
    call.asks.clear();
  }

  private forget(call: PendingCall): void {
    clearTimeout(call.timer);
    this.calls.delete(call.id);
  }
}
