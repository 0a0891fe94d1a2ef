/** A JSON value as indented text in a scrollable, focusable block. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="json" tabIndex={0} aria-label={label}>
      {text}
    </pre>
  );
}
