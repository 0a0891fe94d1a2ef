/**
 * Okapi BM25 over short documents (agents' name, description, capabilities). Small, dependency
 * free and deterministic: the same agents and task text always give the same ranking.
 */
const STOP = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with please can you'.split(
    ' ',
  ),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

export interface Bm25Hit {
  index: number;
  score: number;
  matched: string[];
}

export function bm25(docs: string[][], query: string[], k1 = 1.2, b = 0.75): Bm25Hit[] {
  const n = docs.length;
  const avgLen = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, n);
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const terms = [...new Set(query)];
  return docs.map((doc, index) => {
    const tf = new Map<string, number>();
    for (const t of doc) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    const matched: string[] = [];
    for (const term of terms) {
      const f = tf.get(term);
      if (!f) continue;
      const d = df.get(term) ?? 0;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * doc.length) / Math.max(1, avgLen)));
      matched.push(term);
    }
    return { index, score, matched };
  });
}
