import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client.js';
import { SessionContext, type Session } from './api/context.js';
import { EventStream } from './api/events.js';
import type { Me } from './api/types.js';
import { Layout } from './components/layout.js';
import { match, navigate, useLocation } from './lib/router.js';
import { AgentsPage } from './pages/agents/agents-page.js';
import { ChatPage } from './pages/chat/chat-page.js';
import { DoctorPage } from './pages/doctor/doctor-page.js';
import { HardwarePage } from './pages/hardware/hardware-page.js';
import { McpPage } from './pages/mcp/mcp-page.js';
import { OverviewPage } from './pages/overview.js';
import { SettingsPage } from './pages/settings/settings-page.js';
import { SignIn } from './pages/sign-in.js';
import { TaskPage } from './pages/tasks/task-page.js';
import { TasksPage } from './pages/tasks/tasks-page.js';

function route(path: string, search: URLSearchParams): { title: string; page: React.ReactNode } {
  const task = match('/tasks/:id', path);
  if (task) return { title: 'Task', page: <TaskPage id={task.id!} /> };
  switch (path) {
    case '/':
      return { title: 'Overview', page: <OverviewPage /> };
    case '/chat':
      return { title: 'Chat', page: <ChatPage /> };
    case '/agents':
      return { title: 'Agents', page: <AgentsPage /> };
    case '/tasks':
      return { title: 'Tasks', page: <TasksPage search={search} /> };
    case '/mcp-servers':
      return { title: 'MCP servers', page: <McpPage /> };
    case '/doctor':
      return { title: 'Doctor', page: <DoctorPage /> };
    case '/hardware':
      return { title: 'Hardware', page: <HardwarePage /> };
    case '/settings':
      return { title: 'Settings', page: <SettingsPage /> };
    default:
      return { title: 'Not found', page: <p>There is no page at {path}.</p> };
  }
}

/** Signs in (cookie refresh first), then renders the page for the current path. */
export function App() {
  const client = useMemo(() => new ApiClient(), []);
  const events = useMemo(() => new EventStream(client), [client]);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path, search } = useLocation();

  const loadMe = useCallback(async () => {
    try {
      setMe(await client.get<Me>('/api/v1/auth/me'));
      events.start();
    } catch {
      setMe(null);
    }
  }, [client, events]);

  useEffect(() => {
    client.onSignedOut = () => {
      events.stop();
      setMe(null);
    };
    void client.refresh().then((ok) => (ok ? loadMe() : setMe(null)));
    return () => events.stop();
  }, [client, events, loadMe]);

  const session: Session | null = useMemo(
    () => (me ? { client, events, me, signOut: () => void client.logout().then(() => navigate('/')) } : null),
    [client, events, me],
  );

  if (me === undefined)
    return (
      <p className="state-loading" role="status">
        Loading…
      </p>
    );
  if (!session) return <SignIn client={client} onSignedIn={() => void loadMe()} />;
  const { title, page } = route(path, search);
  return (
    <SessionContext.Provider value={session}>
      <Layout path={path} title={title}>
        {page}
      </Layout>
    </SessionContext.Provider>
  );
}
