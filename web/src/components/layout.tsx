import { useCallback, useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { useSession } from '../api/context.js';
import { Link } from './link.js';

const NAV: Array<{ href: string; label: string; admin?: boolean }> = [
  { href: '/', label: 'Overview' },
  { href: '/chat', label: 'Chat' },
  { href: '/agents', label: 'Agents' },
  { href: '/tasks', label: 'Tasks' },
  { href: '/mcp-servers', label: 'MCP' },
  { href: '/doctor', label: 'Doctor', admin: true },
  { href: '/hardware', label: 'Hardware', admin: true },
  { href: '/settings', label: 'Settings' },
];

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
}

function LiveIndicator() {
  const { events } = useSession();
  // Read through the store, not a copy taken at render: the stream may go live between this
  // render and the effect that subscribes, and a copy would then say "Connecting…" for ever
  // (decision 0061).
  const subscribe = useCallback(
    (changed: () => void) => {
      const off = events.onStatus(changed);
      return () => void off();
    },
    [events],
  );
  const status = useSyncExternalStore(subscribe, () => events.status);
  const text = { live: 'Live', connecting: 'Connecting…', offline: 'Offline: reconnecting' }[status];
  return (
    <span className={`live live-${status}`} role="status" data-live={status}>
      <span className="badge-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

/** The frame of every signed-in page: skip link, navigation, who is signed in, live status. */
export function Layout({ path, title, children }: { path: string; title: string; children: ReactNode }) {
  const { me, signOut } = useSession();
  useEffect(() => {
    document.title = `${title} · SutazAI`;
  }, [title]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          SutazAI
        </Link>
        <nav aria-label="Main" className="nav">
          <ul>
            {NAV.filter((n) => !n.admin || me.role === 'admin').map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(n.href, path) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <LiveIndicator />
          <span className="muted" data-testid="whoami">
            {me.name} ({me.role})
          </span>
          <button type="button" className="link-button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
