/** A model Ollama holds in memory, from GET /api/ps. */
export interface LoadedModel {
  name: string;
  /** Bytes the loaded model takes (RAM and VRAM together). */
  sizeBytes: number;
  vramBytes: number;
}

/** Asks Ollama which models are loaded; bounded by a timeout; throws on anything but 200. */
export async function readLoadedModels(baseUrl: string, timeoutMs: number): Promise<LoadedModel[]> {
  const res = await fetch(new URL('/api/ps', baseUrl), { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET /api/ps answered ${res.status}`);
  const body = (await res.json()) as {
    models?: Array<{ name?: unknown; size?: unknown; size_vram?: unknown }>;
  };
  return (body.models ?? [])
    .filter((m) => typeof m.name === 'string')
    .map((m) => ({
      name: m.name as string,
      sizeBytes: typeof m.size === 'number' ? m.size : 0,
      vramBytes: typeof m.size_vram === 'number' ? m.size_vram : 0,
    }));
}
