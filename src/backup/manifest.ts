import { z } from 'zod';

/**
 * A backup's manifest (`manifest.json`): what it holds and the checksums `verify` and `restore`
 * compare. Written last, so a directory without one is an unfinished backup.
 */
export const BACKUP_FORMAT = 'sutazai-backup/1';

export const TableEntrySchema = z.strictObject({
  name: z.string().min(1),
  /** Path inside the backup: gzip of one JSON row per line (`to_jsonb(row)::text`). */
  file: z.string().min(1),
  rows: z.number().int().min(0),
  /** sha256 of the file's bytes: catches a changed or truncated file before anything is loaded. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Order-independent digest of the rows' canonical text: compared after a load. */
  rowsDigest: z.string().regex(/^[0-9a-f]{64}$/),
});

export const SequenceEntrySchema = z.strictObject({
  name: z.string().min(1),
  /** pg_sequences.last_value as text (bigint); null when the sequence was never used. */
  lastValue: z.string().nullable(),
});

export const FileEntrySchema = z.strictObject({
  kind: z.enum(['config', 'mcp', 'agents']),
  /** Where the file was read from (absolute): where `restore --config-files` writes it back. */
  source: z.string().min(1),
  file: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const PgDumpEntrySchema = z.union([
  z.strictObject({ file: z.string(), bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.strictObject({ skipped: z.string() }),
]);

export const ManifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  id: z.string(),
  createdAt: z.string(),
  version: z.string(),
  engine: z.enum(['pglite', 'postgres']),
  /** schema_migrations at the snapshot, in order: a restore builds exactly this schema first. */
  migrations: z.array(z.string()),
  tables: z.array(TableEntrySchema),
  sequences: z.array(SequenceEntrySchema),
  files: z.array(FileEntrySchema),
  /** PostgreSQL only: pg_dump's own archive of the same snapshot, for PostgreSQL's native tools. */
  pgDump: PgDumpEntrySchema.optional(),
  durationMs: z.number().min(0),
  bytes: z.number().int().min(0),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type TableEntry = z.infer<typeof TableEntrySchema>;
export type SequenceEntry = z.infer<typeof SequenceEntrySchema>;
export type FileEntry = z.infer<typeof FileEntrySchema>;
