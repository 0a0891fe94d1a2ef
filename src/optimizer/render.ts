import type { BacktestResult } from './forecast/backtest.js';
import type { Forecast } from './forecast/forecast.js';
import { fmtDuration } from './forecast/forecast.js';
import type { History, SeriesInfo } from './store/history.js';
import { formatValue } from './format-value.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function renderSeriesList(series: SeriesInfo[]): string {
  if (!series.length) return 'no resource series recorded yet (is the sampler running?)\n';
  return table([
    ['SERIES', 'LATEST', 'AT'],
    ...series.map((s) => [
      s.name,
      s.lastValue === null ? '-' : formatValue(s.name, s.lastValue),
      s.lastAt ?? '-',
    ]),
  ]);
}

export function renderHistory(h: History): string {
  const head = `${h.series}  ${h.from} → ${h.to}  step ${h.step} s  (${h.source}, ${h.points.length} points)\n`;
  if (!h.points.length) return `${head}no samples in this range\n`;
  const f = (v: number) => formatValue(h.series, v);
  return (
    head +
    table([
      ['TIME', 'N', 'MIN', 'MEAN', 'P95', 'MAX'],
      ...h.points.map((p) => [p.t, String(p.count), f(p.min), f(p.mean), f(p.p95), f(p.max)]),
    ])
  );
}

export function renderForecast(fc: Forecast): string {
  const e = fc.evidence;
  if (e.status !== 'ok') return `${fc.series}: not enough evidence: ${e.reason}\n`;
  const f = (v: number) => formatValue(fc.series, v);
  const ex = e.exhaustion;
  const exhaustion = !ex.ceiling
    ? `no ceiling (${ex.reason ?? ''})`
    : ex.inSeconds === null
      ? `${ex.reason} (ceiling ${f(ex.ceiling.bytes)}, ${ex.ceiling.source})`
      : `reaches ${f(ex.ceiling.bytes)} (${ex.ceiling.source}) in ${fmtDuration(ex.inSeconds * 1000)}, at ${ex.at}`;
  return [
    `${fc.series}: ${fc.window.points} points ${fc.window.from} → ${fc.window.to}`,
    `  trend (Theil–Sen): ${f(e.fits.theilSen.slopePerHour)}/h, σ ${f(e.fits.theilSen.sigma)}; least squares ${f(e.fits.leastSquares.slopePerHour)}/h, σ ${f(e.fits.leastSquares.sigma)}`,
    `  at ${e.horizon.at}: ${f(e.horizon.predicted)} (interval ${f(e.horizon.lower)} … ${f(e.horizon.upper)})`,
    `  exhaustion: ${exhaustion}`,
    '',
  ].join('\n');
}

export function renderBacktest(results: BacktestResult[]): string {
  if (!results.length) return 'no series to backtest\n';
  return table([
    ['SERIES', 'SCORED', 'REFUSED', 'MAPE', 'COVERAGE'],
    ...results.map((r) => [
      r.series,
      String(r.scored),
      String(r.refused),
      r.mape === null ? '-' : `${r.mape.toFixed(2)} %`,
      r.coverage === null ? '-' : `${(r.coverage * 100).toFixed(1)} %`,
    ]),
  ]);
}
