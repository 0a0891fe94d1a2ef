/**
 * A unified diff (`diff -u` shape) between two texts, for showing a compose edit before it is
 * written. Lines common to both ends are trimmed first, so a local edit in a long file costs
 * little; the changed middle is matched by LCS, capped (MAX_CELLS) so a pathological input turns
 * into one remove-all/add-all hunk instead of a quadratic blow-up.
 */
const MAX_CELLS = 4_000_000;

type Op = { tag: ' ' | '-' | '+'; line: string; oldNo: number; newNo: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function middleOps(a: string[], b: string[], oldBase: number, newBase: number): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) {
    return [
      ...a.map((line, i) => ({ tag: '-' as const, line, oldNo: oldBase + i, newNo: newBase })),
      ...b.map((line, j) => ({ tag: '+' as const, line, oldNo: oldBase + n, newNo: newBase + j })),
    ];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ tag: ' ', line: a[i]!, oldNo: oldBase + i, newNo: newBase + j });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // On a tie, removals first: a replaced line reads `-old` then `+new`, as diff -u has it.
      ops.push({ tag: '-', line: a[i]!, oldNo: oldBase + i, newNo: newBase + j });
      i++;
    } else {
      ops.push({ tag: '+', line: b[j]!, oldNo: oldBase + i, newNo: newBase + j });
      j++;
    }
  }
  return ops;
}

function lineOps(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const same = (from: number, count: number, shift: number): Op[] =>
    Array.from({ length: count }, (_, k) => ({
      tag: ' ' as const,
      line: a[from + k]!,
      oldNo: from + k,
      newNo: from + k + shift,
    }));
  return [
    ...same(0, pre, 0),
    ...middleOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf), pre, pre),
    ...same(a.length - suf, suf, b.length - a.length),
  ];
}

/** `start,count` as diff writes it: a zero-length range names the line before it. */
function range(start: number, count: number): string {
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

/**
 * The unified diff turning `before` into `after`, with `context` unchanged lines around each
 * change; '' when they are equal. Line ends are compared as written (a CRLF file keeps its `\r`).
 */
export function unifiedDiff(
  before: string,
  after: string,
  names: { from: string; to: string },
  context = 3,
): string {
  if (before === after) return '';
  const ops = lineOps(splitLines(before), splitLines(after));
  const changed = ops.flatMap((op, k) => (op.tag === ' ' ? [] : [k]));
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - context);
    let end = changed[k]! + context; // inclusive
    while (k + 1 < changed.length && changed[k + 1]! - context <= end + 1) {
      k++;
      end = changed[k]! + context;
    }
    end = Math.min(end, ops.length - 1);
    const hunk = ops.slice(start, end + 1);
    const oldCount = hunk.filter((o) => o.tag !== '+').length;
    const newCount = hunk.filter((o) => o.tag !== '-').length;
    out.push(`@@ -${range(hunk[0]!.oldNo, oldCount)} +${range(hunk[0]!.newNo, newCount)} @@`);
    for (const o of hunk) out.push(`${o.tag}${o.line}`);
    k++;
  }
  return `${out.join('\n')}\n`;
}
