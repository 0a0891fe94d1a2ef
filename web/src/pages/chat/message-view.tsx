import { useMemo } from 'react';
import { renderMarkdown } from '../../lib/markdown.js';
import { count, duration } from '../../lib/format.js';

export interface ChatStats {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_ms?: number;
}

export interface ChatEntry {
  role: string;
  content: string;
  stats?: ChatStats;
  stopped?: boolean;
}

/** One message: the model's markdown rendered and sanitised; the user's text as typed. */
export function MessageView({ entry, streaming }: { entry: ChatEntry; streaming?: boolean }) {
  const html = useMemo(() => (entry.role === 'assistant' ? renderMarkdown(entry.content) : ''), [entry]);
  return (
    <li className={`msg msg-${entry.role}`} data-role={entry.role} aria-busy={streaming || undefined}>
      <span className="msg-who">
        {entry.role === 'user' ? 'You' : entry.role === 'assistant' ? 'Model' : entry.role}
      </span>
      {entry.role === 'assistant' ? (
        // Sanitised by DOMPurify in renderMarkdown.
        <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />
      ) : (
        <p className="plain-text">{entry.content}</p>
      )}
      {entry.stopped && <p className="muted small">Stopped.</p>}
      {entry.stats && (
        <p className="muted small" data-testid="chat-stats">
          {count(entry.stats.prompt_tokens)} prompt + {count(entry.stats.completion_tokens)} completion tokens
          · {duration(entry.stats.total_ms)}
        </p>
      )}
    </li>
  );
}
