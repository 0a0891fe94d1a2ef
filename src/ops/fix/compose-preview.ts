import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { composeEditOf, editLimits } from './compose-edit.js';
import type { Snapshot } from '../rules/context.js';
import type { FixPlan } from './plan.js';
import { unifiedDiff } from './unified-diff.js';

/** What a dry run shows for one compose file the plan would edit. */
export interface ComposeDiff {
  /** Relative to the compose project's directory (absolute when the file is outside it). */
  path: string;
  /** Unified diff of exactly what apply would write; cut at maxBytes (see truncated). */
  diff: string;
  truncated: boolean;
}

export const DIFF_MAX_BYTES = 64 * 1024;
export const TRUNCATION_MARKER = '\\ [diff truncated: too long to show in full]';

/** Cuts at a line boundary under maxBytes and says so on a line of its own. */
function bounded(diff: string, maxBytes: number): { diff: string; truncated: boolean } {
  if (Buffer.byteLength(diff) <= maxBytes) return { diff, truncated: false };
  const room = maxBytes - Buffer.byteLength(TRUNCATION_MARKER) - 1;
  let cut = Buffer.from(diff).subarray(0, Math.max(0, room)).toString('utf8');
  cut = cut.slice(0, cut.lastIndexOf('\n') + 1).replace(/\uFFFD$/, '');
  return { diff: `${cut}${TRUNCATION_MARKER}\n`, truncated: true };
}

/**
 * For each compose file the plan's reversible actions would edit, the diff between the file as
 * it is and as apply would leave it: the actions' edits run in plan order through editLimits,
 * the same text edit applyFix writes (via editLimitsInFile). Reads only; a file it cannot read
 * is left out, as apply would fail on it too.
 */
export async function previewComposeDiffs(
  plan: FixPlan,
  snapshot: Pick<Snapshot, 'compose'>,
  maxBytes = DIFF_MAX_BYTES,
): Promise<ComposeDiff[]> {
  const projectDir = snapshot.compose?.workingDir;
  const edits = new Map<string, Array<NonNullable<ReturnType<typeof composeEditOf>>>>();
  for (const a of plan.actions) {
    if (!('composeFile' in a) || !a.composeFile) continue;
    const edit = composeEditOf(a);
    if (edit) edits.set(a.composeFile, [...(edits.get(a.composeFile) ?? []), edit]);
  }
  const diffs: ComposeDiff[] = [];
  for (const [file, list] of edits) {
    const before = await readFile(file, 'utf8').catch(() => undefined);
    if (before === undefined) continue;
    const after = list.reduce((text, edit) => editLimits(text, edit).text, before);
    const rel = projectDir ? path.relative(projectDir, file) : file;
    const shown = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
    const names = shown === file ? { from: file, to: file } : { from: `a/${shown}`, to: `b/${shown}` };
    const diff = unifiedDiff(before, after, names);
    if (diff) diffs.push({ path: shown, ...bounded(diff, maxBytes) });
  }
  return diffs;
}
