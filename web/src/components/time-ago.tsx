import { useEffect, useState } from 'react';
import { absoluteTime, relativeTime } from '../lib/format.js';

/** "12 s ago", with the absolute time on hover; re-renders every few seconds so it stays true. */
export function TimeAgo({ at }: { at: string | null | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, []);
  if (!at) return <span className="muted">never</span>;
  return (
    <time dateTime={at} title={absoluteTime(at)}>
      {relativeTime(at, now)}
    </time>
  );
}
