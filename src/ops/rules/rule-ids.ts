import { SutazaiError } from '../../errors.js';
import { RULES } from './catalogue.js';

/** Levenshtein distance; rule ids are short, so the plain two-row table is enough. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known ids closest to `id` (at most `n`), for "did you mean": ids that contain what was
 * typed (`orphan`) first, then by edit distance.
 */
export function nearestRuleIds(id: string, n = 3): string[] {
  const typed = id.toLowerCase();
  const scored = RULES.map((r) => ({
    id: r.id,
    part: r.id.includes(typed) ? 0 : 1,
    d: editDistance(typed, r.id),
  })).sort((x, y) => x.part - y.part || x.d - y.d || x.id.localeCompare(y.id));
  return scored.slice(0, n).map((s) => s.id);
}

/**
 * A typo in a rule id must not turn into "clean": `--only phantomservice` used to run no rule and
 * exit 0. Every place that names rules (--only, --skip, --explain, suppressions) goes through this.
 */
export function assertKnownRules(ids: readonly string[], where: string, allow: readonly string[] = []): void {
  for (const id of ids) {
    if (allow.includes(id) || RULES.some((r) => r.id === id)) continue;
    const nearest = nearestRuleIds(id);
    throw new SutazaiError(
      'SUTAZAI_ERR_DOCTOR_UNKNOWN_RULE',
      { rule: id, where, nearest: nearest.join(', ') },
      { details: { rule: id, where, nearest } },
    );
  }
}
