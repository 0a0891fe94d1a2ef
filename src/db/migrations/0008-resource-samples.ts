/**
 * Issue 12 (hardware optimizer): resource history.
 *
 * `resource_series`: one row per series (`kind:metric:name`, e.g. `container:memory_bytes:redis`).
 * `resource_samples`: raw points, kept 24 h (one every 15 s by default: 5,760 rows per series).
 * `resource_rollups`: per-bucket min, max, mean, p95 and count at 300 s (kept 30 days: 8,640 rows
 * per series) and 3,600 s (kept a year: 8,760 rows per series). Retention is enforced by the
 * sampler (src/optimizer/store/retention.ts); docs/optimizer.md has the storage bounds.
 */
export const sql = `
CREATE TABLE resource_series (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL,
  metric text NOT NULL,
  subject text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_at timestamptz,
  last_value double precision
);
CREATE TABLE resource_samples (
  series_id integer NOT NULL REFERENCES resource_series (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (series_id, at)
);
CREATE INDEX resource_samples_at ON resource_samples (at);
CREATE TABLE resource_rollups (
  series_id integer NOT NULL REFERENCES resource_series (id) ON DELETE CASCADE,
  resolution integer NOT NULL CHECK (resolution IN (300, 3600)),
  bucket timestamptz NOT NULL,
  count integer NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  mean double precision NOT NULL,
  p95 double precision NOT NULL,
  PRIMARY KEY (series_id, resolution, bucket)
);
CREATE INDEX resource_rollups_bucket ON resource_rollups (resolution, bucket);
`;
