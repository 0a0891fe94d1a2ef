/**
 * The live events the dashboard stream carries (GET /api/v1/events; docs/api.md "Live events").
 * `audience` decides who receives one: a task owner (admins see every task), everyone, or admins.
 */
export type EventType = 'task' | 'task_step' | 'mcp' | 'health' | 'doctor';

export type Audience = { kind: 'owner'; ownerId: string | null } | { kind: 'all' } | { kind: 'admin' };

export interface PlatformEvent {
  type: EventType;
  data: Record<string, unknown>;
  audience: Audience;
}

/** Who is reading a stream: admins see everything, others their own tasks and the public events. */
export interface Viewer {
  admin: boolean;
  /** The owner id this viewer's tasks are recorded under (see src/auth/owner.ts). */
  ownerId: string | null;
}

export function visibleTo(viewer: Viewer, audience: Audience): boolean {
  if (viewer.admin) return true;
  if (audience.kind === 'all') return true;
  if (audience.kind === 'admin') return false;
  return audience.ownerId !== null && audience.ownerId === viewer.ownerId;
}
