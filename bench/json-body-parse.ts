/**
 * Cost of the JSON body parser that refuses hostile input (src/safe-input.ts: parse, then
 * an iterative walk for depth, key count and NUL/surrogate strings) against plain JSON.parse, the
 * baseline, on the same bodies in the same run. Prints the median µs per body over RUNS runs.
 *
 *   npx tsx bench/json-body-parse.ts      (RUNS=…, ITERATIONS=…)
 */
import { parseJsonBody } from '../src/safe-input.js';
import { median } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 5);
const ITERATIONS = Number(process.env.ITERATIONS ?? 2000);

const bodies: Record<string, string> = {
  'task (http.check, 120 B)': JSON.stringify({
    type: 'http.check',
    payload: { url: 'https://example.org/health', timeoutMs: 5000 },
    priority: 5,
  }),
  'chat (20 messages, 8 KB)': JSON.stringify({
    model: 'tinyllama',
    messages: Array.from({ length: 20 }, (_, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: 'x'.repeat(400),
    })),
  }),
  'payload (5,000 keys, 110 KB)': JSON.stringify({
    type: 'agent.run',
    payload: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, `value ${i}`])),
  }),
  'text (1 string, 900 KB)': JSON.stringify({
    type: 'agent.run',
    payload: { text: 'lorem ipsum '.repeat(75_000) },
  }),
};

function perBodyMicros(parse: (text: string) => unknown, text: string): number {
  const iterations = Math.max(10, Math.round(ITERATIONS / Math.max(1, text.length / 10_000)));
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) parse(text);
  return ((performance.now() - t0) * 1000) / iterations;
}

// Warm both paths up first, so neither pays for the JIT in its measured runs.
for (const text of Object.values(bodies))
  for (let i = 0; i < 20; i++) parseJsonBody(JSON.parse(JSON.stringify(text)));

console.log(`JSON body parse, median of ${RUNS} runs (µs per body)`);
for (const [name, text] of Object.entries(bodies)) {
  const base: number[] = [];
  const guarded: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    base.push(perBodyMicros(JSON.parse, text));
    guarded.push(perBodyMicros(parseJsonBody, text));
  }
  const b = median(base);
  const g = median(guarded);
  console.log(
    `  ${name.padEnd(30)} JSON.parse ${b.toFixed(1).padStart(8)}   guarded ${g.toFixed(1).padStart(8)}   ×${(g / b).toFixed(2)}`,
  );
}
