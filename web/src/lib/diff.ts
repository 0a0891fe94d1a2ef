/** One line of a unified diff, classified for display. */
export interface DiffLine {
  kind: 'file' | 'hunk' | 'add' | 'remove' | 'context' | 'note';
  /** The line as written, markers included: colour is never the only cue (+/- stay visible). */
  text: string;
  /** Said before the line to screen readers, which may skip a bare '+' or '-'. */
  spoken: string;
}

/** Classifies the lines of a unified diff (as the doctor's fix plan returns it). */
export function diffLines(diff: string): DiffLine[] {
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let inHunk = false;
  return lines.map((text): DiffLine => {
    // `--- `/`+++ ` are file names only before the first hunk; inside one they are changes.
    if (!inHunk && (text.startsWith('--- ') || text.startsWith('+++ ')))
      return { kind: 'file', text, spoken: '' };
    if (text.startsWith('@@')) {
      inHunk = true;
      return { kind: 'hunk', text, spoken: '' };
    }
    if (text.startsWith('+')) return { kind: 'add', text, spoken: 'added: ' };
    if (text.startsWith('-')) return { kind: 'remove', text, spoken: 'removed: ' };
    if (text.startsWith('\\')) return { kind: 'note', text, spoken: '' };
    return { kind: 'context', text, spoken: '' };
  });
}

/** Counts of added and removed lines, for the summary above a diff. */
export function diffStat(lines: readonly DiffLine[]): { added: number; removed: number } {
  return {
    added: lines.filter((l) => l.kind === 'add').length,
    removed: lines.filter((l) => l.kind === 'remove').length,
  };
}
