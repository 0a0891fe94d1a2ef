import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

/** The three states every list has besides "here it is": loading, failed, empty. */
export function StateView<T>({
  state,
  empty,
  isEmpty,
  children,
}: {
  state: { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };
  empty: string;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (state.data === undefined) {
    if (state.error) return <ErrorBox error={state.error} onRetry={state.reload} />;
    return (
      <p className="state-loading" role="status">
        Loading…
      </p>
    );
  }
  return (
    <>
      {state.error && <ErrorBox error={state.error} onRetry={state.reload} />}
      {isEmpty?.(state.data) ? <p className="state-empty">{empty}</p> : children(state.data)}
    </>
  );
}

export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div className="error-box" role="alert">
      <p>
        <strong>{error.message}</strong>
        {api && <code className="error-code">{api.code}</code>}
      </p>
      {api?.details.map((d, i) => (
        <p key={i} className="muted">
          {d.path ? `${d.path}: ` : ''}
          {d.message}
        </p>
      ))}
      {api?.retryAfter !== undefined && <p>Retry in {api.retryAfter} s.</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
