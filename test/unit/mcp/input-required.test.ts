import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  MAX_AWAITING_INPUT_PER_PRINCIPAL,
  PendingInputs,
  STALE_REQUEST_STATE,
  type InputRequiredResult,
} from '../../../src/mcp/aggregate/input-required.js';
import { RETRY_LATER } from '../../../src/mcp/errors.js';
import type { Origin } from '../../../src/mcp/upstream/instance.js';

/**
 * The bookkeeping behind `input_required` for 2025-only upstreams (decision 0071): each upstream
 * call is stood in for by a promise that asks once through the registry and resolves with the
 * answer. The HTTP round trips are covered by test/integration/mcp/input-required.test.ts.
 */
const elicit = (signal = new AbortController().signal) => ({
  method: 'elicitation/create' as const,
  params: { message: 'name?' },
  signal,
});

function start(inputs: PendingInputs) {
  const calls: Array<{ origin: Origin; signal: AbortSignal; answer?: Promise<unknown> }> = [];
  const run = (origin: Origin, signal: AbortSignal) => {
    const call: (typeof calls)[number] = { origin, signal };
    calls.push(call);
    call.answer = inputs.ask(origin.session, elicit());
    return call.answer.then((a) => ({ content: [{ type: 'text', text: JSON.stringify(a) }] }));
  };
  return { calls, run };
}

const request = (principal: string, extra: object = {}) => ({
  principal,
  fingerprint: 'tools/call ask',
  capabilities: { elicitation: {} },
  signal: new AbortController().signal,
  ...extra,
});

describe('PendingInputs', () => {
  it('answers a retry’s input to the waiting call and returns its result; the state is good once', async () => {
    const inputs = new PendingInputs(60_000);
    const { run } = start(inputs);
    const first = (await inputs.run(request('a'), run)) as { requestState: string; inputRequests: object };
    const [key] = Object.keys(first.inputRequests);
    const retry = request('a', {
      requestState: first.requestState,
      inputResponses: { [key!]: { action: 'accept' } },
    });
    expect(await inputs.run(retry, run)).toEqual({
      content: [{ type: 'text', text: '{"action":"accept"}' }],
    });
    await expect(inputs.run(retry, run)).rejects.toMatchObject({ code: STALE_REQUEST_STATE });
    inputs.close();
  });

  it('refuses state from another principal or on another request', async () => {
    const inputs = new PendingInputs(60_000);
    const { run } = start(inputs);
    const first = (await inputs.run(request('a'), run)) as { requestState: string };
    await expect(inputs.run(request('b', { requestState: first.requestState }), run)).rejects.toMatchObject({
      code: STALE_REQUEST_STATE,
    });
    const other = request('a', { requestState: first.requestState, fingerprint: 'tools/call other' });
    await expect(inputs.run(other, run)).rejects.toMatchObject({ code: STALE_REQUEST_STATE });
    inputs.close();
  });

  it('lets one principal keep 16 calls waiting; the 17th ask is refused upstream, others are unaffected', async () => {
    const inputs = new PendingInputs(60_000);
    const { calls, run } = start(inputs);
    for (let i = 0; i < MAX_AWAITING_INPUT_PER_PRINCIPAL; i++)
      expect(await inputs.run(request('greedy'), run)).toMatchObject({ resultType: 'input_required' });
    await expect(inputs.run(request('greedy'), run)).rejects.toMatchObject({ code: RETRY_LATER });
    expect(await inputs.run(request('other'), run)).toMatchObject({ resultType: 'input_required' });
    inputs.close();
    // Closing cancels every waiting call: their upstream signals abort.
    expect(calls.filter((c) => c.signal.aborted)).toHaveLength(MAX_AWAITING_INPUT_PER_PRINCIPAL + 1);
  });

  it('leaves no abort listener on the client’s signal after each round', async () => {
    const inputs = new PendingInputs(60_000);
    // An upstream call that asks three times, one after another, before it returns.
    const run = async (origin: Origin) => {
      for (let i = 0; i < 3; i++) await inputs.ask(origin.session, elicit());
      return { content: [] };
    };
    const client = new AbortController();
    let result = await inputs.run(request('a', { signal: client.signal }), run);
    for (let round = 0; round < 3; round++) {
      const { requestState, inputRequests } = result as InputRequiredResult;
      const inputResponses = { [Object.keys(inputRequests)[0]!]: { action: 'accept' } };
      result = await inputs.run(request('a', { signal: client.signal, requestState, inputResponses }), run);
      expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
    }
    expect(result).toEqual({ content: [] });
  });

  it('cancels the upstream call when the client hangs up on a retry that is waiting', async () => {
    const inputs = new PendingInputs(60_000);
    let upstream: AbortSignal | undefined;
    // Asks once, then never returns: the retry waits until its client goes away.
    const run = async (origin: Origin, signal: AbortSignal) => {
      upstream = signal;
      await inputs.ask(origin.session, elicit());
      return new Promise(() => undefined);
    };
    const first = (await inputs.run(request('a'), run)) as InputRequiredResult;
    const client = new AbortController();
    const inputResponses = { [Object.keys(first.inputRequests)[0]!]: { action: 'accept' } };
    const retry = inputs.run(
      request('a', { signal: client.signal, requestState: first.requestState, inputResponses }),
      run,
    );
    client.abort();
    await expect(retry).rejects.toMatchObject({ code: -32603 });
    expect(upstream!.aborted).toBe(true);
    expect(getEventListeners(client.signal, 'abort')).toHaveLength(0);
  });

  it('cancels the upstream call after the wait without a retry', async () => {
    const inputs = new PendingInputs(50);
    const { calls, run } = start(inputs);
    await inputs.run(request('a'), run);
    await new Promise((r) => setTimeout(r, 120));
    expect(calls[0]!.signal.aborted).toBe(true);
    await expect(calls[0]!.answer).rejects.toThrow(/no retry in time/);
  });
});
