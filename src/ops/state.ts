import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { UsageHistory } from './limits/floors.js';

/**
 * What the doctor remembers between runs (a JSON file in `<dataDir>/doctor/state.json`):
 * - baselines: for stale-container detection. Compose's own config hash cannot be reproduced
 *   byte for byte outside compose (it hashes Go structs), so the doctor stores its own hash of
 *   the declared service next to the compose hash label the first time it sees a container;
 *   a later run where the label is unchanged but the declared hash differs means the file
 *   changed after the container was created.
 * - restarts: last RestartCount per container, for restart-loop deltas.
 * - ownRestarts: per container, the restarts the watch itself made (when each began and ended),
 *   so the restart-loop rule does not count the doctor's own restarts as a loop (issue 14, item 10).
 * - usage: per project/service, the memory peak and how long and how often it was sampled, so a
 *   limit is derived only from enough history (src/ops/limits/floors.ts).
 */
export interface DoctorState {
  baselines: Record<string, { composeHash: string; declaredHash: string; at: string }>;
  restarts: Record<string, Array<{ at: number; count: number }>>;
  usage: Record<string, UsageHistory>;
  ownRestarts: Record<string, OwnRestart[]>;
}

/** A restart the doctor made: epoch ms when the call began and, once it returned, ended. */
export interface OwnRestart {
  from: number;
  to?: number;
}

export function emptyState(): DoctorState {
  return { baselines: {}, restarts: {}, usage: {}, ownRestarts: {} };
}

/**
 * Adds the restarts a caller made (the watch's record) to the state's, one entry per `from`
 * (a finished entry replaces its unfinished copy), and forgets those that ended before `keepSince`.
 */
export function mergeOwnRestarts(
  state: DoctorState,
  made: Record<string, OwnRestart[]>,
  keepSince: number,
): void {
  const all: Record<string, OwnRestart[]> = {};
  for (const id of new Set([...Object.keys(state.ownRestarts), ...Object.keys(made)])) {
    const byFrom = new Map<number, OwnRestart>();
    for (const r of [...(state.ownRestarts[id] ?? []), ...(made[id] ?? [])]) {
      const seen = byFrom.get(r.from);
      if (!seen || (seen.to === undefined && r.to !== undefined)) byFrom.set(r.from, { ...r });
    }
    const kept = [...byFrom.values()]
      .filter((r) => (r.to ?? Infinity) >= keepSince)
      .sort((a, b) => a.from - b.from);
    if (kept.length) all[id] = kept;
  }
  state.ownRestarts = all;
}

export interface StateStore {
  load(): Promise<DoctorState>;
  save(state: DoctorState): Promise<void>;
}

export class MemoryStateStore implements StateStore {
  constructor(public state: DoctorState = emptyState()) {}
  async load() {
    return structuredClone(this.state);
  }
  async save(state: DoctorState) {
    this.state = structuredClone(state);
  }
}

export class FileStateStore implements StateStore {
  constructor(private readonly file: string) {}
  async load(): Promise<DoctorState> {
    try {
      return { ...emptyState(), ...(JSON.parse(await readFile(this.file, 'utf8')) as Partial<DoctorState>) };
    } catch {
      return emptyState();
    }
  }
  async save(state: DoctorState): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(state));
    await rename(tmp, this.file);
  }
}
