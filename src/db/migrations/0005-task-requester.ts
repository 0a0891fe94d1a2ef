/**
 * Issue 9: who submitted a task, and how long its backend has been down.
 *
 * `requested_by_role`: the role of the principal that submitted the task through the API
 * ('admin' | 'user'); NULL for tasks the platform enqueued itself. Outbound connections made for
 * the task (http.check, an agent's http.fetch) obey it (decision 0017). Tasks still waiting from
 * before this migration were submitted by someone we can no longer name, so they are judged as
 * a user's: the safe reading.
 *
 * `backend_down_since`: set when a task is put back because its backend (the model server) was
 * unavailable or its circuit breaker open, cleared on any other outcome; the worker gives up
 * once the backend has been down longer than queue.backendWaitMaxMs (decision 0018).
 */
export const sql = `
ALTER TABLE tasks ADD COLUMN requested_by_role text CHECK (requested_by_role IN ('admin', 'user'));
ALTER TABLE tasks ADD COLUMN backend_down_since timestamptz;
UPDATE tasks SET requested_by_role = 'user' WHERE status IN ('pending', 'running');
`;
