import { describe, expect, it } from 'vitest';
import { diffLines, diffStat } from '../../../web/src/lib/diff.js';
import { TRUNCATION_MARKER, unifiedDiff } from '../../../src/ops/index.js';

describe('diff rendering for the fix plan', () => {
  const diff = unifiedDiff(
    'services:\n  web:\n    image: x\n    restart: always\n',
    'services:\n  web:\n    image: x\n    restart: on-failure:3\n    deploy:\n      resources: {}\n',
    { from: 'a/compose.yaml', to: 'b/compose.yaml' },
  );

  it('classifies every line and keeps the +/- markers in the text', () => {
    const lines = diffLines(diff);
    expect(lines.map((l) => l.kind)).toEqual([
      'file',
      'file',
      'hunk',
      'context',
      'context',
      'context',
      'remove',
      'add',
      'add',
      'add',
    ]);
    expect(lines.map((l) => l.text).join('\n')).toBe(diff.trimEnd());
    for (const l of lines.filter((x) => x.kind === 'add')) {
      expect(l.text.startsWith('+')).toBe(true);
      expect(l.spoken).toBe('added: ');
    }
    expect(lines.find((l) => l.kind === 'remove')).toMatchObject({
      text: '-    restart: always',
      spoken: 'removed: ',
    });
    expect(diffStat(lines)).toEqual({ added: 3, removed: 1 });
  });

  it('headers are not counted as changes; a context line that starts with a dash is not a removal', () => {
    const lines = diffLines('--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n - item\n-old\n--- x\n+new\n+++ y\n');
    expect(lines.map((l) => l.kind)).toEqual([
      'file',
      'file',
      'hunk',
      'context',
      'remove',
      'remove',
      'add',
      'add',
    ]);
    expect(diffStat(lines)).toEqual({ added: 2, removed: 2 });
  });

  it('shows the truncation marker as a note, not a change', () => {
    const lines = diffLines(`--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n${TRUNCATION_MARKER}\n`);
    expect(lines.at(-1)).toMatchObject({ kind: 'note', text: TRUNCATION_MARKER, spoken: '' });
  });
});
