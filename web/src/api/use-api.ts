import { useCallback, useEffect, useRef, useState } from 'react';
import { useSession } from './context.js';
import type { LiveEventType } from './events.js';

/** How often a live page refetches while the events stream is disconnected. */
const OFFLINE_POLL_MS = 5000;

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GET `path` (null: nothing yet), refetched when one of `topics` arrives on the events stream
 * (coalesced: at most one refetch per `throttleMs`, so a burst of task updates is one request).
 */
export function useApi<T>(
  path: string | null,
  topics: readonly LiveEventType[] = [],
  throttleMs = 1000,
  accept: readonly number[] = [],
): ApiState<T> {
  const { client, events } = useSession();
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    client.get<T>(path, controller.signal, accept).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error: error as Error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [client, path, tick]);

  const key = topics.join(',');
  useEffect(() => {
    if (!key) return;
    const wanted = new Set([...key.split(','), 'reset']);
    const off = events.on((_data, type) => {
      if (!wanted.has(type) || pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = undefined;
        reload();
      }, throttleMs);
    });
    return () => {
      off();
      clearTimeout(pending.current);
      pending.current = undefined;
    };
  }, [events, key, reload, throttleMs]);

  // While the events stream is down the page would go stale: refetch slowly until it is back.
  useEffect(() => {
    if (!key || path === null) return;
    const t = setInterval(() => {
      if (events.status !== 'live') reload();
    }, OFFLINE_POLL_MS);
    return () => clearInterval(t);
  }, [events, key, path, reload]);

  return { ...state, reload } as ApiState<T>;
}

/** Subscribes to live events of the given types while mounted. */
export function useLive(
  types: readonly LiveEventType[],
  handler: (data: unknown, type: LiveEventType) => void,
): void {
  const { events } = useSession();
  const ref = useRef(handler);
  ref.current = handler;
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    return events.on((data, type) => {
      if (wanted.has(type)) ref.current(data, type);
    });
  }, [events, key]);
}
