import { useRef, useState } from 'react';
import { errorOf } from '../../api/client.js';
import { useSession } from '../../api/context.js';
import { readSse } from '../../api/sse.js';
import type { ChatEntry } from './message-view.js';

interface DoneEvent {
  conversation_id: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  durations_ms?: { total?: number };
}

/** Streams one answer from POST /api/v1/chat/stream into `entries`; `stop` aborts it. */
export function useChatStream() {
  const { client } = useSession();
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const controller = useRef<AbortController | undefined>(undefined);

  const patchLast = (fn: (e: ChatEntry) => ChatEntry) =>
    setEntries((all) => [...all.slice(0, -1), fn(all.at(-1) ?? { role: 'assistant', content: '' })]);

  const send = async (body: Record<string, unknown>, text: string): Promise<string | undefined> => {
    setError(undefined);
    setEntries((all) => [...all, { role: 'user', content: text }, { role: 'assistant', content: '' }]);
    setStreaming(true);
    const ac = new AbortController();
    controller.current = ac;
    let conversation: string | undefined;
    try {
      const res = await client.send('POST', '/api/v1/chat/stream', body, { signal: ac.signal });
      if (!res.ok || !res.body) throw await errorOf(res);
      await readSse(res.body, (e) => {
        const data = JSON.parse(e.data) as Record<string, unknown>;
        if (e.event === 'start') conversation = data.conversation_id as string;
        else if (e.event === 'delta')
          patchLast((m) => ({ ...m, content: m.content + String(data.content ?? '') }));
        else if (e.event === 'done') {
          const d = data as unknown as DoneEvent;
          conversation = d.conversation_id;
          patchLast((m) => ({
            ...m,
            stats: {
              ...(d.usage?.prompt_tokens !== undefined ? { prompt_tokens: d.usage.prompt_tokens } : {}),
              ...(d.usage?.completion_tokens !== undefined
                ? { completion_tokens: d.usage.completion_tokens }
                : {}),
              ...(d.durations_ms?.total !== undefined ? { total_ms: d.durations_ms.total } : {}),
            },
          }));
        } else if (e.event === 'error') {
          const err = (data as { error?: { message?: string } }).error;
          setError(new Error(err?.message ?? 'The model stream failed'));
        }
      });
    } catch (err) {
      if (ac.signal.aborted) patchLast((m) => ({ ...m, stopped: true }));
      else {
        setError(err as Error);
        setEntries((all) => (all.at(-1)?.content === '' ? all.slice(0, -1) : all));
      }
    } finally {
      setStreaming(false);
      controller.current = undefined;
    }
    return conversation;
  };

  const stop = () => controller.current?.abort();
  return { entries, setEntries, streaming, error, send, stop };
}
