import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../../src/optimizer/index.js';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollama-double.js';
import { tempRoot, writeMeminfo, writeProcStat } from '../../helpers/system-tree.js';

let ollama: OllamaDouble;
beforeAll(async () => {
  ollama = await startOllamaDouble({ modelSizes: { 'tinyllama:latest': 700 * 1024 ** 2 } });
});
afterAll(async () => ollama?.close());

function collector(ollamaUrl: string) {
  const root = tempRoot();
  writeProcStat(path.join(root, 'proc'), [[1, 1]]);
  writeMeminfo(path.join(root, 'proc'), 1024, 512);
  return new Collector({
    roots: { proc: path.join(root, 'proc'), sys: path.join(root, 'sys'), cgroup: path.join(root, 'cg') },
    dataDir: root,
    platformPid: process.pid,
    ollamaUrl,
    sourceTimeoutMs: 2000,
  });
}

describe('models loaded in Ollama (/api/ps)', () => {
  it('samples each loaded model’s memory once a request has loaded it', async () => {
    const c = collector(ollama.url);
    const before = await c.collect();
    expect(before.points.filter((p) => p.series.startsWith('model:'))).toEqual([]);
    const res = await fetch(`${ollama.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'tinyllama',
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
      }),
    });
    expect(res.status).toBe(200);
    const after = await c.collect();
    expect(after.points.filter((p) => p.series.startsWith('model:'))).toEqual([
      { series: 'model:memory_bytes:tinyllama:latest', value: 700 * 1024 ** 2 },
      { series: 'model:vram_bytes:tinyllama:latest', value: 0 },
    ]);
  });

  it('reports the models source as failed when Ollama does not answer', async () => {
    const r = await collector('http://127.0.0.1:9').collect();
    expect(Object.keys(r.failed)).toContain('models');
    expect(r.failed.models).toMatch(/fetch failed|ECONNREFUSED/);
  });
});
