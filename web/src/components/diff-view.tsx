import { diffLines, diffStat } from '../lib/diff.js';

/**
 * A unified diff in a scrollable, focusable monospace block: added lines green, removed red,
 * and each keeps its +/- marker (and a spoken "added:"/"removed:") so colour is not the only cue.
 */
export function DiffView({ path, diff, truncated }: { path: string; diff: string; truncated: boolean }) {
  const lines = diffLines(diff);
  const { added, removed } = diffStat(lines);
  return (
    <figure className="diff-file">
      <figcaption>
        <code>{path}</code>{' '}
        <span className="muted small">
          +{added} −{removed}
          {truncated ? ' · truncated' : ''}
        </span>
      </figcaption>
      <pre className="diff" tabIndex={0} aria-label={`Changes to ${path}`}>
        {lines.map((l, i) => (
          <span key={i} className={`diff-line diff-${l.kind}`}>
            {l.spoken && <span className="visually-hidden">{l.spoken}</span>}
            {l.text}
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}
