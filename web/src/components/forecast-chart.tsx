import { useRef } from 'react';
import type uPlot from 'uplot';
import type { ChartColumns } from '../pages/hardware/hardware-data.js';
import { chartColours, timeAxis, useUplot } from './use-uplot.js';

/**
 * History with its forecast: the mean line, the trend to the horizon with its prediction band, and
 * the limit as a dashed line. Columns come from hardware-data.chartColumns; values are printed
 * with `format` on the axis. The caller's caption says the same in words.
 */
export function ForecastChart({
  label,
  columns,
  format,
  timeRange,
  height = 180,
}: {
  label: string;
  columns: ChartColumns;
  format: (v: number) => string;
  /** The time axis's span in seconds (hardware-data.chartTimeRange); uPlot's own when absent. */
  timeRange?: [number, number];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const fmt = useRef(format);
  fmt.current = format;
  const span = useRef(timeRange);
  span.current = timeRange;
  useUplot(
    box,
    (el, width) => {
      const { accent, muted, bad } = chartColours(el);
      return {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true, range: (_u, min, max) => span.current ?? [min, max] } },
        axes: [
          timeAxis(muted, { hour: '2-digit', minute: '2-digit' }),
          { stroke: muted, size: 76, values: (_u, vals) => vals.map((v) => fmt.current(v)) },
        ],
        series: [
          {},
          { label, stroke: accent, width: 2, spanGaps: true },
          { label: 'trend', stroke: accent, width: 1, dash: [6, 4], spanGaps: true },
          { label: 'lower', stroke: 'transparent', spanGaps: true },
          { label: 'upper', stroke: 'transparent', spanGaps: true },
          { label: 'limit', stroke: bad, width: 1.5, dash: [2, 3] },
        ],
        bands: [{ series: [4, 3], fill: accent + '33' }],
      };
    },
    columns as unknown as uPlot.AlignedData,
    [label, height],
  );

  return (
    <div
      className="forecast-chart"
      ref={box}
      role="img"
      aria-label={`${label}: history, forecast band and limit`}
    />
  );
}
