import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import type { PlatformEvent } from './types.js';

/** The channel migration 0007's triggers NOTIFY on. */
export const EVENTS_CHANNEL = 'sutazai_events';

type Notified = Record<string, unknown> & { t?: unknown; owner_id?: unknown };

/**
 * Turns a trigger's NOTIFY payload into an event; undefined for anything unexpected. The owner
 * id decides who sees it and is not part of the data sent to clients.
 */
export function eventFromNotify(payload: string): PlatformEvent | undefined {
  let parsed: Notified;
  try {
    parsed = JSON.parse(payload) as Notified;
  } catch {
    return undefined;
  }
  const { t, owner_id, ...data } = parsed;
  const ownerId = typeof owner_id === 'string' ? owner_id : null;
  if (t === 'task') {
    const updated = typeof data.updated_at === 'string' ? new Date(data.updated_at).toISOString() : null;
    return { type: 'task', data: { ...data, updated_at: updated }, audience: { kind: 'owner', ownerId } };
  }
  if (t === 'task_step') return { type: 'task_step', data, audience: { kind: 'owner', ownerId } };
  return undefined;
}

/**
 * LISTENs for task and step changes made by any process on this database. After the listening
 * connection was lost and made again, `onGap` runs: changes made meanwhile were never notified.
 */
export async function listenForTaskEvents(
  db: Db,
  publish: (event: PlatformEvent) => void,
  log: Logger,
  onGap: () => void,
): Promise<() => Promise<void>> {
  return db.listen(
    EVENTS_CHANNEL,
    (payload) => {
      const event = eventFromNotify(payload);
      if (event) publish(event);
      else log.warn({ event: 'events:notify:unreadable' }, 'unreadable events notification');
    },
    () => {
      log.warn(
        { event: 'events:listen:reconnected' },
        'events listener reconnected; streams told to refetch',
      );
      onGap();
    },
  );
}
