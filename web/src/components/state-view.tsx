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

/**
 * A list shown as a table, with the list states of StateView: a keyboard-reachable scrolling
 * region named `label` (narrow screens scroll it sideways), one header row, and `rows(data)`.
 */
export function TableView<T>({
  state,
  label,
  empty,
  isEmpty,
  columns,
  testId,
  rows,
}: {
  state: { data: T | undefined; error: Error | undefined; loading: boolean; reload: () => void };
  label: string;
  empty: string;
  isEmpty: (data: T) => boolean;
  /** Column headers; a ReactNode for one that needs markup (e.g. a visually hidden name). */
  columns: ReactNode[];
  testId?: string;
  rows: (data: T) => ReactNode;
}) {
  return (
    <StateView state={state} empty={empty} isEmpty={isEmpty}>
      {(data) => (
        <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
          <table data-testid={testId}>
            <thead>
              <tr>
                {columns.map((c, i) => (
                  <th key={i} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{rows(data)}</tbody>
          </table>
        </div>
      )}
    </StateView>
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
