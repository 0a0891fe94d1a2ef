import { createContext, useContext } from 'react';
import type { ApiClient } from './client.js';
import type { EventStream } from './events.js';
import type { Me } from './types.js';

export interface Session {
  client: ApiClient;
  events: EventStream;
  me: Me;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export const useIsAdmin = (): boolean => useSession().me.role === 'admin';
