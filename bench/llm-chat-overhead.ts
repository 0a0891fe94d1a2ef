import { percentile } from './lib.js';
/**
 * Platform overhead per chat turn and per first token, against the Ollama double on 127.0.0.1.
 * Baseline: a bare keep-alive node:http POST /api/chat reading the NDJSON to its end (or to the
 * first content line), measured in the same run. Platform: LlmService.chat / LlmService.stream
 * (limiter, breaker, retries, metrics, NDJSON decoding, our timers).
 *
 *   npx tsx bench/llm-chat-overhead.ts [turns=2000]
 */
import http from 'node:http';
import pino from 'pino';
import { LlmConfigSchema } from '../src/config/schema.js';
import { createLlmService } from '../src/llm/index.js';
import { startOllamaDouble } from '../test/doubles/ollama-double.js';

const turns = Number(process.argv[2] ?? 2000);
const agent = new http.Agent({ keepAlive: true });

function direct(url: string, untilFirstToken: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      model: 'tinyllama',
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
    });
    const req = http.request(
      `${url}/api/chat`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let buf = '';
        res.on('data', (c: Buffer) => {
          buf += c.toString('utf8');
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const line of lines) {
            const o = line ? (JSON.parse(line) as { done?: boolean; message?: { content?: string } }) : {};
            if (untilFirstToken && o.message?.content) {
              res.destroy();
              return resolve();
            }
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.min(200, n); i++) await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(3)} ms  p90 ${percentile(xs, 90).toFixed(3)} ms  p99 ${percentile(xs, 99).toFixed(3)} ms`;

const double = await startOllamaDouble();
const llm = createLlmService({
  config: { llm: LlmConfigSchema.parse({ ollamaHost: double.url }) },
  logger: pino({ level: 'silent' }),
});
const request = { model: 'tinyllama', messages: [{ role: 'user' as const, content: 'hi there' }] };
try {
  const base = await time(turns, () => direct(double.url, false));
  const platform = await time(turns, async () => void (await llm.chat(request)));
  console.log(`chat turn (${turns} sequential, echo reply, no latency)`);
  console.log(`  direct to double : ${fmt(base)}`);
  console.log(`  via LlmService   : ${fmt(platform)}`);
  console.log(
    `  added at p50     : ${(percentile(platform, 50) - percentile(base, 50)).toFixed(3)} ms (target < 2 ms)`,
  );

  const baseFirst = await time(turns, () => direct(double.url, true));
  const platformFirst = await time(turns, async () => {
    const stream = llm.stream(request);
    for await (const e of stream) if (e.type === 'delta') break;
  });
  console.log(`first token (stream, ${turns} sequential)`);
  console.log(`  direct to double : ${fmt(baseFirst)}`);
  console.log(`  via LlmService   : ${fmt(platformFirst)}`);
  console.log(
    `  added at p50     : ${(percentile(platformFirst, 50) - percentile(baseFirst, 50)).toFixed(3)} ms`,
  );
} finally {
  await llm.close();
  await double.close();
  agent.destroy();
}
