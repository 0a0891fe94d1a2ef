import path from 'node:path';
import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/index.js';
import { agentFilesSkipped } from '../metrics/index.js';
import { DEFAULT_SCAN_LIMITS, listAgentFiles, scanAgentFiles, type ScanLimits } from './file-scan.js';
import type { AgentDefinition } from './types.js';

/**
 * Syncs agent files into the agents table. Rules (docs/agents.md):
 * - each valid file upserts its agent, `source = 'file:<path relative to dir>'`; an unchanged
 *   file leaves the row untouched (updated_at keeps its value);
 * - a bad file is skipped and reported by path with the reason; if it defined an agent before,
 *   that agent keeps its last good definition until the file is fixed or removed;
 * - a file-sourced agent whose file is gone is deleted (its tasks keep their rows, agent_id null);
 * - a missing directory syncs nothing and removes nothing (a mistyped path must not wipe agents);
 * - a file never takes over an agent created through the API: it is skipped with the reason.
 * Several processes may sync at once: the work runs in one transaction under an advisory lock,
 * and the upsert itself is ON CONFLICT, so they converge on the same rows.
 */
export interface SyncAgentFilesOptions {
  db: Db;
  dir: string;
  logger: Logger;
  limits?: Partial<ScanLimits>;
}

export interface SyncSkip {
  path: string;
  reason: string;
}

export interface SyncAgentFilesResult {
  /** Valid files whose agent is now in the table as written (inserted, updated or unchanged). */
  synced: number;
  /** Names inserted or updated by this run. */
  changed: string[];
  skipped: SyncSkip[];
  /** Names of file-sourced agents deleted because their file is gone. */
  removed: string[];
}

const SYNC_LOCK_KEY = 724_010_020;
const BATCH = 200;

export async function syncAgentFiles(options: SyncAgentFilesOptions): Promise<SyncAgentFilesResult> {
  const { db, dir, logger } = options;
  const log = logger.child({ component: 'agents:sync', dir });
  const files = await listAgentFiles(dir);
  if (!files) {
    log.info('agents:sync:no-directory');
    agentFilesSkipped.set(0);
    return { synced: 0, changed: [], skipped: [], removed: [] };
  }
  const scanned = await scanAgentFiles(dir, files, { ...DEFAULT_SCAN_LIMITS, ...options.limits });
  const skipped: SyncSkip[] = [];
  const byName = new Map<string, { relPath: string; definition: AgentDefinition }>();
  for (const file of scanned) {
    const shown = path.join(dir, file.relPath);
    if (!file.definition) {
      skipped.push({ path: shown, reason: file.reason ?? 'invalid' });
      continue;
    }
    const first = byName.get(file.definition.name);
    if (first) {
      const reason = `agent name ${file.definition.name} is already declared by ${path.join(dir, first.relPath)}`;
      skipped.push({ path: shown, reason });
      continue;
    }
    byName.set(file.definition.name, { relPath: file.relPath, definition: file.definition });
  }
  const outcome = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK_KEY]);
    const entries = [...byName.values()].sort((a, b) => a.definition.name.localeCompare(b.definition.name));
    const changed = await upsertAll(tx, entries);
    const apiOwned = await namesOwnedByApi(tx, [...byName.keys()]);
    const removed = await removeOrphans(
      tx,
      files.map((f) => `file:${f}`),
    );
    return { changed, apiOwned, removed };
  });
  for (const name of outcome.apiOwned) {
    const file = byName.get(name)!;
    skipped.push({
      path: path.join(dir, file.relPath),
      reason: `agent name ${name} belongs to an agent created through the API; rename the file's agent or delete the API one`,
    });
  }
  agentFilesSkipped.set(skipped.length);
  for (const skip of skipped) {
    log.warn(
      { code: 'SUTAZAI_ERR_AGENT_FILE_INVALID', path: skip.path, reason: skip.reason },
      'agents:sync:skipped',
    );
  }
  const result = {
    synced: byName.size - outcome.apiOwned.length,
    changed: outcome.changed,
    skipped: skipped.sort((a, b) => a.path.localeCompare(b.path)),
    removed: outcome.removed,
  };
  log.info(
    {
      synced: result.synced,
      changed: result.changed.length,
      skipped: skipped.length,
      removed: result.removed,
    },
    'agents:sync:done',
  );
  return result;
}

function toRecord(relPath: string, d: AgentDefinition): Record<string, unknown> {
  return {
    name: d.name,
    type: d.type ?? 'generic',
    description: d.description,
    capabilities: d.capabilities,
    model: d.model ?? null,
    system_prompt: d.systemPrompt,
    tools: d.tools,
    configuration: d.configuration,
    source: `file:${relPath}`,
  };
}

const ROW_COLUMNS = 'type, description, capabilities, model, system_prompt, tools, configuration, source';

/** One statement per batch; rows sorted by name so concurrent syncs lock rows in the same order. */
const UPSERT = `
INSERT INTO agents AS a (name, ${ROW_COLUMNS})
SELECT r.name, r.type, r.description,
       ARRAY(SELECT e FROM jsonb_array_elements_text(r.capabilities) WITH ORDINALITY AS x(e, i) ORDER BY i),
       r.model, r.system_prompt,
       ARRAY(SELECT e FROM jsonb_array_elements_text(r.tools) WITH ORDINALITY AS x(e, i) ORDER BY i),
       r.configuration, r.source
FROM jsonb_to_recordset($1::jsonb) AS r(name text, type text, description text, capabilities jsonb,
     model text, system_prompt text, tools jsonb, configuration jsonb, source text)
ORDER BY r.name
ON CONFLICT (name) DO UPDATE SET
  type = EXCLUDED.type, description = EXCLUDED.description, capabilities = EXCLUDED.capabilities,
  model = EXCLUDED.model, system_prompt = EXCLUDED.system_prompt, tools = EXCLUDED.tools,
  configuration = EXCLUDED.configuration, source = EXCLUDED.source, updated_at = now()
WHERE a.source LIKE 'file:%'
  AND (a.type, a.description, a.capabilities, a.model, a.system_prompt, a.tools, a.configuration, a.source)
      IS DISTINCT FROM
      (EXCLUDED.type, EXCLUDED.description, EXCLUDED.capabilities, EXCLUDED.model,
       EXCLUDED.system_prompt, EXCLUDED.tools, EXCLUDED.configuration, EXCLUDED.source)
RETURNING a.name`;

async function upsertAll(
  tx: Queryable,
  entries: Array<{ relPath: string; definition: AgentDefinition }>,
): Promise<string[]> {
  const changed: string[] = [];
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH).map((e) => toRecord(e.relPath, e.definition));
    const { rows } = await tx.query<{ name: string }>(UPSERT, [JSON.stringify(batch)]);
    changed.push(...rows.map((r) => r.name));
  }
  return changed.sort();
}

async function namesOwnedByApi(tx: Queryable, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { rows } = await tx.query<{ name: string }>(
    `SELECT name FROM agents WHERE name = ANY($1::text[]) AND source NOT LIKE 'file:%' ORDER BY name`,
    [names],
  );
  return rows.map((r) => r.name);
}

/** Deletes file-sourced agents whose file is not in the directory any more. */
async function removeOrphans(tx: Queryable, presentSources: string[]): Promise<string[]> {
  const { rows } = await tx.query<{ name: string }>(
    `DELETE FROM agents WHERE source LIKE 'file:%' AND NOT (source = ANY($1::text[])) RETURNING name`,
    [presentSources],
  );
  return rows.map((r) => r.name).sort();
}
