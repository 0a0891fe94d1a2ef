import { useMemo, useRef } from 'react';
import type uPlot from 'uplot';
import { chartColours, timeAxis, useUplot } from './use-uplot.js';

/** A small uPlot line chart of (unix seconds, value) samples; re-draws when they change. */
export function LineChart({
  label,
  unit,
  samples,
  height = 140,
}: {
  label: string;
  unit: string;
  samples: ReadonlyArray<readonly [number, number]>;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const data = useMemo(
    (): uPlot.AlignedData => [samples.map((s) => s[0]), samples.map((s) => s[1])],
    [samples],
  );
  useUplot(
    box,
    (el, width) => {
      const { accent: stroke, muted: axis } = chartColours(el);
      return {
        width,
        height,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true } },
        axes: [
          timeAxis(axis),
          { stroke: axis, size: 64, values: (_u, vals) => vals.map((v) => `${v} ${unit}`) },
        ],
        series: [{}, { label, stroke, width: 2, fill: stroke + '22' }],
      };
    },
    data,
    [label, unit, height],
  );

  return (
    <figure className="chart">
      <div
        ref={box}
        role="img"
        aria-label={`${label} over time, latest ${samples.at(-1)?.[1] ?? 'none'} ${unit}`}
      />
      <figcaption className="muted">
        {label} ({unit})
      </figcaption>
    </figure>
  );
}
