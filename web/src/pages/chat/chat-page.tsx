import { useState, type FormEvent } from 'react';
import { useSession } from '../../api/context.js';
import type { Agent, BackendModels, Conversation, Page, StoredMessage } from '../../api/types.js';
import { useApi } from '../../api/use-api.js';
import { ErrorBox, StateView } from '../../components/state-view.js';
import { TimeAgo } from '../../components/time-ago.js';
import { MessageView } from './message-view.js';
import { useChatStream } from './use-chat-stream.js';

/** Chat: model and agent pickers, streamed answers with stop, history of past conversations. */
export function ChatPage() {
  const { client } = useSession();
  const models = useApi<{ default_model: string; backends: BackendModels[] }>('/api/v1/models');
  const agents = useApi<Page<Agent>>('/api/v1/agents?limit=100');
  const conversations = useApi<{ items: Conversation[] }>('/api/v1/conversations?limit=30');
  const [model, setModel] = useState('');
  const [agentId, setAgentId] = useState('');
  const [conversation, setConversation] = useState<string | undefined>();
  const [text, setText] = useState('');
  const chat = useChatStream();
  const [loadError, setLoadError] = useState<Error | undefined>();

  const names = [...new Set(models.data?.backends.flatMap((b) => b.models.map((m) => m.name)) ?? [])];

  const open = async (id: string) => {
    setLoadError(undefined);
    try {
      const c = await client.get<{ conversation: Conversation; messages: StoredMessage[] }>(
        `/api/v1/conversations/${id}`,
      );
      setConversation(id);
      chat.setEntries(c.messages.filter((m) => m.role === 'user' || m.role === 'assistant'));
    } catch (err) {
      setLoadError(err as Error);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const message = text.trim();
    if (!message || chat.streaming) return;
    setText('');
    const id = await chat.send(
      {
        message,
        ...(model ? { model } : {}),
        ...(agentId ? { agent_id: agentId } : {}),
        ...(conversation ? { conversation_id: conversation } : {}),
      },
      message,
    );
    if (id) setConversation(id);
    conversations.reload();
  };

  return (
    <div className="chat">
      <aside className="card chat-list" aria-labelledby="conv-title">
        <h2 id="conv-title">Conversations</h2>
        <button
          type="button"
          onClick={() => {
            setConversation(undefined);
            chat.setEntries([]);
          }}
        >
          New conversation
        </button>
        <StateView state={conversations} empty="No conversations yet." isEmpty={(d) => d.items.length === 0}>
          {(d) => (
            <ul className="plain">
              {d.items.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    className="link-button"
                    aria-current={c.id === conversation ? 'true' : undefined}
                    onClick={() => void open(c.id)}
                  >
                    {c.title || 'Untitled'}
                  </button>
                  <div className="muted small">
                    {c.model} · <TimeAgo at={c.updated_at} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </StateView>
      </aside>
      <section className="card chat-main" aria-label="Conversation">
        <div className="filters">
          <label>
            Model
            <select value={model} onChange={(e) => setModel(e.target.value)}>
              <option value="">default ({models.data?.default_model ?? '…'})</option>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <label>
            Agent
            <select value={agentId} onChange={(e) => setAgentId(e.target.value)}>
              <option value="">none</option>
              {agents.data?.items.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {models.data?.backends.some((b) => b.error) && (
          <p className="error-text small">
            {models.data.backends
              .filter((b) => b.error)
              .map((b) => `${b.backend}: ${b.error}`)
              .join('; ')}
          </p>
        )}
        {loadError && <ErrorBox error={loadError} />}
        <ol className="messages" aria-live="polite" data-testid="messages">
          {chat.entries.length === 0 && <li className="state-empty">Ask something to start.</li>}
          {chat.entries.map((m, i) => (
            <MessageView key={i} entry={m} streaming={chat.streaming && i === chat.entries.length - 1} />
          ))}
        </ol>
        {chat.error && <ErrorBox error={chat.error} />}
        <form className="composer" onSubmit={(e) => void submit(e)}>
          <label htmlFor="chat-input" className="visually-hidden">
            Message
          </label>
          <textarea
            id="chat-input"
            rows={3}
            value={text}
            placeholder="Message (Enter to send, Shift+Enter for a new line)"
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          {chat.streaming ? (
            <button type="button" onClick={chat.stop} className="danger">
              Stop
            </button>
          ) : (
            <button type="submit" className="primary">
              Send
            </button>
          )}
        </form>
      </section>
    </div>
  );
}
