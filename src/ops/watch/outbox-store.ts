import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../../db/types.js';

/**
 * Where the alert outbox keeps its document (open episodes and undelivered alerts): in the
 * platform's database when the watch runs inside `sutazai up`, in the data dir when the CLI runs
 * alone. Each write replaces the whole document atomically.
 */
export interface OutboxStore {
  /** The stored document, or undefined when there is none yet. */
  read(): Promise<string | undefined>;
  write(document: string): Promise<void>;
}

/** `<dataDir>/doctor/alerts.json`, written to a temporary file and renamed into place. */
export class FileOutboxStore implements OutboxStore {
  constructor(private readonly file: string) {}

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.file, 'utf8');
    } catch {
      return undefined;
    }
  }

  async write(document: string): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, document);
    await rename(tmp, this.file);
  }
}

/** A row of `doctor_alert_outbox` (migration 0009), upserted in one statement. */
export class DbOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Queryable,
    private readonly name = 'watch',
  ) {}

  async read(): Promise<string | undefined> {
    const res = await this.db.query<{ data: string }>(
      'SELECT data::text AS data FROM doctor_alert_outbox WHERE name = $1',
      [this.name],
    );
    return res.rows[0]?.data;
  }

  async write(document: string): Promise<void> {
    await this.db.query(
      `INSERT INTO doctor_alert_outbox (name, data, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`,
      [this.name, document],
    );
  }
}
