import { parseSeries } from './types.js';

/** A value in the series' unit, for people: bytes as MiB/GiB, CPU as cores, busy as %. */
export function formatValue(series: string, v: number): string {
  const metric = parseSeries(series)?.metric;
  if (metric?.endsWith('_bytes')) {
    const mib = v / 1024 ** 2;
    return mib >= 1024 ? `${(mib / 1024).toFixed(2)} GiB` : `${mib.toFixed(1)} MiB`;
  }
  if (metric === 'cpu_busy') return `${(v * 100).toFixed(1)} %`;
  if (metric === 'cpu_cores') return `${v.toFixed(3)} cores`;
  return v.toFixed(2);
}
