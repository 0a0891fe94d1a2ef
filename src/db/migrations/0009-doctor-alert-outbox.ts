/**
 * Issue 14 (doctor, item 10): the alert outbox of a watch that runs inside the platform
 * (`sutazai up` with doctor.enabled) lives in the platform's database rather than the data dir.
 * One row per outbox (`name`), holding its document — open episodes and undelivered alerts — and
 * replaced in one statement after every change, so a reader never sees half an update.
 */
export const sql = `
CREATE TABLE doctor_alert_outbox (
  name text PRIMARY KEY,
  data jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
